package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
)

// apiPath is the API path of an assessment, with more path elements appended.
func apiPath(id string, more ...string) string {
	p := "/api/v1/assessments/" + url.PathEscape(id)
	for _, m := range more {
		p += "/" + m
	}
	return p
}

func (s *server) assessmentList(w http.ResponseWriter, r *http.Request, q *request) error {
	var list []api.AssessmentSummary
	if err := q.api.JSON(r.Context(), "GET", "/api/v1/assessments", nil, &list); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "assessments", s.page(q, "Assessments", "assessments", list))
	return nil
}

// create creates an assessment from the form and opens it.
func (s *server) create(w http.ResponseWriter, r *http.Request, q *request) error {
	req := assess.CreateRequest{ID: strings.TrimSpace(r.PostFormValue("id")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Organisation: strings.TrimSpace(r.PostFormValue("organisation")), Timezone: strings.TrimSpace(r.PostFormValue("timezone")),
		Snapshot: strings.TrimSpace(r.PostFormValue("snapshot")), TestAllTypes: fields(r.PostFormValue("test_all_types"))}
	var v api.AssessmentView
	if err := q.api.JSON(r.Context(), "POST", "/api/v1/assessments", req, &v); err != nil {
		return err
	}
	s.redirect(w, r, q, "/ui/assessments/"+url.PathEscape(v.ID), flash{OK: true, Text: "Assessment " + v.ID + " created."})
	return nil
}

// fields splits a list typed as words separated by commas or spaces.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' || r == '\t' })
}

// assessmentPage is the assessment page's data.
type assessmentPage struct {
	A       api.AssessmentView
	Builds  []buildCount
	Devices []api.DeviceView
	// Hidden counts the scope devices in no sample that are not listed (?devices=all lists them).
	Hidden  int
	Tests   []testRow
	Verdict *assess.Verdict
	// VerdictError, EventsError and VerifyError are the API's refusals, shown in their sections.
	VerdictError string
	Events       []eventRow
	EventsError  string
	Verify       *assess.VerifyReport
	VerifyError  string
	Scans        []scanRef
	// Failures maps "sample/device" to the error of a scan failure no later test replaced.
	Failures map[string]string
	// Shown are the samples the token may see that are committed or drawn (the device table's
	// columns).
	Shown []int
	Act   actions
}

type buildCount struct {
	Build   string
	Devices int
}

// testRow is the latest test of a device in a sample, with its latest scan failure after it.
type testRow struct {
	api.TestView
	Failure string
	// Failing counts the findings that fail the device.
	Failing int
}

// eventRow is one stored event as the events route answers.
type eventRow struct {
	api.EventView
	Payload json.RawMessage `json:"payload"`
}

// Large says whether the payload is too big to show inline.
func (e eventRow) Large() bool { return len(e.Payload) > 8<<10 }

// scanRef is a scan recorded in the history.
type scanRef struct {
	Scan    string   `json:"scan"`
	Sample  int      `json:"sample"`
	Devices []string `json:"devices"`
	At      string   `json:"-"`
}

// actions are the assessor's (and applicant's) forms the page shows in the current state.
type actions struct {
	Freeze, Commit1, Draw1, Commit2, Draw2, Declare, Refuse bool
	// Samples are the samples that can be scanned or have results imported.
	Samples []int
}

// Failure returns the pending scan failure of a device in sample n, "" when none.
func (p *assessmentPage) Failure(n int, device string) string {
	return p.Failures[strconv.Itoa(n)+"/"+device]
}

// Untested counts the drawn samples' devices without a test.
func (p *assessmentPage) Untested() int {
	n := 0
	for _, sv := range p.A.Samples {
		n += len(sv.Untested)
	}
	return n
}

// Any says whether the assessor has a step to take on sample n.
func (a actions) Any(n int) bool {
	if n == 1 {
		return a.Commit1 || a.Draw1
	}
	return a.Commit2 || a.Draw2 || a.Declare
}

// Sample returns sample n of the page's assessment, or nil.
func (p *assessmentPage) Sample(n int) *api.SampleView {
	for i := range p.A.Samples {
		if p.A.Samples[i].Sample == n {
			return &p.A.Samples[i]
		}
	}
	return nil
}

// maxUnsampled is how many devices in no sample the page lists unless asked for all.
const maxUnsampled = 200

func (s *server) assessment(w http.ResponseWriter, r *http.Request, q *request) error {
	id := r.PathValue("id")
	ctx := r.Context()
	p := &assessmentPage{}
	if err := q.api.JSON(ctx, "GET", apiPath(id), nil, &p.A); err != nil {
		return err
	}
	for b, n := range p.A.Scope.Builds {
		p.Builds = append(p.Builds, buildCount{b, n})
	}
	sort.Slice(p.Builds, func(i, j int) bool { return p.Builds[i].Build < p.Builds[j].Build })
	var devs []api.DeviceView
	if err := q.api.JSON(ctx, "GET", apiPath(id, "devices"), nil, &devs); err != nil {
		return err
	}
	all := r.URL.Query().Get("devices") == "all"
	for _, d := range devs {
		if len(d.Samples) > 0 {
			p.Devices = append(p.Devices, d)
		}
	}
	for _, d := range devs {
		if len(d.Samples) == 0 {
			if !all && len(p.Devices) >= maxUnsampled {
				p.Hidden++
				continue
			}
			p.Devices = append(p.Devices, d)
		}
	}
	var tests []api.TestView
	if err := q.api.JSON(ctx, "GET", apiPath(id, "findings"), nil, &tests); err != nil {
		return err
	}
	var v assess.Verdict
	if err := q.api.JSON(ctx, "GET", apiPath(id, "verdict"), nil, &v); err != nil {
		if p.VerdictError, err = refusal(err); err != nil {
			return err
		}
	} else {
		p.Verdict = &v
	}
	failures := map[string]string{}
	if q.who.Reader() {
		var evs []eventRow
		if err := q.api.JSON(ctx, "GET", apiPath(id, "events"), nil, &evs); err != nil {
			if p.EventsError, err = refusal(err); err != nil {
				return err
			}
		}
		p.Events = evs
		p.Scans, failures = scansAndFailures(evs)
		var vr assess.VerifyReport
		if err := q.api.JSON(ctx, "GET", apiPath(id, "verify"), nil, &vr); err != nil {
			if p.VerifyError, err = refusal(err); err != nil {
				return err
			}
		} else {
			p.Verify = &vr
		}
	}
	for _, t := range tests {
		row := testRow{TestView: t, Failure: failures[strconv.Itoa(t.Sample)+"/"+t.Device]}
		for _, f := range t.Findings {
			if f.Class.Fails() {
				row.Failing++
			}
		}
		p.Tests = append(p.Tests, row)
	}
	p.Failures = failures
	for _, sv := range p.A.Samples {
		p.Shown = append(p.Shown, sv.Sample)
	}
	p.Act = actionsFor(q.who, p)
	title := p.A.Settings.Title
	if title == "" {
		title = p.A.ID
	}
	s.render(w, r, http.StatusOK, "assessment", s.page(q, title, "assessments", p))
	return nil
}

// refusal turns an API refusal (4xx) into the message shown in a page's section; other errors
// are returned.
func refusal(err error) (string, error) {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 {
		return ae.Message, nil
	}
	return "", err
}

// scansAndFailures lists the scans of the history and, per sample and device, the error of a
// scan failure that no later test replaced.
func scansAndFailures(evs []eventRow) ([]scanRef, map[string]string) {
	var scans []scanRef
	failures := map[string]string{}
	for _, e := range evs {
		switch e.Kind {
		case assess.KindScanStarted:
			var sr scanRef
			if json.Unmarshal(e.Payload, &sr) == nil && sr.Scan != "" {
				sr.At = when(e.At)
				scans = append(scans, sr)
			}
		case assess.KindScanFailed, assess.KindTested:
			var f struct {
				Sample int    `json:"sample"`
				Device string `json:"device"`
				Error  string `json:"error"`
			}
			if json.Unmarshal(e.Payload, &f) == nil {
				failures[strconv.Itoa(f.Sample)+"/"+f.Device] = f.Error
			}
		}
	}
	return scans, failures
}

// actionsFor decides which forms to show; the API decides what is allowed.
func actionsFor(me who, p *assessmentPage) actions {
	var a actions
	s1, s2 := p.Sample(1), p.Sample(2)
	declared := p.A.Declared != nil
	a.Refuse = (me.Assessor() || me.Applicant()) && p.A.Refused == nil && s1 != nil && s1.Drawn
	if !me.Assessor() {
		return a
	}
	frozen := p.A.Scope.Frozen != nil
	a.Freeze = s1 == nil
	a.Commit1 = frozen && s1 == nil
	a.Draw1 = frozen && (s1 == nil || !s1.Drawn)
	a.Commit2 = s1 != nil && s1.Drawn && s2 == nil
	a.Draw2 = s1 != nil && s1.Drawn && (s2 == nil || !s2.Drawn)
	a.Declare = s2 != nil && s2.Drawn && !declared
	if s1 != nil && s1.Drawn {
		a.Samples = append(a.Samples, 1)
	}
	if s2 != nil && s2.Drawn && declared {
		a.Samples = append(a.Samples, 2)
	}
	return a
}
