package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ceplus/ceplus/agent/internal/daemon"
	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/agent/internal/sources"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
	"github.com/ceplus/ceplus/shared/wire"
)

// inventoryFileEnv names a recorded inventory to send instead of running the plugins: a
// testing and simulation aid (tests, the demo's simulated agents), equivalent to --inventory-file.
const inventoryFileEnv = "CEPLUS_AGENT_INVENTORY_FILE"

func runRun(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " run"
	fs := cmdline.NewFlags("run", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [--state DIR] [--interval 24h]\n\n"+
			"Runs the agent: inventories on start, on the schedule and when the collector asks, and sends changed\n"+
			"inventories through the on-disk spool. Logs go to stderr.\n\n", name)
		fs.PrintDefaults()
	}
	state := fs.String("state", enrol.DefaultStateDir(), "state `DIR` written by 'ceplus-agent enrol'")
	interval := fs.Duration("interval", 24*time.Hour, "time between scheduled inventories (jittered by ±10%)")
	codec := fs.String("codec", "gzip", "upload compression: gzip or zstd")
	spoolItems := fs.Int("spool-items", 100, "most inventories kept while the collector is unreachable")
	spoolMB := fs.Int("spool-mb", 64, "most megabytes kept in the spool")
	backoffMax := fs.Duration("backoff-max", 5*time.Minute, "longest wait between reconnection attempts")
	root := fs.String("root", "/", "filesystem `DIR` to inventory")
	plugins := fs.String("plugins", "", "`DIR` of the signed plugins (default: beside the executable)")
	timeout := fs.Duration("timeout", 2*time.Minute, "time allowed to each source")
	recorded := fs.String("inventory-file", os.Getenv(inventoryFileEnv), "testing and simulation aid: send this recorded inventory `JSON` (re-read at every scan) instead of running the plugins; also $"+inventoryFileEnv)
	hostname := fs.String("hostname", "", "hostname announced to the collector (default: this system's)")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	disc := addDiscoveryFlags(fs)
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--log-level %q: want debug, info, warn or error", *level)
	}
	c := map[string]wire.Codec{"gzip": wire.CodecGzip, "zstd": wire.CodecZstd}[*codec]
	if c == 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--codec %q: want gzip or zstd", *codec)
	}
	if *interval <= 0 || *spoolItems < 1 || *spoolMB < 1 || *backoffMax <= 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--interval, --spool-items, --spool-mb and --backoff-max must be positive")
	}
	id, err := enrol.Load(*state)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	log := slog.New(slog.NewTextHandler(stdio.Stderr, &slog.HandlerOptions{Level: lv}))
	host := *hostname
	if host == "" {
		host, _ = os.Hostname() // only announced; the inventory carries the authoritative hostname
	}
	var produce daemon.Producer
	if *recorded != "" {
		log.Warn("sending a recorded inventory instead of running the plugins (testing and simulation aid)", "file", *recorded)
		produce = daemon.RecordedInventory(*recorded, time.Now)
	} else {
		if produce, err = pluginInventory(*plugins, *root, *timeout, log); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
		}
	}
	cfg := daemon.Config{Identity: id, Inventory: produce, Log: log, Version: version.Version, Hostname: host,
		Interval: *interval, Codec: c, SpoolItems: *spoolItems, SpoolBytes: int64(*spoolMB) << 20, BackoffMax: *backoffMax}
	if err := disc.config(stdio, *plugins, log, &cfg); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
	}
	d, err := daemon.New(cfg)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	if err := d.Run(ctx); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	return cmdline.ExitOK
}

// pluginInventory returns the producer that runs the signed source plugins.
func pluginInventory(dir, root string, timeout time.Duration, log *slog.Logger) (daemon.Producer, error) {
	rootDir, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("--root %s: %w", root, err)
	}
	l, err := pluginLoader(dir, slogWriter{log})
	if err != nil {
		return nil, err
	}
	l.Timeout, l.Expected = timeout, sources.Builtins(runtime.GOOS)
	return func(ctx context.Context) (*inventory.Inventory, error) {
		inv, _, err := l.Inventory(ctx, pluginapi.Request{Root: rootDir}, time.Now())
		return inv, err
	}, nil
}

// slogWriter turns the loader's plugin log lines into slog records.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.log.Info("plugin", "line", string(p))
	return len(p), nil
}
