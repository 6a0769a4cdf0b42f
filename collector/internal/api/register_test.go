package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
	"github.com/google/go-cmp/cmp"
)

func newRecord() register.NewRecord {
	return register.NewRecord{ID: "vr-api-1", Product: "SecureBox", Version: "2.1", CertificateID: "EUCC-DE-2025-0042",
		Scheme: register.SchemeEUCC, AVAVAN: 4, Source: "researcher", Summary: "TLS parser overflow",
		Received: t0, ExploitationDetails: "oversized ClientHello to port 4433"}
}

// TestRegisterAPI walks a record through the API and checks the roles, the deadlines against
// `rules evaluate` on the exported case, the redaction and the retention refusal.
func TestRegisterAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		applicant := e.client(store.RoleApplicant, "")
		const rec = "/api/v1/register/vr-api-1"
		e.refused(e.viewer, "POST", "/api/v1/register", RegisterCreateRequest{Who: "v", Record: newRecord()}, http.StatusForbidden, "forbidden_role")
		e.do(applicant, "POST", "/api/v1/register", RegisterCreateRequest{Who: "psirt-alice", Record: newRecord()}, nil)
		e.refused(e.assessor, "POST", "/api/v1/register", RegisterCreateRequest{Who: "a", Record: newRecord()}, http.StatusConflict, "exists")
		bad := newRecord()
		bad.ID, bad.AVAVAN = "vr-bad", 7
		e.refused(applicant, "POST", "/api/v1/register", RegisterCreateRequest{Who: "a", Record: bad}, http.StatusBadRequest, "invalid_register_input")

		steps := []register.Change{
			{Kind: register.ChangeAnalyse, Who: "psirt-alice", Confirmed: ptrDate("2026-03-03")},
			{Kind: register.ChangeEUCC, Who: "psirt-alice", AttackPotential: ptrInt(22)}, // VAN.4, band High: mutual agreement
			{Kind: register.ChangeEUCC, Who: "psirt-bob", MutualAgreementDays: ptrInt(150)},
		}
		for _, c := range steps {
			e.refused(e.viewer, "POST", rec+"/changes", c, http.StatusForbidden, "forbidden_role")
			e.do(applicant, "POST", rec+"/changes", c, nil)
			e.clock.Advance(time.Hour)
		}
		e.refused(applicant, "POST", rec+"/changes", register.Change{Kind: register.ChangeExtensionAnswer, Who: "x", Extension: 3}, http.StatusBadRequest, "invalid_register_input")
		e.refused(applicant, "POST", rec+"/changes", register.Change{Kind: register.ChangeReport, Who: "x", DeadlinesAfter: &register.Deadlines{}}, http.StatusBadRequest, "invalid_register_input")

		var full register.Record
		e.do(applicant, "GET", rec, nil, &full)
		if full.ExploitationDetails == "" {
			t.Fatal("the record's own PSIRT cannot read its exploitation details")
		}
		var got register.Record
		e.do(e.viewer, "GET", rec, nil, &got)
		if got.ExploitationDetails != "" {
			t.Fatalf("a viewer read the exploitation details %q", got.ExploitationDetails)
		}
		var listed []register.Record
		e.do(e.viewer, "GET", "/api/v1/register", nil, &listed)
		for _, l := range listed {
			if l.ExploitationDetails != "" {
				t.Fatalf("a viewer's list shows the exploitation details of %s", l.ID)
			}
		}
		if d := got.Deadlines.EUCC; d == nil || d.DeadlineKind != rules.DeadlineMutualAgreement || d.Deadline == nil || d.Deadline.String() != "2026-07-31" {
			t.Fatalf("deadline via the API = %+v, want mutual agreement 2026-07-31", d)
		}
		var cases map[string]json.RawMessage
		e.do(e.viewer, "GET", rec+"/case", nil, &cases)
		c, err := rules.DecodeCase(strings.NewReader(string(cases["eucc"])))
		if err != nil {
			t.Fatalf("exported case: %v\n%s", err, cases["eucc"])
		}
		ans, err := rules.Evaluate(c)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(ans)
		have, _ := json.Marshal(got.Deadlines.EUCC)
		if diff := cmp.Diff(string(want), string(have)); diff != "" {
			t.Errorf("API deadlines differ from rules evaluate on the exported case (-engine +api):\n%s", diff)
		}

		var due RegisterDue
		e.do(e.viewer, "GET", "/api/v1/register/due?within=200d", nil, &due)
		if len(due.Items) != 1 || due.Items[0].Kind != register.KindImpactAnalysis {
			t.Errorf("due within 200 days = %+v, want the impact analysis", due.Items)
		}
		e.refused(e.viewer, "GET", "/api/v1/register/due?within=soon", nil, http.StatusBadRequest, "invalid_register_input")

		for _, tt := range []struct {
			name, query string
			secret      bool
		}{
			{"certification body HTML", "?format=html&audience=certification_body", true},
			{"community HTML", "?format=html&audience=community", false},
			{"TLP:GREEN JSON", "?format=json&audience=holder&tlp=GREEN", false},
			{"holder JSON", "?format=json&audience=holder", true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				raw, err := e.assessor.Raw(e.ctx, "GET", rec+"/export"+tt.query, nil, "")
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Contains(string(raw), "oversized ClientHello"); got != tt.secret {
					t.Errorf("export contains the exploitation details: %t, want %t", got, tt.secret)
				}
				if !strings.Contains(string(raw), "TLP:") {
					t.Error("export without its TLP label")
				}
			})
		}
		raw, err := e.viewer.Raw(e.ctx, "GET", "/api/v1/register/export?product=SecureBox&format=html&audience=public", nil, "")
		if err != nil || !strings.Contains(string(raw), "<!DOCTYPE html>") || strings.Contains(string(raw), "oversized") {
			t.Errorf("product export: %v", err)
		}
		e.refused(e.viewer, "GET", rec+"/export?format=html", nil, http.StatusBadRequest, "invalid_query")
		e.refused(e.viewer, "GET", rec+"/export?format=json&audience=holder", nil, http.StatusForbidden, "forbidden_audience")

		e.do(applicant, "POST", rec+"/changes", register.Change{Kind: register.ChangeReport, Who: "psirt-alice"}, nil)
		e.do(applicant, "POST", rec+"/changes", register.Change{Kind: register.ChangeClose, Who: "psirt-alice"}, nil)
		e.refused(applicant, "DELETE", rec, RegisterDeleteRequest{Who: "dpo", Reason: "tidy"}, http.StatusForbidden, "forbidden_role")
		e.refused(e.assessor, "DELETE", rec, RegisterDeleteRequest{Who: "dpo", Reason: "tidy"}, http.StatusConflict, "retention")
		e.clock.Advance(5 * 366 * 24 * time.Hour)
		var tomb RegisterErasure
		e.do(e.assessor, "DELETE", rec, RegisterDeleteRequest{Who: "dpo", Reason: "retention ended"}, &tomb)
		if tomb.ID != "vr-api-1" || tomb.Events != 6 {
			t.Errorf("tombstone %+v", tomb)
		}
		e.refused(e.viewer, "GET", rec, nil, http.StatusNotFound, "no_such_record")
		bound := e.client(store.RoleAssessor, "asm-1")
		e.refused(bound, "GET", "/api/v1/register", nil, http.StatusForbidden, "other_assessment")
	})
}

func ptrInt(n int) *int { return &n }

func ptrDate(s string) *calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}
