package rules

import (
	"strings"
	"testing"
	"time"
)

func TestClassifyFinding(t *testing.T) {
	f := func(released string, sev *Severity) Finding {
		x := Finding{IDs: []string{"CVE-2026-0001"}, Package: "p", Fixed: "2", Severity: sev}
		if released != "" {
			x.FixReleased = dayPtr(released)
		}
		return x
	}
	tests := []struct {
		name string
		f    Finding
		at   string
		want Class
	}{
		{name: "14 days is within grace", f: f("2026-05-01", cvss(8.1)), at: "2026-05-15T10:00:00Z", want: ClassWithinGrace},
		{name: "15 days fails", f: f("2026-04-30", cvss(8.1)), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "14 days at 22:59 UTC in summer is still day 14", f: f("2026-05-01", cvss(8.1)), at: "2026-05-15T22:59:59Z", want: ClassWithinGrace},
		{name: "23:30 UTC in summer is the next local day: 15 days", f: f("2026-05-01", cvss(8.1)), at: "2026-05-15T23:30:00Z", want: ClassFail},
		{name: "23:30 UTC in winter is the same day: 14 days", f: f("2026-01-01", cvss(8.1)), at: "2026-01-15T23:30:00Z", want: ClassWithinGrace},
		{name: "released on the test day", f: f("2026-05-15", cvss(8.1)), at: "2026-05-15T10:00:00Z", want: ClassWithinGrace},
		{name: "released after the test", f: f("2026-05-20", cvss(8.1)), at: "2026-05-15T10:00:00Z", want: ClassWithinGrace},
		{name: "cvss 7.0 counts", f: f("2026-01-01", cvss(7.0)), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "cvss 6.9 is low", f: f("2026-01-01", cvss(6.9)), at: "2026-05-15T10:00:00Z", want: ClassLow},
		{name: "vendor critical counts", f: f("2026-01-01", vendor("critical")), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "vendor high counts", f: f("2026-01-01", vendor("high")), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "vendor medium is low", f: f("2026-01-01", vendor("medium")), at: "2026-05-15T10:00:00Z", want: ClassLow},
		{name: "vendor low is low", f: f("2026-01-01", vendor("low")), at: "2026-05-15T10:00:00Z", want: ClassLow},
		{name: "vendor low but cvss 7.5 counts", f: f("2026-01-01", &Severity{Vendor: "low", CVSS3: cvss(7.5).CVSS3}), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "vendor high but cvss 4.0 counts", f: f("2026-01-01", &Severity{Vendor: "high", CVSS3: cvss(4.0).CVSS3}), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "no severity at all counts as high", f: f("2026-01-01", nil), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "empty severity object counts as high", f: f("2026-01-01", &Severity{}), at: "2026-05-15T10:00:00Z", want: ClassFail},
		{name: "no fix released", f: f("", cvss(9.8)), at: "2026-05-15T10:00:00Z", want: ClassNoFix},
		{name: "no fix and low severity is low", f: f("", cvss(3.1)), at: "2026-05-15T10:00:00Z", want: ClassLow},
		{name: "unsupported fails whatever the severity", f: Finding{IDs: []string{"EOL-windows-10"}, Unsupported: true, Severity: vendor("low")}, at: "2026-05-15T10:00:00Z", want: ClassUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyFinding(tt.f, ts(tt.at), nil); got != tt.want {
				t.Errorf("ClassifyFinding = %s, want %s", got, tt.want)
			}
			if got := ExplainFinding(tt.f, ts(tt.at), nil); got.Class != tt.want || got.Reason == "" {
				t.Errorf("ExplainFinding = %+v, want class %s with a reason", got, tt.want)
			}
		})
	}
}

func TestClassifyFindingTimeZone(t *testing.T) {
	f := Finding{IDs: []string{"CVE-2026-0001"}, Severity: cvss(9.0), FixReleased: dayPtr("2026-05-01")}
	at := ts("2026-05-15T23:30:00Z")
	if got := ClassifyFinding(f, at, time.UTC); got != ClassWithinGrace {
		t.Errorf("in UTC: %s, want within_grace", got)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	if got := ClassifyFinding(f, ts("2026-05-15T15:00:00Z"), tokyo); got != ClassFail {
		t.Errorf("in Tokyo (00:00 on the 16th): %s, want fail", got)
	}
	e := ExplainFinding(f, at, nil)
	if e.DaysSinceFix == nil || *e.DaysSinceFix != 15 || !strings.Contains(e.Reason, "15 days") {
		t.Errorf("ExplainFinding = %+v, want 15 days", e)
	}
}

func TestClassFails(t *testing.T) {
	for c, want := range map[Class]bool{ClassFail: true, ClassUnsupported: true, ClassWithinGrace: false, ClassNoFix: false, ClassLow: false} {
		if c.Fails() != want {
			t.Errorf("%s.Fails() = %v, want %v", c, !want, want)
		}
	}
}
