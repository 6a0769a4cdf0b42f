package rules

import (
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/google/go-cmp/cmp"
)

func TestEIoTDeadlines(t *testing.T) {
	type want struct {
		TLP, Temp, Perm, Risk, Response, Revocation string
	}
	str := func(v EIoTVerdict) want {
		d := func(x *calendar.Date) string {
			if x == nil {
				return ""
			}
			return x.String()
		}
		tm := func(x *time.Time) string {
			if x == nil {
				return ""
			}
			return x.Format(time.RFC3339)
		}
		return want{v.TLP, d(v.TemporaryMitigation), d(v.PermanentMitigation), d(v.RiskCalculation), tm(v.VendorResponseBy), tm(v.RevocationAt)}
	}
	tests := []struct {
		name     string
		triage   Triage
		notified string
		declined bool
		cal      *calendar.Calendar
		want     want
	}{
		{name: "red on a Friday (contract example)", triage: TriageRed, notified: "2026-01-09T10:00:00Z",
			want: want{"RED", "2026-01-12", "2026-01-23", "2026-01-14", "2026-01-11T10:00:00Z", ""}},
		{name: "red on the Thursday before Good Friday 2026", triage: TriageRed, notified: "2026-04-02T09:00:00Z",
			want: want{"RED", "2026-04-07", "2026-04-20", "2026-04-09", "2026-04-04T09:00:00Z", ""}},
		{name: "the same without holidays", triage: TriageRed, notified: "2026-04-02T09:00:00Z", cal: calendar.New(nil, nil),
			want: want{"RED", "2026-04-03", "2026-04-16", "2026-04-07", "2026-04-04T09:00:00Z", ""}},
		{name: "amber on a Friday", triage: TriageAmber, notified: "2026-01-09T10:00:00Z",
			want: want{"AMBER", "2026-01-14", "2026-02-06", "2026-01-16", "2026-01-11T10:00:00Z", ""}},
		{name: "green across Christmas and New Year", triage: TriageGreen, notified: "2026-12-23T10:00:00Z",
			want: want{"GREEN", "2027-01-11", "2027-02-08", "2027-01-15", "2026-12-25T10:00:00Z", ""}},
		{name: "23:30 UTC on a summer Thursday is Friday in London", triage: TriageRed, notified: "2026-06-04T23:30:00Z",
			want: want{"RED", "2026-06-08", "2026-06-19", "2026-06-10", "2026-06-06T23:30:00Z", ""}},
		{name: "declined fix in winter: revoked 48 hours after the permanent-mitigation day ends", triage: TriageRed, notified: "2026-01-09T10:00:00Z", declined: true,
			want: want{"RED", "2026-01-12", "2026-01-23", "2026-01-14", "2026-01-11T10:00:00Z", "2026-01-26T00:00:00Z"}},
		{name: "declined fix in summer: the local day ends at 23:00 UTC", triage: TriageRed, notified: "2026-06-04T23:30:00Z", declined: true,
			want: want{"RED", "2026-06-08", "2026-06-19", "2026-06-10", "2026-06-06T23:30:00Z", "2026-06-21T23:00:00Z"}},
		{name: "white: out of scope, no deadlines", triage: TriageWhite, notified: "2026-01-09T10:00:00Z", declined: true,
			want: want{TLP: "WHITE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := EvaluateEIoT(EIoTCase{Now: ts("2026-01-01T00:00:00Z"), Calendar: tt.cal, Triage: tt.triage, Notified: ts(tt.notified), VendorDeclinedFix: tt.declined})
			if diff := cmp.Diff(tt.want, str(v)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEIoTPassedAndRevoked(t *testing.T) {
	in := EIoTCase{Triage: TriageRed, Notified: ts("2026-01-09T10:00:00Z"), VendorDeclinedFix: true}
	tests := []struct {
		name        string
		now         string
		wantPassed  []string
		wantRevoked bool
	}{
		{name: "just notified", now: "2026-01-09T12:00:00Z", wantPassed: []string{}},
		{name: "temporary mitigation day over", now: "2026-01-13T00:00:00Z", wantPassed: []string{"temporary_mitigation", "vendor_response_by"}},
		{name: "one second before revocation", now: "2026-01-25T23:59:59Z", wantPassed: []string{"temporary_mitigation", "risk_calculation", "permanent_mitigation", "vendor_response_by"}},
		{name: "revoked", now: "2026-01-26T00:00:00Z", wantPassed: []string{"temporary_mitigation", "risk_calculation", "permanent_mitigation", "vendor_response_by"}, wantRevoked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in.Now = ts(tt.now)
			v := EvaluateEIoT(in)
			if diff := cmp.Diff(tt.wantPassed, v.Passed); diff != "" || v.Revoked != tt.wantRevoked {
				t.Errorf("passed (-want +got):\n%s revoked %v, want %v", diff, v.Revoked, tt.wantRevoked)
			}
		})
	}
}

func TestTriageForRisk(t *testing.T) {
	for level, want := range map[string]Triage{"HIGH": TriageRed, "substantial": TriageAmber, "Basic": TriageGreen, "out of scope": TriageWhite, "out_of_scope": TriageWhite} {
		if got, ok := TriageForRisk(level); !ok || got != want {
			t.Errorf("TriageForRisk(%q) = %q, %v; want %q", level, got, ok, want)
		}
	}
	if _, ok := TriageForRisk("severe"); ok {
		t.Error("TriageForRisk accepted severe")
	}
}
