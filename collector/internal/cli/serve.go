package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ceplus/ceplus/collector/internal/ingest"
	"github.com/ceplus/ceplus/collector/internal/serve"
	"github.com/ceplus/ceplus/collector/internal/store/backend"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/version"
)

// Default listening addresses of `serve`: loopback, so that nothing is exposed by accident.
const (
	defaultListenAgents = "127.0.0.1:4433"
	defaultListenAPI    = "127.0.0.1:8443"
)

func runServe(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " serve"
	fs := cmdline.NewFlags("serve", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --data DIR [--store URL] [--listen-agents ADDR] [--listen-api ADDR]\n\n"+
			"Runs the collector: creates or loads the CA in DIR (its fingerprint goes to DIR/ca.sha256), listens for\n"+
			"agents over QUIC and serves the HTTP API. Logs go to stderr.\n\n", name)
		fs.PrintDefaults()
	}
	data := fs.String("data", "", "data `DIR`: QUIC reset key, vulnerability snapshots, and without --store the CA and the SQLite database")
	storeURL := fs.String("store", "", "PostgreSQL `URL` (postgres://user@host:5432/db), shared by collector replicas: the CA is kept there too; default: SQLite in --data")
	agents := fs.String("listen-agents", defaultListenAgents, "UDP `ADDR` of the QUIC listener for agents")
	api := fs.String("listen-api", defaultListenAPI, "TCP `ADDR` of the HTTP API")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	burst := fs.Int("upload-burst", 30, "uploads an agent may send at once before the rate limit applies")
	pprofOn := fs.Bool("pprof", false, "serve Go profiles under /debug/pprof/ on the API listener (diagnostics)")
	every := fs.Duration("upload-every", 6*time.Second, "after the burst, one upload per agent per this interval")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	}
	if *burst < 1 || *every <= 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--upload-burst and --upload-every must be positive")
	}
	if *data == "" {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--data DIR is required (the CA and the QUIC reset key live there even with --store)")
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--log-level %q: want debug, info, warn or error", *level)
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "create data directory: %v", err)
	}
	st, err := backend.Open(ctx, *data, *storeURL)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(stdio.Stderr, &slog.HandlerOptions{Level: lv}))
	err = serve.Run(ctx, serve.Config{DataDir: *data, ListenAgents: *agents, ListenAPI: *api, Store: st, Log: log,
		Version: version.Version, Rate: ingest.Rate{Burst: *burst, Every: *every}, Pprof: *pprofOn, SharedCA: *storeURL != ""}, stdio.Stdout)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	return cmdline.ExitOK
}

// openStore opens the store of an administrative command (beside a running collector).
func openStore(ctx context.Context, stdio cmdline.IO, name, data, storeURL string) (closeFn func(), st storeHandle, code int) {
	if data == "" && storeURL == "" {
		return nil, nil, cmdline.Fail(stdio, name, cmdline.ExitUsage, "--data DIR or --store URL is required")
	}
	s, err := backend.Open(ctx, data, storeURL)
	if err != nil {
		return nil, nil, cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	return func() {
		if err := s.Close(); err != nil {
			fmt.Fprintf(stdio.Stderr, "%s: close store: %v\n", name, strings.TrimSpace(err.Error()))
		}
	}, s, cmdline.ExitOK
}
