// Command walk is `make demo`: it starts a collector on loopback with SQLite in a fresh data
// folder, imports the demo vulnerability records, enrols a real agent on this machine and a
// simulated estate of real agent daemons fed recorded inventories, and walks one CE+
// assessment through the ceplus-collector CLI: scope, freeze, Sample 1 failing, remediation,
// retest, Sample 2 and the verdict. It leaves the collector and the agents running (their PIDs
// in WORK/pids, for `make demo-stop`) and prints the API URL and an assessor token.
//
// Usage: walk -bin DIR -work DIR -demo deploy/demo
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin", "`DIR` of ceplus-collector, ceplus-agent and the signed plugins (make build)")
	work := flag.String("work", "var/demo", "fresh working `DIR`: collector data, agents, logs, PIDs (emptied first)")
	data := flag.String("demo", "deploy/demo", "`DIR` of the demo's data: osv/ and inventories/")
	flag.Parse()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	d, err := newDemo(*bin, *work, *data, os.Stdout)
	if err == nil {
		_, err = d.walk(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		if d != nil {
			fmt.Fprintf(os.Stderr, "demo: logs in %s; stop what it started with 'make demo-stop'\n", d.work)
		}
		os.Exit(1)
	}
}

// demo is one run of the walk.
type demo struct {
	bin, work, data string
	out             io.Writer
	start           time.Time
	procs           []*os.Process

	collectorData string
	agents, api   string // QUIC address, API URL
	fingerprint   string
	token         string // assessor API token
}

func newDemo(bin, work, data string, out io.Writer) (*demo, error) {
	abs := func(p string) (string, error) { return filepath.Abs(p) }
	var err error
	d := &demo{out: out, start: time.Now()}
	if d.bin, err = abs(bin); err != nil {
		return nil, err
	}
	if d.work, err = abs(work); err != nil {
		return nil, err
	}
	if d.data, err = abs(data); err != nil {
		return nil, err
	}
	for _, f := range []string{"ceplus-collector", "ceplus-agent", "plugins.json.sig"} {
		if _, err := os.Stat(filepath.Join(d.bin, f)); err != nil {
			return nil, fmt.Errorf("%s is missing: run 'make build' first (make demo does)", filepath.Join(d.bin, f))
		}
	}
	if err := os.RemoveAll(d.work); err != nil {
		return nil, fmt.Errorf("empty %s: %w", d.work, err)
	}
	if err := os.MkdirAll(d.work, 0o700); err != nil {
		return nil, err
	}
	d.collectorData = filepath.Join(d.work, "collector")
	return d, nil
}

// step prints a numbered heading.
func (d *demo) step(format string, args ...any) {
	fmt.Fprintf(d.out, "\n==> [%5.1fs] %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, args...))
}

// Result is what the walk reached, for its test.
type Result struct {
	Sample1Failed  []string // devices failing Sample 1 before the remediation
	Sample1Verdict string   // the verdict's outcome after Sample 1 failed
	Verdict        string   // the final outcome
	Devices        int      // devices in the scope
	Elapsed        time.Duration
}

// walk runs the whole demo.
func (d *demo) walk(ctx context.Context) (*Result, error) {
	if err := d.startCollector(ctx); err != nil {
		return nil, err
	}
	if err := d.importVulnDB(ctx); err != nil {
		return nil, err
	}
	if err := d.enrolAgents(ctx); err != nil {
		return nil, err
	}
	res, err := d.assess(ctx)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(d.start)
	d.step("Done in %.0f s. The collector and the agents keep running.", res.Elapsed.Seconds())
	fmt.Fprintf(d.out, "  API:            %s (OpenAPI document at %s/api/v1/openapi.json)\n", d.api, d.api)
	fmt.Fprintf(d.out, "  web UI:         %s/ui/ (log in with the assessor token)\n", d.api)
	fmt.Fprintf(d.out, "  assessor token: %s\n", d.token)
	fmt.Fprintf(d.out, "  try:            CEPLUS_API=%s CEPLUS_TOKEN=%s %s/ceplus-collector assessment show %s\n", d.api, d.token, d.bin, assessmentID)
	fmt.Fprintf(d.out, "  logs:           %s/*.log\n  stop:           make demo-stop\n", d.work)
	return res, nil
}
