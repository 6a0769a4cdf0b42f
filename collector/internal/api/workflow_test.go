package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/rules"
	"github.com/google/go-cmp/cmp"
)

func TestWorkflow(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"clean pass", func(t *testing.T, e *env) {
			e.setup("asm-clean")
			s1 := e.draw("asm-clean", 1)
			// 3 of 7 Windows, 2 of 2 macOS, 2 of 3 Debian desktops and both servers.
			if len(s1) != 9 || !slices.Contains(s1, "srv-a") || !slices.Contains(s1, "srv-b") {
				t.Fatalf("Sample 1 = %v, want 9 devices with both servers", s1)
			}
			e.wantVerdict("asm-clean", rules.OutcomeInProgress, rules.CertificateValid)
			e.clock.Advance(time.Hour)
			e.results("asm-clean", 1, s1, nil)
			v := e.wantVerdict("asm-clean", rules.OutcomePass, rules.CertificateValid)
			if diff := cmp.Diff(map[string]int{"Windows 11 Pro 24H2": 3, "macOS 14": 2, "Debian 12": 4}, v.SampleSizes); diff != "" {
				t.Errorf("sample sizes (-want +got):\n%s", diff)
			}
		}},
		{"remediation then pass", func(t *testing.T, e *env) {
			e.setup("asm-rem")
			s1 := e.draw("asm-rem", 1)
			e.clock.Advance(time.Hour)
			e.results("asm-rem", 1, s1, map[string][]map[string]any{s1[0]: {e.failing("CVE-2026-1000")}})
			v := e.wantVerdict("asm-rem", rules.OutcomeRemediation, rules.CertificateValid)
			if v.RemediationDeadline == nil || v.RemediationDeadline.String() != "2026-04-01" {
				t.Errorf("remediation deadline = %v, want 2026-04-01", v.RemediationDeadline)
			}
			var f []TestView
			e.do(e.viewer, "GET", "/api/v1/assessments/asm-rem/findings", nil, &f)
			if len(f) != len(s1) || f[0].Sample != 1 {
				t.Fatalf("findings list %d tests, want %d", len(f), len(s1))
			}
			e.clock.Advance(5 * 24 * time.Hour)
			e.results("asm-rem", 1, []string{s1[0]}, nil) // the retest
			s2 := e.draw("asm-rem", 2)
			for _, d := range s2 {
				if slices.Contains(s1, d) && !strings.HasPrefix(d, "srv-") && !strings.HasPrefix(d, "mac-") { // servers: test_all_types; macOS: rescan_all
					t.Errorf("Sample 2 repeats Sample 1 device %s although others of its build remain", d)
				}
			}
			e.refused(e.assessor, "POST", "/api/v1/assessments/asm-rem/results", map[string]any{"sample": 2,
				"devices": []map[string]any{{"device": s2[0], "findings": []any{}}}}, http.StatusConflict, "sample2_not_declared")
			e.do(e.assessor, "POST", "/api/v1/assessments/asm-rem/samples/2/declare", nil, nil)
			e.clock.Advance(24 * time.Hour)
			e.results("asm-rem", 2, s2, nil)
			e.wantVerdict("asm-rem", rules.OutcomePass, rules.CertificateValid)
		}},
		{"Sample 2 repeats a Sample 1 vulnerability", func(t *testing.T, e *env) {
			e.setup("asm-rep")
			s1 := e.draw("asm-rep", 1)
			e.clock.Advance(time.Hour)
			e.results("asm-rep", 1, s1, map[string][]map[string]any{s1[0]: {e.failing("CVE-2026-2000")}})
			e.clock.Advance(3 * 24 * time.Hour)
			e.results("asm-rep", 1, []string{s1[0]}, nil)
			s2 := e.draw("asm-rep", 2)
			e.do(e.assessor, "POST", "/api/v1/assessments/asm-rep/samples/2/declare", nil, nil)
			e.clock.Advance(24 * time.Hour)
			bad := e.failing("CVE-2026-2000")
			bad["ids"] = []string{"CVE-2026-2000"} // the same vulnerability without its DSA alias
			e.results("asm-rep", 2, s2, map[string][]map[string]any{s2[0]: {bad}})
			v := e.wantVerdict("asm-rep", rules.OutcomeFail, rules.CertificateRevoked)
			if diff := cmp.Diff([]string{"CVE-2026-2000", "DSA-2026-2000"}, v.Repeated); diff != "" {
				t.Errorf("repeated (-want +got):\n%s", diff)
			}
		}},
		{"refusal", func(t *testing.T, e *env) {
			e.setup("asm-ref")
			s1 := e.draw("asm-ref", 1)
			e.clock.Advance(time.Hour)
			e.results("asm-ref", 1, s1, map[string][]map[string]any{s1[1]: {e.failing("CVE-2026-3000")}})
			applicant := e.client(store.RoleApplicant, "asm-ref")
			e.do(applicant, "POST", "/api/v1/assessments/asm-ref/refuse", assess.RefuseRequest{Reason: "no time for Sample 2"}, nil)
			e.wantVerdict("asm-ref", rules.OutcomeNotAchieved, rules.CertificateValid)
			e.refused(e.assessor, "POST", "/api/v1/assessments/asm-ref/refuse", nil, http.StatusConflict, "already_refused")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { forEachBackend(t, tt.run) })
	}
}

func TestRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.setup("asm-a")
		e.setup("asm-b")
		applicant := e.client(store.RoleApplicant, "asm-a")
		const a = "/api/v1/assessments/asm-a"
		e.refused(applicant, "POST", a+"/samples/1/draw", nil, http.StatusForbidden, "forbidden_role")
		e.refused(applicant, "POST", a+"/samples/1/commit", nil, http.StatusForbidden, "forbidden_role")
		e.refused(applicant, "POST", a+"/freeze", nil, http.StatusForbidden, "forbidden_role")
		e.refused(applicant, "GET", "/api/v1/assessments/asm-b", nil, http.StatusForbidden, "other_assessment")
		e.refused(applicant, "GET", "/api/v1/assessments/asm-b/devices", nil, http.StatusForbidden, "other_assessment")
		e.refused(applicant, "GET", a+"/events", nil, http.StatusForbidden, "forbidden_role")
		e.refused(e.viewer, "POST", a+"/freeze", nil, http.StatusForbidden, "forbidden_role")
		e.refused(e.viewer, "POST", a+"/samples/1/draw", nil, http.StatusForbidden, "forbidden_role")
		e.refused(e.viewer, "POST", "/api/v1/assessments", assess.CreateRequest{Organisation: "x", Snapshot: snapshotHash}, http.StatusForbidden, "forbidden_role")
		e.refused(e.viewer, "POST", a+"/decisions", assess.DecideRequest{Question: "q", Decision: "d"}, http.StatusForbidden, "forbidden_role")
		e.refused(&Client{Base: e.srv.URL, HTTP: e.srv.Client()}, "GET", a, nil, http.StatusUnauthorized, "unauthenticated")
		e.refused(&Client{Base: e.srv.URL, Token: "made-up", HTTP: e.srv.Client()}, "GET", a, nil, http.StatusUnauthorized, "token_unknown")

		var list []AssessmentSummary
		e.do(applicant, "GET", "/api/v1/assessments", nil, &list)
		if len(list) != 1 || list[0].ID != "asm-a" {
			t.Errorf("the applicant lists %+v, want only asm-a", list)
		}

		s1 := e.draw("asm-a", 1)
		e.clock.Advance(time.Hour)
		e.results("asm-a", 1, s1, nil)
		s2 := e.draw("asm-a", 2)
		// Before the declaration the applicant sees Sample 1 but nothing of Sample 2.
		e.refused(applicant, "GET", a+"/samples/2", nil, http.StatusForbidden, "sample2_not_declared")
		e.refused(applicant, "GET", a+"/verdict", nil, http.StatusForbidden, "sample2_not_declared")
		var s1v SampleView
		e.do(applicant, "GET", a+"/samples/1", nil, &s1v)
		if diff := cmp.Diff(s1, s1v.Devices); diff != "" {
			t.Errorf("applicant's Sample 1 (-want +got):\n%s", diff)
		}
		var show AssessmentView
		e.do(applicant, "GET", a, nil, &show)
		if len(show.Samples) != 1 {
			t.Errorf("the applicant's view shows %d samples before the declaration, want 1", len(show.Samples))
		}
		var devs []DeviceView
		e.do(applicant, "GET", a+"/devices", nil, &devs)
		for _, d := range devs {
			if slices.Contains(d.Samples, 2) {
				t.Errorf("the applicant sees device %s in Sample 2 before the declaration", d.ID)
			}
		}
		e.do(e.viewer, "GET", a+"/samples/2", nil, nil)
		e.do(e.assessor, "POST", a+"/samples/2/declare", nil, nil)
		var s2v SampleView
		e.do(applicant, "GET", a+"/samples/2", nil, &s2v)
		if diff := cmp.Diff(s2, s2v.Devices); diff != "" {
			t.Errorf("applicant's declared Sample 2 (-want +got):\n%s", diff)
		}
		e.do(applicant, "GET", a+"/verdict", nil, nil)
		e.refused(applicant, "POST", a+"/results", map[string]any{"sample": 2, "devices": []any{}}, http.StatusForbidden, "forbidden_role")
		e.do(applicant, "POST", a+"/refuse", nil, nil)
	})
}

func TestTamperingBreaksVerify(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.setup("asm-t")
		s1 := e.draw("asm-t", 1)
		e.clock.Advance(time.Hour)
		e.results("asm-t", 1, s1, map[string][]map[string]any{s1[0]: {e.failing("CVE-2026-4000")}})
		var rep assess.VerifyReport
		e.do(e.viewer, "GET", "/api/v1/assessments/asm-t/verify", nil, &rep)
		if !rep.OK || rep.Chain != "ok" || len(rep.Draws) != 1 || !rep.Draws[0].OK {
			t.Fatalf("verify before tampering = %+v, want ok", rep)
		}
		var evs []EventView
		e.do(e.viewer, "GET", "/api/v1/assessments/asm-t/events", nil, &evs)
		var seq int64
		for _, ev := range evs {
			if ev.Kind == assess.KindTested && strings.Contains(fmt.Sprint(ev.Payload), "CVE-2026-4000") {
				seq = ev.Seq
			}
		}
		if seq == 0 {
			t.Fatal("no device_tested event with the failing finding")
		}
		e.wantVerdict("asm-t", rules.OutcomeRemediation, rules.CertificateValid)
		// An intruder with database access hides the failing test.
		for _, q := range e.backend.Unguard {
			rawExec(t, e, q)
		}
		rawExec(t, e, fmt.Sprintf(`UPDATE events SET kind = 'verdict_recorded' WHERE stream = 'asm-t' AND seq = %d`, seq))
		e.do(e.viewer, "GET", "/api/v1/assessments/asm-t/verify", nil, &rep)
		if rep.OK || rep.BrokenSeq != seq || !strings.Contains(rep.Chain, "broken") {
			t.Errorf("verify after tampering with seq %d = %+v, want broken at %d", seq, rep, seq)
		}
	})
}
