package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/match"
	"github.com/ceplus/ceplus/shared/rules"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/go-cmp/cmp"
)

// fakeAgents stands in for serve: Scan stores a fresh inventory of the agent's host, as an
// agent answering "scan now" would, and returns its content hash. Agents in down are not
// connected.
type fakeAgents struct {
	st    store.Store
	now   func() time.Time
	hosts map[identity.AgentID]string
	down  map[identity.AgentID]bool
	mu    sync.Mutex
	n     int
}

func (f *fakeAgents) Scan(ctx context.Context, id identity.AgentID) (string, error) {
	if f.down[id] {
		return "", errors.New("agent is not connected")
	}
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()
	inv := inventory.Inventory{Schema: inventory.SchemaVersion, CollectedAt: f.now(),
		Device:   inventory.Device{Hostname: f.hosts[id], OSFamily: "debian", OSVersion: "12", Build: "Debian 12"},
		Packages: []inventory.Package{{Name: "openssl", Version: versions[f.hosts[id]], Ecosystem: "Debian:12"}}, PendingUpdates: []inventory.PendingUpdate{}, Sources: []inventory.SourceStatus{}}
	body, err := json.Marshal(&inv)
	if err != nil {
		return "", err
	}
	u := store.Upload{AgentID: id, UploadID: fmt.Sprintf("up-%d", n), CollectedAt: f.now(), Hostname: f.hosts[id],
		Document: store.Document{ContentHash: inv.ContentHash(), Body: body, Build: "Debian 12"}}
	if _, err := f.st.PutInventory(ctx, u, f.now()); err != nil {
		return "", err
	}
	return u.ContentHash, nil
}

// versions gives deb-1 a vulnerable openssl.
var versions = map[string]string{"deb-1": "3.0.1", "deb-2": "3.0.2"}

// fakeMatchers finds one critical vulnerability with an old fix in openssl 3.0.1.
type fakeMatchers struct{}

func (fakeMatchers) Resolve(_ context.Context, ref string) (string, error) {
	if !strings.HasPrefix(snapshotHash, ref) {
		return "", errors.New("not imported")
	}
	return snapshotHash, nil
}

func (fakeMatchers) Matcher(context.Context, string) (assess.Matcher, error) {
	return fakeMatcher{}, nil
}

type fakeMatcher struct{}

func (fakeMatcher) Match(_ context.Context, inv *inventory.Inventory, now time.Time) (*match.Result, error) {
	r := &match.Result{Snapshot: snapshotHash, Inventory: inv.ContentHash()}
	if inv.Packages[0].Version == "3.0.1" {
		score := vulndb.CVSS3{Score: 9.8}
		r.Findings = []match.Finding{{Kind: match.KindAdvisory, IDs: []string{"CVE-2026-5000", "DSA-5000-1"}, Package: "openssl",
			Installed: "3.0.1", Fixed: "3.0.2", Severity: match.Severity{CVSS3: &score},
			FixDate: now.AddDate(0, 0, -40).Format(time.DateOnly), Class: match.ClassFail}}
	}
	return r, nil
}

func putAgent(t *testing.T, e *env, host, machineID, assessment string) identity.AgentID {
	t.Helper()
	der := []byte("certificate of " + host)
	a := store.Agent{ID: identity.AgentIDFromCert(der), CertDER: der, Hostname: host, MachineID: machineID, Build: "Debian 12",
		EnrolledAt: e.clock.Now(), AssessmentID: assessment}
	if err := e.store.PutAgent(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func TestScanWithAgents(t *testing.T) {
	for _, b := range assesstest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			agents := &fakeAgents{hosts: map[identity.AgentID]string{}, down: map[identity.AgentID]bool{}}
			e := newEnv(t, b, Deps{Scanner: agents, Matchers: fakeMatchers{}})
			agents.st, agents.now = e.store, e.clock.Now
			const a = "/api/v1/assessments/asm-s"
			e.do(e.assessor, "POST", "/api/v1/assessments", assess.CreateRequest{ID: "asm-s", Organisation: "Example Ltd", TestAllTypes: []string{"server"}, Snapshot: snapshotHash[:12]}, nil)
			_, err := e.assessor.Raw(e.ctx, "POST", a+"/scope/csv", strings.NewReader(
				"id,type,build,hostname,machine_id\ndeb-1,desktop,Debian 12,,m-1\ndeb-2,desktop,Debian 12,DEB-2,\nmac-1,laptop,macOS 14,mac-1,\n"), "text/csv")
			if err != nil {
				t.Fatal(err)
			}
			for host, mid := range map[string]string{"deb-1": "m-1", "deb-2": "", "deb-9": ""} {
				id := putAgent(t, e, host, mid, "asm-s")
				agents.hosts[id] = host
				if host == "deb-9" {
					agents.down[id] = true
				}
			}
			putAgent(t, e, "elsewhere", "", "asm-other")
			var ch assess.ScopeChange
			e.do(e.assessor, "POST", a+"/scope/agents", assess.AgentsRequest{Type: "server"}, &ch)
			if diff := cmp.Diff([]string{"deb-9"}, ch.Added); diff != "" {
				t.Errorf("added (-want +got):\n%s", diff)
			}
			var by []string
			for _, l := range ch.Linked {
				by = append(by, l.Device+" by "+l.By)
			}
			if diff := cmp.Diff([]string{"deb-1 by machine_id", "deb-2 by hostname"}, by); diff != "" {
				t.Errorf("linked (-want +got):\n%s", diff)
			}
			e.do(e.assessor, "POST", a+"/freeze", nil, nil)
			s1 := e.draw("asm-s", 1)
			if diff := cmp.Diff([]string{"deb-1", "deb-2", "deb-9", "mac-1"}, s1); diff != "" {
				t.Fatalf("Sample 1 (-want +got):\n%s", diff)
			}
			var started assess.ScanStatus
			e.do(e.assessor, "POST", a+"/scans", assess.ScanRequest{Sample: 1}, &started)
			states := map[string][]string{}
			var final assess.ScanStatus
			err = e.viewer.Events(e.ctx, a+"/scans/"+started.Scan+"/events", func(event string, data []byte) error {
				switch event {
				case "progress":
					var p assess.Progress
					if err := json.Unmarshal(data, &p); err != nil {
						return err
					}
					states[p.Device] = append(states[p.Device], p.State)
				case "done":
					return json.Unmarshal(data, &final)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("follow scan events: %v", err)
			}
			want := map[string][]string{
				"deb-1": {"queued", "running", "uploaded", "matched"},
				"deb-2": {"queued", "running", "uploaded", "matched"},
				"deb-9": {"queued", "running", "failed"},
				"mac-1": {"queued", "failed"},
			}
			if diff := cmp.Diff(want, states); diff != "" {
				t.Errorf("progress states (-want +got):\n%s", diff)
			}
			if !final.Done || final.Counts["matched"] != 2 || final.Counts["failed"] != 2 {
				t.Errorf("final status %+v, want done with 2 matched and 2 failed", final)
			}
			var f []TestView
			e.do(e.viewer, "GET", a+"/findings", nil, &f)
			got := map[string]string{}
			for _, tv := range f {
				got[tv.Device] = tv.Source + " " + tv.Status
			}
			if diff := cmp.Diff(map[string]string{"deb-1": "agent fail", "deb-2": "agent pass"}, got); diff != "" {
				t.Errorf("tests (-want +got):\n%s", diff)
			}
			// The devices the scan could not test get their results imported.
			e.clock.Advance(time.Hour)
			e.results("asm-s", 1, []string{"deb-9", "mac-1"}, nil)
			v := e.wantVerdict("asm-s", rules.OutcomeRemediation, rules.CertificateValid)
			if v.Devices["deb-1"].Status != rules.StatusFail {
				t.Errorf("deb-1 = %+v, want fail", v.Devices["deb-1"])
			}
		})
	}
}
