package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// fleet is the simulated estate: per build, the recorded inventory the agents start with, the
// one the demo's remediation switches them to ("" when they need none), and how many.
var fleet = []struct {
	prefix, build, inventory, patched, kind string
	n                                       int
}{
	{"win", "Windows 11 Pro 25H2", "windows11.json", "windows11-patched.json", "laptop", 9},
	{"mac", "macOS 14", "macos14.json", "", "laptop", 9},
	{"deb", "Debian 12", "debian12.json", "debian12-patched.json", "server", 9},
	{"ubu", "Ubuntu 24.04", "ubuntu2404.json", "", "server", 9},
}

// startCollector starts `ceplus-collector serve` on 127.0.0.1 (ports chosen by the system) and
// waits until it listens.
func (d *demo) startCollector(ctx context.Context) error {
	d.step("Start the collector on loopback, SQLite in %s", d.collectorData)
	if _, err := d.background("collector", "ceplus-collector", "serve", "--data", d.collectorData,
		"--listen-agents", "127.0.0.1:0", "--listen-api", "127.0.0.1:0"); err != nil {
		return err
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(d.collectorData, name))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	err := waitFor(ctx, "the collector to listen (see collector.log)", 30*time.Second, func() (bool, error) {
		d.agents, d.api, d.fingerprint = read("agents.addr"), read("api.addr"), read("ca.sha256")
		return d.agents != "" && d.api != "" && d.fingerprint != "", nil
	})
	if err != nil {
		return err
	}
	d.api = "http://" + d.api
	fmt.Fprintf(d.out, "  agents: %s (QUIC, mutual TLS)\n  API:    %s\n  CA:     %s\n", d.agents, d.api, d.fingerprint)
	out, err := d.run(ctx, false, "ceplus-collector", "token", "create", "--data", d.collectorData, "--role", "assessor")
	if err != nil {
		return err
	}
	d.token = strings.TrimSpace(out)
	fmt.Fprintf(d.out, "  assessor token created (ceplus-collector token create --role assessor)\n")
	return nil
}

// importVulnDB imports the demo's OSV records into a pinned snapshot.
func (d *demo) importVulnDB(ctx context.Context) error {
	d.step("Import the demo vulnerability records (OSV format, Debian/Ubuntu/Alpine style)")
	_, err := d.run(ctx, true, "ceplus-collector", "vulndb", "import", "--data", d.collectorData, filepath.Join(d.data, "osv"))
	return err
}

// enrolAgents enrols and starts the real agent of this machine and the simulated estate, and
// waits until every agent has uploaded its first inventory.
func (d *demo) enrolAgents(ctx context.Context) error {
	d.step("Enrol a real agent on this machine (signed plugins from make build)")
	tok, err := d.run(ctx, false, "ceplus-collector", "token", "create", "--data", d.collectorData)
	if err != nil {
		return err
	}
	state := filepath.Join(d.work, "agent")
	if _, err := d.run(ctx, true, "ceplus-agent", "enrol", "--state", state, "--collector", d.agents, "--token", strings.TrimSpace(tok), "--ca-sha256", d.fingerprint); err != nil {
		return err
	}
	if _, err := d.background("agent", "ceplus-agent", "run", "--state", state, "--backoff-max", "5s"); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "  started: ceplus-agent run --state %s (log: agent.log)\n", state)
	fmt.Fprintf(d.out, "  It reports this machine's real patch level, so it is kept out of the demo assessment: the verdict\n"+
		"  below must not depend on this machine. See it with 'ceplus-collector agents list --data %s'.\n", d.collectorData)

	total := 0
	for _, f := range fleet {
		total += f.n
	}
	d.step("Enrol %d simulated agents (real agent code fed recorded inventories, the real protocol)", total)
	estate := filepath.Join(d.work, "estate")
	for _, f := range fleet {
		for i := 1; i <= f.n; i++ {
			if err := d.setInventory(filepath.Join(estate, fmt.Sprintf("%s-%02d", f.prefix, i)), f.inventory); err != nil {
				return err
			}
		}
		fmt.Fprintf(d.out, "  %d x %-20s %s-01..%s-%02d  from deploy/demo/inventories/%s\n", f.n, f.build, f.prefix, f.prefix, f.n, f.inventory)
	}
	tok, err = d.run(ctx, false, "ceplus-collector", "token", "create", "--data", d.collectorData, "--assessment", assessmentID, "--uses", fmt.Sprint(total))
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "$ ceplus-collector token create --assessment %s --uses %d\n", assessmentID, total)
	if _, err := d.background("estate", "ceplus-agent", "simulate", "--dir", estate, "--collector", d.agents,
		"--token", strings.TrimSpace(tok), "--ca-sha256", d.fingerprint); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "$ ceplus-agent simulate --dir %s --collector %s --token … --ca-sha256 …   (background, log: estate.log)\n", estate, d.agents)
	var n int
	err = waitFor(ctx, "every agent's first inventory (see estate.log and agent.log)", 60*time.Second, func() (bool, error) {
		rows, err := d.agentRows(ctx)
		n = 0
		for _, r := range rows {
			if r.ContentHash != "" {
				n++
			}
		}
		return n == total+1, err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "  %d agents connected and reported their inventories\n", n)
	return nil
}

// setInventory writes a recorded inventory into a simulated agent's folder, atomically (the
// agent re-reads it at every scan).
func (d *demo) setInventory(dir, fixture string) error {
	b, err := os.ReadFile(filepath.Join(d.data, "inventories", fixture))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".inventory.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "inventory.json"))
}

// agentRow is one agent of `agents list --json`.
type agentRow struct {
	ID          string `json:"id"`
	Hostname    string `json:"hostname"`
	Build       string `json:"build"`
	ContentHash string `json:"content_hash"`
}

func (d *demo) agentRows(ctx context.Context) ([]agentRow, error) {
	out, err := d.run(ctx, false, "ceplus-collector", "agents", "list", "--data", d.collectorData, "--json")
	if err != nil {
		return nil, err
	}
	var rows []agentRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		return nil, fmt.Errorf("agents list --json: %w", err)
	}
	return rows, nil
}
