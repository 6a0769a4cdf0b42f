package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store/sqlite"
	"github.com/ceplus/ceplus/shared/identity"
)

func TestEnrolUploadAndScanNow(t *testing.T) {
	c := newCollector(t)
	agents := []*agent{c.enrol("pc-1"), c.enrol("pc-2"), c.enrol("pc-3")}
	for _, a := range agents {
		a.run()
	}
	waitFor(t, "three agents to upload", 30*time.Second, func() bool {
		for _, a := range agents {
			if c.row(a.id).ContentHash != a.hash {
				return false
			}
		}
		return true
	})
	rows := c.list()
	if len(rows) != 3 {
		t.Fatalf("agents list has %d agents, want 3: %+v", len(rows), rows)
	}
	for _, r := range rows {
		if r.Packages != 50 || r.Build != "Debian 12" || r.LastSeen == nil || !strings.HasPrefix(r.Hostname, "pc-") {
			t.Errorf("agents list row %+v: want 50 packages, build Debian 12, a last_seen and the hostname", r)
		}
	}

	// scan now reaches the right agent, and its fresh inventory is committed when it returns
	target := agents[1]
	want := target.change()
	out := must(t, "ceplus-collector", "agents", "scan", "--data", c.data, "--json", target.id)
	var got struct {
		Agent       string `json:"agent"`
		OK          bool   `json:"ok"`
		ContentHash string `json:"content_hash"`
		UploadID    string `json:"upload_id"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("scan printed %q: %v", out, err)
	}
	if !got.OK || got.Agent != target.id || got.ContentHash != want || got.UploadID == "" {
		t.Fatalf("scan result %+v, want ok for agent %s with content %s", got, target.id, want)
	}
	if r := c.row(target.id); r.ContentHash != want || r.Packages != 51 {
		t.Errorf("after scan now, agents list shows %+v, want content %s with 51 packages", r, want)
	}
	for _, a := range []*agent{agents[0], agents[2]} {
		if n := strings.Count(a.p.Output(), "collector asked for a scan"); n != 0 {
			t.Errorf("agent %s received %d scan requests meant for another agent", a.name, n)
		}
	}
	if n := strings.Count(target.p.Output(), "collector asked for a scan"); n != 1 {
		t.Errorf("agent %s received %d scan requests, want 1", target.name, n)
	}

	// an unchanged inventory is not sent again on schedule, but scan now records it (by reference)
	again := must(t, "ceplus-collector", "agents", "scan", "--data", c.data, "--json", target.id)
	if err := json.Unmarshal([]byte(again), &got); err != nil || !got.OK || got.ContentHash != want {
		t.Fatalf("second scan: %s (%v)", again, err)
	}
	if refs := logValues(target.p.Output(), "inventory queued", "reference"); len(refs) < 3 || refs[len(refs)-1] != "true" {
		t.Errorf("unchanged inventory on scan now: reference flags %v, want the last one true", refs)
	}

	// scanning an agent that is not connected fails clearly
	_, stderr, code := run(t, "ceplus-collector", "agents", "scan", "--data", c.data, strings.Repeat("ab", 32))
	if code == 0 || !strings.Contains(stderr, "not connected") {
		t.Errorf("scan of an unknown agent: exit %d, stderr %q; want a 'not connected' error", code, stderr)
	}
}

func TestCollectorCrashLosesNothingAndStoresNothingTwice(t *testing.T) {
	c := newCollector(t, "--upload-burst", "1000", "--upload-every", "1ms")
	agents := []*agent{c.enrol("pc-1"), c.enrol("pc-2"), c.enrol("pc-3")}
	for _, a := range agents {
		a.run("--interval", "100ms")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, a := range agents { // keep every agent's inventory changing, so that uploads never stop
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				a.change()
				time.Sleep(60 * time.Millisecond)
			}
		}()
	}
	acked := func() int {
		n := 0
		for _, a := range agents {
			n += len(logValues(a.p.Output(), "inventory acknowledged", "upload"))
		}
		return n
	}
	waitFor(t, "uploads to flow", 30*time.Second, func() bool { return acked() >= 15 })
	c.p.kill() // SIGKILL in the middle of uploads
	time.Sleep(time.Second)
	c.start() // same data directory, same port, same reset key
	waitFor(t, "uploads to flow again", 60*time.Second, func() bool { return acked() >= 45 })
	cancel()
	wg.Wait()
	waitFor(t, "the spools to drain", 60*time.Second, func() bool {
		for _, a := range agents {
			if a.spooled() > 0 {
				return false
			}
		}
		return true
	})
	for _, a := range agents {
		a.p.stop()
	}
	c.p.stop()

	st, err := sqlite.Open(context.Background(), filepath.Join(c.data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, a := range agents {
		ackedIDs := logValues(a.p.Output(), "inventory acknowledged", "upload")
		id, err := identity.ParseAgentID(a.id)
		if err != nil {
			t.Fatal(err)
		}
		hist, err := st.InventoryHistory(context.Background(), id, 0)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]int{}
		for _, u := range hist {
			stored[u.UploadID]++
		}
		for _, up := range ackedIDs {
			if stored[up] == 0 {
				t.Errorf("agent %s: upload %s was acknowledged but is not stored", a.name, up)
			}
		}
		for up, n := range stored {
			if n > 1 {
				t.Errorf("agent %s: upload %s stored %d times", a.name, up, n)
			}
		}
		distinct := slices.Compact(slices.Sorted(slices.Values(ackedIDs)))
		if len(distinct) != len(stored) {
			t.Errorf("agent %s: %d distinct uploads acknowledged, %d stored", a.name, len(distinct), len(stored))
		}
		if last := hist[0].ContentHash; last != a.hash {
			t.Errorf("agent %s: latest stored content %s, want the last inventory %s", a.name, last, a.hash)
		}
		t.Logf("agent %s: %d uploads acknowledged (%d after a retry of a committed upload), all stored once",
			a.name, len(ackedIDs), strings.Count(a.p.Output(), "duplicate=true"))
	}
	for _, a := range agents { // how each agent noticed the crash, for the record
		for _, l := range strings.Split(a.p.Output(), "\n") {
			if strings.Contains(l, "retrying") {
				t.Logf("agent %s: %s", a.name, l)
				break
			}
		}
	}
}
