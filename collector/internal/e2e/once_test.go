package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/vulndb"
)

// TestOnceCSVScope is the clean pass of an assessment whose scope comes from a CSV and whose
// sampled devices report through `ceplus-agent once`: one with a per-device token (linked by
// its scope entry), one with the assessment's token (linked by hostname); a run nobody can
// link says so and fails. Every run leaves its temporary directory empty. The scan records the
// once uploads, the agentless device gets imported results, and the verdict is a pass.
func TestOnceCSVScope(t *testing.T) {
	c := newCollector(t)
	osv, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "vulndb", "testdata", "osv", "Debian"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vulndb.Import(context.Background(), filepath.Join(c.data, "vulndb"), []string{osv}, time.Now(), nil); err != nil {
		t.Fatalf("import the test OSV records: %v", err)
	}
	token := c.token("--role", "assessor")
	as := func(args ...string) string {
		t.Helper()
		return must(t, append(append([]string{"ceplus-collector", "assessment"}, args...), "--api", "http://"+c.api, "--token", token)...)
	}
	as("create", "--id", "asm-once", "--org", "Example Ltd", "--snapshot", "latest")
	scope := filepath.Join(t.TempDir(), "scope.csv")
	csv := "id,type,build,hostname\nlaptop-1,laptop,Debian 12,pc-1\nlaptop-2,laptop,Debian 12,pc-2\nmac-1,laptop,macOS 14,mac-1\n"
	if err := os.WriteFile(scope, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	as("scope", "import", "asm-once", scope)
	as("freeze", "asm-once")
	as("draw", "asm-once", "--sample", "1") // three devices: all of them are drawn

	runOnce := func(host string, wantCode int, tokenArgs ...string) string {
		t.Helper()
		tmp := t.TempDir()
		inv := filepath.Join(t.TempDir(), "inventory.json")
		writeInventory(t, inv, host, 40, 0)
		o, e, code := run(t, "ceplus-agent", "once", "--collector", c.agents, "--token", c.token(tokenArgs...), "--ca-sha256", c.fingerprint(),
			"--inventory-file", inv, "--tmpdir", tmp, "--timeout", "1m")
		if code != wantCode {
			t.Fatalf("once on %s exited %d, want %d:\n%s%s", host, code, wantCode, o, e)
		}
		left, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 0 {
			t.Errorf("once on %s left %v in its temporary directory %s", host, left, tmp)
		}
		if !strings.Contains(o, "removed the agent key and state") {
			t.Errorf("once on %s did not report the removal:\n%s", host, o)
		}
		return o + e
	}
	tests := []struct {
		name, host string
		token      []string
		code       int
		want       string
	}{
		{"per-device token", "renamed-pc", []string{"--assessment", "asm-once", "--device", "laptop-1"}, 0, "linked to scope entry laptop-1 of assessment asm-once (by scope_entry)"},
		{"assessment token, by hostname", "PC-2", []string{"--assessment", "asm-once"}, 0, "linked to scope entry laptop-2 of assessment asm-once (by hostname)"},
		{"unknown device", "stranger", []string{"--assessment", "asm-once"}, 1, `NOT LINKED to a scope entry: this device could not be linked to the scope of assessment asm-once (no entry has machine id "mid-stranger", no entry has hostname "stranger"): the assessor adds the device`},
		{"token of no assessment", "pc-1", nil, 1, "NOT LINKED to a scope entry: agent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out := runOnce(tc.host, tc.code, tc.token...); !strings.Contains(out, tc.want) {
				t.Errorf("once printed:\n%s\nwant it to contain %q", out, tc.want)
			}
		})
	}

	var final struct {
		Devices map[string]string `json:"devices"`
	}
	if err := json.Unmarshal([]byte(as("scan", "asm-once", "--sample", "1", "--json")), &final); err != nil {
		t.Fatal(err)
	}
	for d, s := range map[string]string{"laptop-1": "matched", "laptop-2": "matched", "mac-1": "failed"} {
		if final.Devices[d] != s {
			t.Errorf("scan: device %s %q, want %q (all: %v)", d, final.Devices[d], s, final.Devices)
		}
	}
	results := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(results, []byte(`{"sample": 1, "devices": [{"device": "mac-1", "findings": []}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	as("import-results", "asm-once", results)
	if out := as("verdict", "asm-once"); !strings.Contains(out, "outcome:        pass") {
		t.Errorf("verdict:\n%s\nwant pass", out)
	}
	as("verify", "asm-once")
}
