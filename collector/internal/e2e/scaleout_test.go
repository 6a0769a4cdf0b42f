package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store/pgtest"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// TestScaleOut runs two collector processes on one PostgreSQL: they share the CA, the tokens
// and the assessments; an agent enrolled and connected through either is reached by a scan
// started on the other (the relay); concurrent commits of Sample 1 through both collectors
// yield one commitment (the step lock); and both report the same verdict.
func TestScaleOut(t *testing.T) {
	u := pgtest.Schema(t)
	a := newCollector(t, "--store", u)
	b := newCollector(t, "--store", u)
	if a.fingerprint() != b.fingerprint() {
		t.Fatalf("collectors on one store have different CAs: %s and %s", a.fingerprint(), b.fingerprint())
	}
	osv, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "vulndb", "testdata", "osv", "Debian"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vulndb.Import(context.Background(), filepath.Join(a.data, "vulndb"), []string{osv}, time.Now(), nil); err != nil {
		t.Fatalf("import the test OSV records: %v", err)
	}
	if err := os.CopyFS(filepath.Join(b.data, "vulndb"), os.DirFS(filepath.Join(a.data, "vulndb"))); err != nil {
		t.Fatalf("copy the snapshot to the second collector: %v", err)
	}
	token := a.token("--store", u, "--role", "assessor")
	as := func(c *collector, args ...string) string {
		t.Helper()
		return must(t, append(append([]string{"ceplus-collector", "assessment"}, args...), "--api", "http://"+c.api, "--token", token)...)
	}
	as(a, "create", "--id", "asm-scale", "--org", "Example Ltd", "--snapshot", "latest")
	scope := filepath.Join(t.TempDir(), "scope.csv")
	if err := os.WriteFile(scope, []byte("id,type,build,hostname\nlaptop-1,laptop,Debian 12,pc-1\nlaptop-2,laptop,Debian 12,pc-2\nmac-1,laptop,macOS 14,mac-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	as(b, "scope", "import", "asm-scale", scope)

	// pc-1 enrols with and connects to A, pc-2 to B.
	var agents []*agent
	for i, c := range []*collector{a, b} {
		name := fmt.Sprintf("pc-%d", i+1)
		dir := t.TempDir()
		ag := &agent{t: t, name: name, state: filepath.Join(dir, "state"), invFile: filepath.Join(dir, "inventory.json")}
		out := must(t, "ceplus-agent", "enrol", "--state", ag.state, "--collector", c.agents, "--token", c.token("--store", u, "--assessment", "asm-scale"),
			"--ca-sha256", c.fingerprint(), "--hostname", name)
		ag.id = strings.Fields(out)[3]
		ag.hash = writeInventory(t, ag.invFile, name, 30, 0)
		ag.run()
		agents = append(agents, ag)
	}
	waitFor(t, "both agents to upload", 30*time.Second, func() bool {
		for _, ag := range agents {
			if len(logValues(ag.p.Output(), "inventory acknowledged", "upload")) == 0 {
				return false
			}
		}
		return true
	})
	if out := as(a, "scope", "add-agents", "asm-scale", "--type", "laptop"); !strings.Contains(out, "linked 2 agents") {
		t.Errorf("add-agents through A printed %q: want both agents linked", out)
	}
	as(b, "freeze", "asm-scale")

	// Six concurrent commits of Sample 1, alternating between the collectors: a commit returns
	// the pending commitment, so with the step lock all six name one, recorded once.
	commitments := make([]string, 6)
	var wg sync.WaitGroup
	for i := range commitments {
		c := []*collector{a, b}[i%2]
		wg.Go(func() {
			var v struct {
				Commitment string `json:"commitment"`
			}
			if err := json.Unmarshal(call(t, c, token, "POST", "/api/v1/assessments/asm-scale/samples/1/commit"), &v); err != nil {
				t.Errorf("commit through %s: %v", c.api, err)
			}
			commitments[i] = v.Commitment
		})
	}
	wg.Wait()
	for _, cm := range commitments {
		if cm == "" || cm != commitments[0] {
			t.Errorf("concurrent commits through two collectors returned commitments %v, want one", commitments)
			break
		}
	}
	var events []struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(call(t, b, token, "GET", "/api/v1/assessments/asm-scale/events"), &events); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == "sample_committed" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the history holds %d sample_committed events after concurrent commits, want 1", n)
	}
	as(b, "draw", "asm-scale", "--sample", "1")

	want := agents[1].change() // pc-2, connected to B, must inventory afresh for A's scan
	var final struct {
		Devices map[string]string `json:"devices"`
	}
	if err := json.Unmarshal([]byte(as(a, "scan", "asm-scale", "--sample", "1", "--json")), &final); err != nil {
		t.Fatal(err)
	}
	for d, s := range map[string]string{"laptop-1": "matched", "laptop-2": "matched", "mac-1": "failed"} {
		if final.Devices[d] != s {
			t.Errorf("scan through A: device %s %q, want %q (all: %v)", d, final.Devices[d], s, final.Devices)
		}
	}
	var tests []struct {
		Device    string `json:"device"`
		Inventory string `json:"inventory"`
	}
	if err := json.Unmarshal([]byte(as(b, "findings", "asm-scale", "--json")), &tests); err != nil {
		t.Fatal(err)
	}
	for _, tv := range tests {
		if tv.Device == "laptop-2" && tv.Inventory != want {
			t.Errorf("laptop-2 (agent on B) was tested on inventory %s, want the fresh one %s", tv.Inventory, want)
		}
	}
	results := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(results, []byte(`{"sample": 1, "devices": [{"device": "mac-1", "findings": []}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	as(b, "import-results", "asm-scale", results)

	type verdict struct {
		Outcome string `json:"outcome"`
		Seq     int64  `json:"seq"`
		Hash    string `json:"hash"`
	}
	var va, vb verdict
	if err := json.Unmarshal([]byte(as(a, "verdict", "asm-scale", "--json")), &va); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(as(b, "verdict", "asm-scale", "--json")), &vb); err != nil {
		t.Fatal(err)
	}
	if va != vb || va.Outcome == "" {
		t.Errorf("verdicts differ: A %+v, B %+v", va, vb)
	}
	if out := as(b, "verify", "asm-scale"); strings.Contains(out, "ignored") {
		t.Errorf("verify lists ignored events (a second commitment?):\n%s", out)
	}
}

// call calls an API route with no body and returns the answer, which must be a success.
func call(t *testing.T, c *collector, token, method, path string) []byte {
	req, err := http.NewRequest(method, "http://"+c.api+path, nil)
	if err != nil {
		t.Error(err)
		return nil
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s %s: %d %s", method, path, resp.StatusCode, body)
	}
	return body
}
