package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/identity"
)

const secretMeans = "oversized ClientHello to port 4433"

// scene is asm-a with Sample 1 tested (one device failing) and Sample 2 drawn but not
// declared; asm-b frozen; two agents; one register record with its means of exploitation.
type scene struct {
	s1, s2 api.SampleView
	frozen string
	bad    string
}

func (e *env) scene() scene {
	e.t.Helper()
	var sc scene
	e.setup("asm-a")
	e.setup("asm-b")
	sc.s1 = e.draw("asm-a", 1)
	sc.bad = sc.s1.Devices[0]
	e.clock.Advance(time.Hour)
	e.test("asm-a", 1, sc.s1.Devices, sc.bad)
	e.clock.Advance(24 * time.Hour)
	sc.s2 = e.draw("asm-a", 2)
	var v api.AssessmentView
	e.do("GET", "/api/v1/assessments/asm-a", nil, &v)
	sc.frozen = v.Scope.Frozen.ScopeHash
	for i, host := range []string{"agent-host-a", "agent-host-free"} {
		asm := ""
		if i == 0 {
			asm = "asm-a"
		}
		cert := []byte("test certificate " + host)
		if err := e.store.PutAgent(e.ctx, store.Agent{ID: identity.AgentIDFromCert(cert), CertDER: cert, Hostname: host, Build: "Debian 12",
			OSFamily: "debian", OSVersion: "12", EnrolledAt: t0, AssessmentID: asm}); err != nil {
			e.t.Fatal(err)
		}
	}
	rec := register.NewRecord{ID: "vr-web-1", Product: "SecureBox", Version: "2.1", CertificateID: "EUCC-DE-2025-0042",
		Scheme: register.SchemeEUCC, AVAVAN: 4, Source: "researcher", Summary: "TLS parser overflow", Received: t0, ExploitationDetails: secretMeans}
	e.do("POST", "/api/v1/register", api.RegisterCreateRequest{Who: "psirt-alice", Record: rec}, nil)
	confirmed := calendar.Date{Year: 2026, Month: 3, Day: 3}
	ap, days := 22, 150
	for _, c := range []register.Change{
		{Kind: register.ChangeAnalyse, Who: "psirt-alice", Confirmed: &confirmed},
		{Kind: register.ChangeEUCC, Who: "psirt-alice", AttackPotential: &ap},
		{Kind: register.ChangeEUCC, Who: "psirt-bob", MutualAgreementDays: &days},
	} {
		e.do("POST", "/api/v1/register/vr-web-1/changes", c, nil)
	}
	return sc
}

// actionForms matches the assessment forms that change something (logout is not one).
const actionForms = `method="post" action="/ui/assessments`

func TestPagesByRole(t *testing.T) {
	e := newEnv(t)
	sc := e.scene()
	type check struct {
		path        string
		status      int
		want, avoid []string
	}
	s1, s2 := sc.s1, sc.s2
	finding := []string{"CVE-2026-1000, DSA-2026-1000", "openssl", "3.0.1 → 3.0.2", "CVSS 9.8", `<span class="badge fail">fail</span>`}
	common := append([]string{"Example Ltd", "Review of asm-a", snapshotHash, sc.frozen, s1.Commitment, s1.Seed, "Sample 1 per build"}, finding...)
	roles := []struct {
		role       store.Role
		assessment string
		checks     []check
	}{
		{store.RoleAssessor, "", []check{
			{"/ui/", 200, []string{"asm-a", "asm-b", "Create an assessment"}, nil},
			{"/ui/assessments/asm-a", 200, append(common, s2.Seed, s2.Commitment, "Declare Sample 2 to the applicant", "Scan Sample 1 now",
				"Record a decision", "Chain verified.", "sample_drawn", `<th scope="col">Sample 2</th>`), []string{"Draw Sample 1"}},
			{"/ui/agents", 200, []string{"agent-host-a", "agent-host-free", "Debian 12"}, nil},
			{"/ui/register", 200, []string{"vr-web-1", "SecureBox 2.1", "impact_analysis"}, nil},
			{"/ui/register/vr-web-1", 200, []string{"EUCC-DE-2025-0042", secretMeans, "mutual agreement 150 days", "audience=holder", "psirt-bob"}, nil},
			{"/ui/register/due?within=200d", 200, []string{"vr-web-1", "impact_analysis", "2026-07-31"}, nil},
		}},
		{store.RoleViewer, "", []check{
			{"/ui/", 200, []string{"asm-a", "asm-b"}, []string{"Create an assessment", `action="/ui/assessments"`}},
			{"/ui/assessments/asm-a", 200, append(common, s2.Seed, "Chain verified.", "sample_drawn"), []string{actionForms, "Record a decision", "Refuse Sample 2"}},
			{"/ui/agents", 200, []string{"agent-host-a", "agent-host-free"}, nil},
			{"/ui/register", 200, []string{"vr-web-1"}, []string{secretMeans}},
			{"/ui/register/vr-web-1", 200, []string{"EUCC-DE-2025-0042", "audience=community", "audience=public"}, []string{secretMeans, "audience=holder", "audience=certification_body"}},
			{"/ui/register/due?within=200d", 200, []string{"vr-web-1"}, nil},
		}},
		{store.RoleApplicant, "asm-a", []check{
			{"/ui/", 200, []string{"asm-a"}, []string{"asm-b", "Create an assessment"}},
			{"/ui/assessments/asm-a", 200, append(common, "Sample 2 is shown here once the assessor declares it", "Refuse Sample 2",
				"the applicant sees it once the assessor declares Sample 2"),
				[]string{s2.Seed, s2.Commitment, "Sample 2 per build", `<th scope="col">Sample 2</th>`, "Chain verified", "sample_drawn", "Draw Sample", "Declare Sample 2", "Scan Sample",
					"last hash"}},
			{"/ui/assessments/asm-b", 403, []string{"bound to assessment asm-a", "other_assessment"}, []string{"Review of asm-b"}},
			{"/ui/agents", 403, []string{"cannot list agents"}, []string{"agent-host"}},
			{"/ui/register", 403, []string{"use an unbound token"}, []string{"vr-web-1"}},
			{"/ui/register/vr-web-1", 403, []string{"use an unbound token"}, []string{secretMeans}},
		}},
		{store.RoleAssessor, "asm-a", []check{
			{"/ui/", 200, []string{"asm-a"}, []string{"asm-b", "Create an assessment"}},
			{"/ui/agents", 200, []string{"agent-host-a"}, []string{"agent-host-free"}},
			{"/ui/register", 403, []string{"use an unbound token"}, []string{"vr-web-1"}},
		}},
	}
	for _, r := range roles {
		t.Run(string(r.role)+"/"+r.assessment, func(t *testing.T) {
			b := e.as(r.role, r.assessment)
			for _, c := range r.checks {
				must(t, c.path, b.get(c.path), c.status, c.want, c.avoid)
			}
		})
	}
}

func TestApplicantSeesSample2OnceDeclared(t *testing.T) {
	e := newEnv(t)
	sc := e.scene()
	applicant := e.as(store.RoleApplicant, "asm-a")
	hidden := []string{sc.s2.Seed, sc.s2.Commitment, "Sample 2 per build"}
	must(t, "before the declaration", applicant.get("/ui/assessments/asm-a"), 200, nil, hidden)
	// Sample 2's devices that are in no other sample must not be marked as sampled.
	for _, d := range sc.s2.Devices {
		if p := applicant.get("/ui/assessments/asm-a"); strings.Contains(p.body, `t-2-`+d) {
			t.Errorf("the applicant sees a Sample 2 test of %s", d)
		}
	}
	assessor := e.as(store.RoleAssessor, "")
	p := assessor.action("asm-a", "declare", nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("declare = %d\n%s", p.status, p.body)
	}
	must(t, "assessor after declaring", assessor.get(p.location), 200, []string{fmt.Sprintf("Sample 2 declared to the applicant: %d devices.", len(sc.s2.Devices))}, nil)
	must(t, "after the declaration", applicant.get("/ui/assessments/asm-a"), 200, append(hidden, `<th scope="col">Sample 2</th>`), []string{"once the assessor declares it"})
}

func TestViewerCannotAct(t *testing.T) {
	e := newEnv(t)
	e.scene()
	viewer := e.as(store.RoleViewer, "")
	var before api.AssessmentView
	e.do("GET", "/api/v1/assessments/asm-a", nil, &before)
	for _, action := range []string{"freeze", "commit", "draw", "declare", "scan", "decide", "verdict", "refuse", "scope-csv", "scope-agents", "results"} {
		t.Run(action, func(t *testing.T) {
			form := url.Values{"sample": {"2"}, "question": {"q"}, "decision": {"d"}, "csv": {"id,type,build\nx,laptop,b\n"}, "type": {"laptop"}, "results": {`{"sample":1,"devices":[]}`}}
			must(t, action, viewer.action("asm-a", action, form), http.StatusForbidden, []string{"a viewer token cannot", "forbidden_role"}, nil)
		})
	}
	var after api.AssessmentView
	e.do("GET", "/api/v1/assessments/asm-a", nil, &after)
	if after.Events != before.Events {
		t.Errorf("the viewer's refused POSTs changed the history: %d events, then %d", before.Events, after.Events)
	}
	must(t, "create", viewer.post("/ui/assessments", url.Values{"csrf": {viewer.field(csrfField)}, "organisation": {"x"}, "snapshot": {snapshotHash}}),
		http.StatusForbidden, []string{"forbidden_role"}, nil)
}

func TestActionErrorsShowTheAPIMessage(t *testing.T) {
	e := newEnv(t)
	e.setup("asm-a")
	b := e.as(store.RoleAssessor, "")
	must(t, "declare before drawing", b.action("asm-a", "declare", nil), http.StatusConflict, []string{"Not possible now", "Go back"}, nil)
	must(t, "bad CSV", b.action("asm-a", "scope-csv", url.Values{"csv": {"id,type\npc-x,laptop\n"}}), http.StatusBadRequest, []string{"build"}, nil)
	must(t, "unknown action", b.action("asm-a", "explode", nil), http.StatusNotFound, []string{"not an action"}, nil)
	must(t, "unknown assessment", b.get("/ui/assessments/asm-zz"), http.StatusNotFound, []string{"asm-zz"}, nil)
	p := b.action("asm-a", "draw", url.Values{"sample": {"1"}})
	must(t, "draw", b.get(p.location), 200, []string{"Sample 1 drawn:", "seed"}, []string{"Draw Sample 1"})
}

func TestExports(t *testing.T) {
	e := newEnv(t)
	e.scene()
	viewer, assessor := e.as(store.RoleViewer, ""), e.as(store.RoleAssessor, "")
	must(t, "viewer, holder", viewer.get("/ui/register/vr-web-1/export?format=html&audience=holder"), http.StatusForbidden, []string{"cannot export for the limited distribution"}, []string{secretMeans})
	must(t, "viewer, product, national authority", viewer.get("/ui/register/export?product=SecureBox&format=json&audience=national_authority"), http.StatusForbidden, nil, []string{secretMeans})
	must(t, "viewer, community", viewer.get("/ui/register/vr-web-1/export?format=html&audience=community"), 200, []string{"<!DOCTYPE html>", "TLP:"}, []string{secretMeans})
	must(t, "assessor, holder", assessor.get("/ui/register/vr-web-1/export?format=json&audience=holder"), 200, []string{secretMeans}, nil)
	must(t, "assessor, product", assessor.get("/ui/register/export?product=SecureBox&format=html&audience=public"), 200, []string{"SecureBox"}, []string{secretMeans})
	must(t, "product links", assessor.get("/ui/register?product=SecureBox"), 200, []string{"/ui/register/export?audience=holder&amp;format=json&amp;product=SecureBox"}, nil)
}

func TestScanProgress(t *testing.T) {
	e := newEnv(t)
	sc := e.scene()
	b := e.as(store.RoleAssessor, "")
	p := b.action("asm-a", "scan", url.Values{"sample": {"1"}})
	if p.status != http.StatusSeeOther || !strings.Contains(p.location, "/ui/assessments/asm-a/scans/scan-") {
		t.Fatalf("scan = %d %s\n%s", p.status, p.location, p.body)
	}
	scanPage := p.location
	ev := b.get(scanPage + "/events")
	if ev.status != 200 || !strings.HasPrefix(ev.header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events = %d %s\n%s", ev.status, ev.header.Get("Content-Type"), ev.body)
	}
	for _, d := range sc.s1.Devices {
		if !strings.Contains(ev.body, `"device":"`+d+`","state":"failed"`) {
			t.Errorf("the event stream has no failure of %s (it has no agent):\n%s", d, ev.body)
		}
	}
	if !strings.Contains(ev.body, "event: done") {
		t.Errorf("the event stream did not end with done:\n%s", ev.body)
	}
	want := []string{"Scan of Sample 1", "/ui/static/progress.js", `data-events="` + scanPage + `/events"`, "The scan has finished."}
	for _, d := range sc.s1.Devices {
		want = append(want, `<tr data-device="`+d+`">`)
	}
	must(t, "scan page", b.get(scanPage), 200, append(want, `<strong data-count="failed">`+fmt.Sprint(len(sc.s1.Devices))+`</strong>`), nil)
	must(t, "viewer", e.as(store.RoleViewer, "").get(scanPage), 200, want, nil)
	must(t, "applicant", e.as(store.RoleApplicant, "asm-a").get(scanPage), 403, []string{"forbidden_role"}, []string{"data-device"})
	must(t, "applicant events", e.as(store.RoleApplicant, "asm-a").get(scanPage+"/events"), 403, []string{"forbidden_role"}, []string{"event: progress"})
	must(t, "assessment lists the scan", b.get("/ui/assessments/asm-a"), 200, []string{strings.TrimPrefix(scanPage, "/ui/assessments/asm-a/scans/"), "scan failed: device ", "has no agent"}, nil)
	must(t, "unknown scan", b.get("/ui/assessments/asm-a/scans/scan-0000"), 404, []string{"not running on this collector"}, nil)
}
