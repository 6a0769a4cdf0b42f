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

// TestAssessmentWithRealAgents runs an assessment whose Sample 1 is scanned by real agents
// through serve's scanner: agents enrolled with tokens bound to the assessment are linked to
// the CSV scope (by hostname) or added to it, the scan asks each one to inventory now and
// matches the fresh inventory against the pinned snapshot, and the device without an agent
// gets its results imported.
func TestAssessmentWithRealAgents(t *testing.T) {
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
	as("create", "--id", "asm-e2e", "--org", "Example Ltd", "--snapshot", "latest")
	scope := filepath.Join(t.TempDir(), "scope.csv")
	if err := os.WriteFile(scope, []byte("id,type,build,hostname\nlaptop-1,laptop,Debian 12,pc-1\nmac-1,laptop,macOS 14,mac-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	as("scope", "import", "asm-e2e", scope)

	var agents []*agent
	for _, name := range []string{"pc-1", "pc-2"} {
		dir := t.TempDir()
		a := &agent{t: t, name: name, state: filepath.Join(dir, "state"), invFile: filepath.Join(dir, "inventory.json")}
		out := must(t, "ceplus-agent", "enrol", "--state", a.state, "--collector", c.agents, "--token", c.token("--assessment", "asm-e2e"),
			"--ca-sha256", c.fingerprint(), "--hostname", name)
		a.id = strings.Fields(out)[3]
		a.hash = writeInventory(t, a.invFile, name, 50, 0)
		a.run()
		agents = append(agents, a)
	}
	waitFor(t, "both agents to upload", 30*time.Second, func() bool {
		for _, a := range agents {
			if c.row(a.id).ContentHash != a.hash {
				return false
			}
		}
		return true
	})
	out := as("scope", "add-agents", "asm-e2e", "--type", "desktop")
	if !strings.Contains(out, "added 1 devices, linked 1 agents") || !strings.Contains(out, "linked laptop-1 to agent") {
		t.Errorf("add-agents printed %q: want pc-2 added and pc-1 linked to laptop-1", out)
	}
	as("freeze", "asm-e2e")
	as("draw", "asm-e2e", "--sample", "1") // every device: two Debian 12, one macOS 14

	want := agents[0].change() // the scan must record the fresh inventory, not the last one
	var final struct {
		Devices map[string]string `json:"devices"`
		Done    bool              `json:"done"`
	}
	if err := json.Unmarshal([]byte(as("scan", "asm-e2e", "--sample", "1", "--json")), &final); err != nil {
		t.Fatal(err)
	}
	wantStates := map[string]string{"laptop-1": "matched", "pc-2": "matched", "mac-1": "failed"}
	for d, s := range wantStates {
		if final.Devices[d] != s {
			t.Errorf("scan: device %s %q, want %q (all: %v)", d, final.Devices[d], s, final.Devices)
		}
	}
	var tests []struct {
		Device    string `json:"device"`
		Source    string `json:"source"`
		Inventory string `json:"inventory"`
		Status    string `json:"status"`
	}
	if err := json.Unmarshal([]byte(as("findings", "asm-e2e", "--json")), &tests); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tv := range tests {
		got[tv.Device] = tv.Source + " " + tv.Status
		if tv.Device == "laptop-1" && tv.Inventory != want {
			t.Errorf("laptop-1 was tested on inventory %s, want the fresh one %s", tv.Inventory, want)
		}
	}
	if got["laptop-1"] != "agent pass" || got["pc-2"] != "agent pass" || len(got) != 2 {
		t.Errorf("tests after the scan: %v, want laptop-1 and pc-2 tested by their agents", got)
	}
	results := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(results, []byte(`{"sample": 1, "devices": [{"device": "mac-1", "findings": []}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	as("import-results", "asm-e2e", results)
	if out := as("verdict", "asm-e2e"); !strings.Contains(out, "outcome:        pass") {
		t.Errorf("verdict:\n%s\nwant pass", out)
	}
	as("verify", "asm-e2e")
}
