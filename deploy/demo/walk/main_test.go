package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemo builds everything as `make build` does (plugins signed, key linked into the agent)
// into a temporary bin, walks the whole demo in a temporary working directory, and checks that
// it reaches each stage: Sample 1 failing, remediation, the final pass. The wall time is
// reported, not asserted.
func TestDemo(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("make", "-C", root, "build", "BIN="+bin, "TOOLS="+filepath.Join(bin, "tools"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	var out bytes.Buffer
	d, err := newDemo(bin, filepath.Join(t.TempDir(), "demo"), filepath.Join(root, "deploy", "demo"), &out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := d.walk(ctx)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	t.Logf("demo walk took %s (after the build)", res.Elapsed.Round(100*time.Millisecond))
	if res.Devices != 38 {
		t.Errorf("scope of %d devices, want 38 (36 simulated agents and 2 from the CSV)", res.Devices)
	}
	if len(res.Sample1Failed) == 0 || res.Sample1Verdict != "remediation" {
		t.Errorf("Sample 1: failing %v, verdict %q; want failing Windows and Debian devices and 'remediation'", res.Sample1Failed, res.Sample1Verdict)
	}
	for _, dev := range res.Sample1Failed {
		if !strings.HasPrefix(dev, "win-") && !strings.HasPrefix(dev, "deb-") {
			t.Errorf("Sample 1 device %s failed; only the Windows and Debian fixtures are vulnerable", dev)
		}
	}
	if res.Verdict != "pass" {
		t.Errorf("final verdict %q, want pass", res.Verdict)
	}
	text := out.String()
	if c, s := strings.Index(text, "Sample 1 commitment:"), strings.Index(text, "Sample 1 seed:"); c < 0 || s < c {
		t.Errorf("the Sample 1 commitment is not shown before its seed (at %d and %d)", c, s)
	}
	pids, err := os.ReadFile(filepath.Join(d.work, PIDFile))
	if err != nil || len(strings.Fields(string(pids))) != 6 {
		t.Errorf("PID file %q (%v): want the collector, the agent and the estate", pids, err)
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", text)
	}
}
