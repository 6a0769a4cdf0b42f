package cli

import (
	"context"
	"errors"
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

// onceFlags are the settings of `ceplus-agent once`.
type onceFlags struct {
	collector, token, pin, hostname string
	plugins, root, recorded, tmpdir string
	timeout, sourceTimeout          time.Duration
}

func runOnce(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " once"
	fs := cmdline.NewFlags("once", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --collector HOST:PORT --token T --ca-sha256 FP [--timeout 5m]\n\n"+
			"Runs the agent once, for a device sampled in an assessment, and leaves nothing installed: inventories\n"+
			"this system through the signed plugins, enrols with the token (key and certificate in a private\n"+
			"temporary directory), uploads the inventory, waits for the collector's acknowledgement, reports which\n"+
			"scope entry the result was linked to, then overwrites and removes the key and the directory.\n\n", name)
		fs.PrintDefaults()
	}
	var f onceFlags
	fs.StringVar(&f.collector, "collector", "", "the collector's QUIC address `HOST:PORT`")
	fs.StringVar(&f.token, "token", "", "enrolment token bound to the assessment (or $CEPLUS_ENROL_TOKEN)")
	fs.StringVar(&f.pin, "ca-sha256", "", "SHA-256 `FP` of the collector CA (printed by 'ceplus-collector serve', in DATA/ca.sha256)")
	fs.StringVar(&f.hostname, "hostname", "", "hostname to declare (default: this system's)")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Minute, "time allowed for the whole run")
	fs.StringVar(&f.plugins, "plugins", "", "`DIR` of the signed plugins (default: beside the executable)")
	fs.StringVar(&f.root, "root", "/", "filesystem `DIR` to inventory")
	fs.DurationVar(&f.sourceTimeout, "source-timeout", 2*time.Minute, "time allowed to each source")
	fs.StringVar(&f.recorded, "inventory-file", os.Getenv(inventoryFileEnv), "testing and simulation aid: send this recorded inventory `JSON` instead of running the plugins; also $"+inventoryFileEnv)
	fs.StringVar(&f.tmpdir, "tmpdir", "", "parent `DIR` of the temporary state directory (default: /dev/shm when there is one, else the system's temp dir)")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if f.token == "" {
		f.token = os.Getenv("CEPLUS_ENROL_TOKEN")
	}
	switch {
	case fs.NArg() > 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	case f.collector == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--collector HOST:PORT is required")
	case f.token == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--token is required: ask the assessor for one ('ceplus-collector token create --assessment ID [--device SCOPE_ID]')")
	case f.pin == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--ca-sha256 is required: the collector's CA fingerprint, so that no other server can pose as it")
	case f.timeout <= 0 || f.sourceTimeout <= 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--timeout and --source-timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	return once(ctx, stdio, f)
}

// once is the body of `once`: everything it writes to disk lives in one temporary
// directory, which is wiped on every path out, and a wipe that fails is reported.
func once(ctx context.Context, stdio cmdline.IO, f onceFlags) (code int) {
	const name = prog + " once"
	parent := f.tmpdir
	if parent == "" {
		parent = defaultOnceParent()
	}
	dir, err := os.MkdirTemp(parent, "ceplus-once-")
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "create the temporary state directory in %s: %v; choose another with --tmpdir", parent, err)
	}
	defer func() {
		if err := wipe(dir); err != nil {
			code = cmdline.Fail(stdio, name, cmdline.ExitError, "%v: remove it by hand", err)
			return
		}
		fmt.Fprintf(stdio.Stdout, "removed the agent key and state (%s): nothing of this run is left on the device\n", dir)
	}()
	log := slog.New(slog.NewTextHandler(stdio.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	inv, err := onceInventory(ctx, f, filepath.Join(dir, "sockets"), log)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "inventory: %v (nothing was sent)", err)
	}
	fmt.Fprintf(stdio.Stdout, "inventoried %s (%s): %d packages, %d pending updates, content %s\n",
		inv.Device.Hostname, inv.Device.Build, len(inv.Packages), len(inv.PendingUpdates), inv.ContentHash()[:12])
	host := f.hostname
	if host == "" {
		host = inv.Device.Hostname
	}
	id, err := enrol.Enrol(ctx, enrol.Request{StateDir: filepath.Join(dir, "state"), Collector: f.collector, Token: f.token, CAPin: f.pin,
		Hostname: host, AgentVersion: version.Version})
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	fmt.Fprintf(stdio.Stdout, "enrolled as agent %s\n", id.ID)
	d, err := daemon.New(daemon.Config{Identity: id, Log: log, Version: version.Version, Hostname: host,
		Capabilities: []string{wire.CapabilityOnce},
		Inventory:    func(context.Context) (*inventory.Inventory, error) { return inv, nil }})
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	ack, err := d.Once(ctx, inv)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	fmt.Fprintf(stdio.Stdout, "the collector acknowledged the inventory (durably stored)\n")
	switch l := ack.Link; {
	case l == nil:
		fmt.Fprintf(stdio.Stdout, "the collector did not say which scope entry this result belongs to (an older collector?): tell the assessor agent %s uploaded it\n", id.ID.Short())
	case l.Device != "":
		fmt.Fprintf(stdio.Stdout, "linked to scope entry %s of assessment %s (by %s)\n", l.Device, l.Assessment, l.By)
	default:
		return cmdline.Fail(stdio, name, cmdline.ExitError, "the inventory is stored but NOT LINKED to a scope entry: %s", l.Problem)
	}
	return cmdline.ExitOK
}

// onceInventory takes the inventory: through the signed plugins, their sockets under
// socketRoot, or from a recorded file.
func onceInventory(ctx context.Context, f onceFlags, socketRoot string, log *slog.Logger) (*inventory.Inventory, error) {
	if f.recorded != "" {
		log.Warn("sending a recorded inventory instead of running the plugins (testing and simulation aid)", "file", f.recorded)
		inv, err := daemon.RecordedInventory(f.recorded, time.Now)(ctx)
		if err == nil && f.hostname != "" {
			inv.Device.Hostname = f.hostname
		}
		return inv, err
	}
	rootDir, err := filepath.Abs(f.root)
	if err != nil {
		return nil, fmt.Errorf("--root %s: %w", f.root, err)
	}
	l, err := pluginLoader(f.plugins, slogWriter{log})
	if err != nil {
		return nil, err
	}
	l.Timeout, l.SocketRoot, l.Expected = f.sourceTimeout, socketRoot, sources.Builtins(runtime.GOOS)
	inv, _, err := l.Inventory(ctx, pluginapi.Request{Root: rootDir}, time.Now())
	return inv, err
}

// defaultOnceParent is where once keeps its state: memory-backed /dev/shm where there is one,
// so that the key never reaches a disk, else the system's temp directory.
func defaultOnceParent() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() && runtime.GOOS == "linux" {
		return "/dev/shm"
	}
	return os.TempDir()
}

// wipe overwrites the agent key with zeros (and syncs it) before it removes the whole state
// directory, and checks that nothing is left.
func wipe(dir string) error {
	var errs []error
	key := filepath.Join(dir, "state", enrol.KeyFile)
	if st, err := os.Stat(key); err == nil {
		errs = append(errs, overwrite(key, st.Size()))
	} else if !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	errs = append(errs, os.RemoveAll(dir))
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("%s is still there after removal (%v)", dir, err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("wipe the temporary state directory %s: %w", dir, err)
	}
	return nil
}

func overwrite(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("overwrite %s: %w", path, err)
	}
	if _, err := f.Write(make([]byte, size)); err != nil {
		f.Close()
		return fmt.Errorf("overwrite %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("overwrite %s: %w", path, err)
	}
	return f.Close()
}
