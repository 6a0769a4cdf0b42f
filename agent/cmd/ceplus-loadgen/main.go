// Command ceplus-loadgen is the ingest load generator of `make bench-ingest`: many simulated
// agents in one process against a running collector on loopback (see agent/internal/loadgen).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/ceplus/ceplus/agent/internal/loadgen"
)

func main() {
	var cfg loadgen.Config
	flag.StringVar(&cfg.Collector, "collector", "127.0.0.1:4433", "collector QUIC address (loopback only)")
	flag.StringVar(&cfg.Pin, "ca-sha256", "", "collector CA fingerprint")
	flag.StringVar(&cfg.Token, "token", "", "enrolment token with at least --agents uses")
	flag.IntVar(&cfg.Agents, "agents", 1000, "agents that enrol, connect and stay connected")
	flag.IntVar(&cfg.Uploaders, "uploaders", 100, "agents that upload concurrently")
	flag.IntVar(&cfg.Uploads, "uploads", 2000, "inventories uploaded in all")
	flag.IntVar(&cfg.Packages, "packages", 2000, "packages per inventory")
	flag.IntVar(&cfg.Transports, "sockets", 16, "UDP sockets shared by the simulated agents")
	flag.DurationVar(&cfg.Idle, "idle", 30*time.Second, "how long to hold the idle connections before measuring memory")
	flag.IntVar(&cfg.CollectorPID, "collector-pid", 0, "collector process id, to read its RSS")
	cpuProfile := flag.String("cpuprofile", "", "write the load generator's own CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ceplus-loadgen:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "ceplus-loadgen:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, "ceplus-loadgen:", err)
		os.Exit(1)
	}
}
