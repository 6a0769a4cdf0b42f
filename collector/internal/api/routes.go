package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/rules"
)

var (
	anyRole  = []store.Role{store.RoleAssessor, store.RoleApplicant, store.RoleViewer}
	readers  = []store.Role{store.RoleAssessor, store.RoleViewer}
	assessor = []store.Role{store.RoleAssessor}
	refusers = []store.Role{store.RoleAssessor, store.RoleApplicant}
)

// routes is the one table of API operations.
func (s *server) routes() []route {
	const a = "/api/v1/assessments/{id}"
	return append([]route{
		{method: "GET", path: "/api/v1/openapi.json", summary: "Get the OpenAPI document", stream: s.openAPI},
		{method: "GET", path: "/api/v1/whoami", summary: "Show the token's role and assessment", roles: anyRole, handle: s.whoami},
		{method: "GET", path: "/api/v1/assessments", summary: "List assessments", roles: anyRole, handle: s.list},
		{method: "POST", path: "/api/v1/assessments", summary: "Create an assessment", roles: assessor, status: http.StatusCreated,
			body: "application/json", bodyDoc: "{organisation, title?, id?, timezone?, holidays?, test_all_types?, snapshot}", handle: s.create},
		{method: "GET", path: a, summary: "Show an assessment", roles: anyRole, handle: s.show},
		{method: "GET", path: a + "/events", summary: "List the assessment's hash-chained events", roles: readers, handle: s.events},
		{method: "GET", path: a + "/devices", summary: "List the scope devices with their samples and status", roles: anyRole, handle: s.devices},
		{method: "POST", path: a + "/scope/csv", summary: "Import scope devices from CSV", roles: assessor,
			body: "text/csv", bodyDoc: "header line naming id,type,build[,hostname,machine_id,addresses], one device per line", handle: s.scopeCSV},
		{method: "POST", path: a + "/scope/agents", summary: "Add the assessment's enrolled agents to the scope", roles: assessor,
			body: "application/json", bodyDoc: "{type, agents?}", handle: s.scopeAgents},
		{method: "POST", path: a + "/freeze", summary: "Freeze the scope", roles: assessor, handle: s.freeze},
		{method: "GET", path: a + "/samples/{n}", summary: "Show a sample (commitment, then seed and devices)", roles: anyRole, handle: s.showSample},
		{method: "POST", path: a + "/samples/{n}/commit", summary: "Commit to a sample's seed", roles: assessor, handle: s.commit},
		{method: "POST", path: a + "/samples/{n}/draw", summary: "Draw a sample (reveal the committed seed)", roles: assessor, handle: s.draw},
		{method: "POST", path: a + "/samples/2/declare", summary: "Declare Sample 2 to the applicant", roles: assessor, handle: s.declare},
		{method: "POST", path: a + "/scans", summary: "Scan a sample's devices", roles: assessor, status: http.StatusAccepted,
			body: "application/json", bodyDoc: "{sample, devices?}", handle: s.startScan},
		{method: "GET", path: a + "/scans/{scan}", summary: "Show a scan's progress", roles: readers, handle: s.scanStatus},
		{method: "GET", path: a + "/scans/{scan}/events", summary: "Follow a scan's progress (server-sent events)", roles: readers, stream: s.scanEvents},
		{method: "POST", path: a + "/results", summary: "Import test results of devices without an agent", roles: assessor,
			body: "application/json", bodyDoc: "{sample, tested_at?, devices: [{device, tested_at?, findings}]}", handle: s.importResults},
		{method: "GET", path: a + "/findings", summary: "List the latest test of each sampled device with its findings", roles: anyRole, handle: s.findings},
		{method: "POST", path: a + "/refuse", summary: "Refuse Sample 2", roles: refusers, body: "application/json", bodyDoc: "{reason?}", handle: s.refuse},
		{method: "POST", path: a + "/decisions", summary: "Record an assessor decision", roles: assessor,
			body: "application/json", bodyDoc: "{question, decision}", handle: s.decide},
		{method: "GET", path: a + "/verdict", summary: "Compute the verdict from the stored history", roles: anyRole, handle: s.verdict},
		{method: "POST", path: a + "/verdict", summary: "Record the verdict in the history", roles: assessor, handle: s.recordVerdict},
		{method: "GET", path: a + "/verify", summary: "Verify the hash chain and the draws", roles: readers, handle: s.verify},
		{method: "GET", path: a + "/case", summary: "Export the rules contract v1 case", roles: readers, handle: s.exportCase},
	}, append(s.registerRoutes(), s.discoveryRoutes()...)...) // the vulnerability-handling register (register.go), network discovery (discovery.go)
}

func (s *server) whoami(_ *http.Request, who principal) (any, error) {
	return map[string]string{"role": string(who.Role), "assessment": who.Assessment}, nil
}

// AssessmentSummary is one entry of GET /assessments.
type AssessmentSummary struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Organisation string    `json:"organisation"`
	CreatedAt    time.Time `json:"created_at"`
}

func (s *server) list(r *http.Request, who principal) (any, error) {
	hs, err := s.svc.List(r.Context())
	if err != nil {
		return nil, err
	}
	out := []AssessmentSummary{}
	for _, h := range hs {
		if who.Assessment == "" || who.Assessment == h.ID {
			out = append(out, AssessmentSummary{ID: h.ID, Title: h.Title, Organisation: h.Organisation, CreatedAt: h.CreatedAt})
		}
	}
	return out, nil
}

func (s *server) create(r *http.Request, who principal) (any, error) {
	var req assess.CreateRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if who.Assessment != "" {
		return nil, errorf(http.StatusForbidden, "other_assessment", "this token is bound to assessment %s: creating assessments needs an unbound assessor token", who.Assessment)
	}
	st, err := s.svc.Create(r.Context(), req)
	if err != nil {
		return nil, err
	}
	return assessmentView(st, who), nil
}

func (s *server) show(r *http.Request, who principal) (any, error) {
	st, err := s.svc.Load(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return assessmentView(st, who), nil
}

// EventView is one stored event.
type EventView struct {
	Seq      int64     `json:"seq"`
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
	Payload  any       `json:"payload"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

func (s *server) events(r *http.Request, _ principal) (any, error) {
	id := r.PathValue("id")
	if _, err := s.svc.Load(r.Context(), id); err != nil {
		return nil, err
	}
	after := int64(0)
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			return nil, errorf(http.StatusBadRequest, "invalid_query", "after=%q: want an event seq (0 or more)", a)
		}
		after = n
	}
	evs, err := s.store.ListEvents(r.Context(), id, after)
	if err != nil {
		return nil, err
	}
	out := make([]EventView, len(evs))
	for i, e := range evs {
		out[i] = EventView{Seq: e.Seq, Kind: e.Kind, At: e.At, Payload: rawJSON(e.Payload), PrevHash: e.PrevHash, Hash: e.Hash}
	}
	return out, nil
}

func (s *server) devices(r *http.Request, who principal) (any, error) {
	st, err := s.svc.Load(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	cal, err := st.Settings.Calendar()
	if err != nil {
		return nil, err
	}
	status := map[string]map[string]rules.DeviceStatus{}
	for _, t := range latestTests(st, who, cal) {
		if status[t.Device] == nil {
			status[t.Device] = map[string]rules.DeviceStatus{}
		}
		status[t.Device][strconv.Itoa(t.Sample)] = rules.DeviceStatus(t.Status)
	}
	out := make([]DeviceView, 0, len(st.Scope))
	for _, d := range st.Scope {
		v := DeviceView{ScopeDevice: d, Samples: []int{}, Status: map[string]rules.DeviceStatus{}}
		for n := 1; n <= 2; n++ {
			if n == 2 && hideSample2(who, st) {
				continue
			}
			if st.Samples[n].Has(d.ID) {
				v.Samples = append(v.Samples, n)
				v.Status[strconv.Itoa(n)] = rules.StatusUntested
				if s, ok := status[d.ID][strconv.Itoa(n)]; ok {
					v.Status[strconv.Itoa(n)] = s
				}
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *server) scopeCSV(r *http.Request, _ principal) (any, error) {
	devs, err := assess.ParseScopeCSV(r.Body)
	if err != nil {
		return nil, err
	}
	return s.svc.ImportScope(r.Context(), r.PathValue("id"), devs)
}

func (s *server) scopeAgents(r *http.Request, _ principal) (any, error) {
	var req assess.AgentsRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return s.svc.AddAgents(r.Context(), r.PathValue("id"), req)
}

func (s *server) freeze(r *http.Request, who principal) (any, error) {
	st, err := s.svc.Freeze(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return assessmentView(st, who).Scope, nil
}

func sampleNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || (n != 1 && n != 2) {
		return 0, errorf(http.StatusBadRequest, "invalid_sample", "sample %q: want 1 or 2", r.PathValue("n"))
	}
	return n, nil
}

func (s *server) showSample(r *http.Request, who principal) (any, error) {
	n, err := sampleNumber(r)
	if err != nil {
		return nil, err
	}
	st, err := s.svc.Load(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if n == 2 && hideSample2(who, st) && st.Samples[2] != nil {
		return nil, errorf(http.StatusForbidden, "sample2_not_declared", "Sample 2 is shown to the applicant once the assessor declares it")
	}
	v, ok := sampleView(st, n, who)
	if !ok {
		return nil, errorf(http.StatusNotFound, "sample_not_drawn", "Sample %d of assessment %s is not committed or drawn yet", n, st.ID)
	}
	return v, nil
}

func (s *server) commit(r *http.Request, who principal) (any, error) {
	n, err := sampleNumber(r)
	if err != nil {
		return nil, err
	}
	if _, err := s.svc.Commit(r.Context(), r.PathValue("id"), n); err != nil {
		return nil, err
	}
	return s.showSample(r, who)
}

func (s *server) draw(r *http.Request, _ principal) (any, error) {
	n, err := sampleNumber(r)
	if err != nil {
		return nil, err
	}
	sm, err := s.svc.Draw(r.Context(), r.PathValue("id"), n)
	if err != nil {
		return nil, err
	}
	// A fresh draw: every device is untested; no second replay of the history is needed.
	at := sm.DrawnAt
	return SampleView{Sample: n, Algorithm: sample.Algorithm, Commitment: sm.Commitment, CommittedAt: sm.CommittedAt, Drawn: true,
		DrawnAt: &at, Seed: sm.Drawn.Seed, ScopeHash: sm.Drawn.ScopeHash, Devices: sm.Devices, Builds: sm.Drawn.Builds, Untested: sm.Devices}, nil
}

func (s *server) declare(r *http.Request, _ principal) (any, error) {
	d, err := s.svc.Declare(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return DeclarationView{At: d.At, Devices: d.Devices}, nil
}

func (s *server) startScan(r *http.Request, _ principal) (any, error) {
	var req assess.ScanRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return s.svc.StartScan(r.Context(), r.PathValue("id"), req)
}

func (s *server) scanStatus(r *http.Request, _ principal) (any, error) {
	return s.svc.ScanStatus(r.PathValue("id"), r.PathValue("scan"))
}

func (s *server) importResults(r *http.Request, _ principal) (any, error) {
	var req assess.ImportRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	devs, err := s.svc.ImportResults(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return nil, err
	}
	return map[string]any{"recorded": devs}, nil
}

func (s *server) findings(r *http.Request, who principal) (any, error) {
	st, err := s.svc.Load(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	cal, err := st.Settings.Calendar()
	if err != nil {
		return nil, err
	}
	return latestTests(st, who, cal), nil
}

func (s *server) refuse(r *http.Request, who principal) (any, error) {
	var req assess.RefuseRequest
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			return nil, err
		}
	}
	if err := s.svc.Refuse(r.Context(), r.PathValue("id"), string(who.Role), req); err != nil {
		return nil, err
	}
	return map[string]bool{"refused": true}, nil
}

func (s *server) decide(r *http.Request, _ principal) (any, error) {
	var req assess.DecideRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if err := s.svc.Decide(r.Context(), r.PathValue("id"), req); err != nil {
		return nil, err
	}
	return map[string]bool{"recorded": true}, nil
}

func (s *server) verdict(r *http.Request, who principal) (any, error) {
	st, err := s.svc.Load(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if hideSample2(who, st) && st.Samples[2] != nil {
		return nil, errorf(http.StatusForbidden, "sample2_not_declared", "the verdict names the Sample 2 devices: the applicant sees it once the assessor declares Sample 2")
	}
	return st.Verdict(s.now())
}

func (s *server) recordVerdict(r *http.Request, _ principal) (any, error) {
	return s.svc.RecordVerdict(r.Context(), r.PathValue("id"))
}

func (s *server) verify(r *http.Request, _ principal) (any, error) {
	return s.svc.Verify(r.Context(), r.PathValue("id"))
}

func (s *server) exportCase(r *http.Request, _ principal) (any, error) {
	now := s.now()
	if q := r.URL.Query().Get("now"); q != "" {
		t, err := time.Parse(time.RFC3339, q)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "invalid_query", "now=%q: want an RFC 3339 time such as 2026-06-01T12:00:00Z", q)
		}
		now = t
	}
	st, err := s.svc.Load(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return st.ExportCase(now)
}

// rawJSON passes stored JSON through unchanged.
type rawJSON []byte

func (j rawJSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}
