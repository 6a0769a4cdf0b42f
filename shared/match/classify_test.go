package match

import (
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/vulndb"
)

func TestClassifyEvidence(t *testing.T) {
	now := time.Date(2026, 3, 20, 15, 0, 0, 0, time.UTC)
	high := Severity{CVSS3: &vulndb.CVSS3{Score: 9.8}}
	tests := []struct {
		name string
		e    Evidence
		sev  Severity
		want Class
	}{
		{"no fix", Evidence{FixDate: "2020-01-01"}, high, ClassNoFix},
		{"15 days is past grace", Evidence{Fixed: "2", FixDate: "2026-03-05"}, high, ClassFail},
		{"14 days is within grace", Evidence{Fixed: "2", FixDate: "2026-03-06"}, high, ClassWithinGrace},
		{"released today", Evidence{Fixed: "2", FixDate: "2026-03-20"}, high, ClassWithinGrace},
		{"CVSS 6.9 and vendor medium are low", Evidence{Fixed: "2", FixDate: "2020-01-01"}, Severity{CVSS3: &vulndb.CVSS3{Score: 6.9}, Vendor: &vulndb.Vendor{Severity: "medium"}}, ClassLow},
		{"CVSS 7.0 is high", Evidence{Fixed: "2", FixDate: "2020-01-01"}, Severity{CVSS3: &vulndb.CVSS3{Score: 7.0}}, ClassFail},
		{"vendor high beats a low CVSS", Evidence{Fixed: "2", FixDate: "2020-01-01"}, Severity{CVSS3: &vulndb.CVSS3{Score: 3.1}, Vendor: &vulndb.Vendor{Severity: "high"}}, ClassFail},
		{"no severity is high", Evidence{Fixed: "2", FixDate: "2020-01-01"}, Severity{}, ClassFail},
		{"unknown vendor word is no severity", Evidence{Fixed: "2", FixDate: "2020-01-01"}, Severity{Vendor: &vulndb.Vendor{Severity: "weird"}}, ClassFail},
		{"unimportant is low", Evidence{Fixed: "2", FixDate: "2020-01-01"}, Severity{Vendor: &vulndb.Vendor{Severity: "unimportant"}}, ClassLow},
		{"no date", Evidence{Fixed: "2", DateFlag: DatePlaceholder}, high, ClassNeedsDecision},
		{"cve record modified long ago", Evidence{Fixed: "2", FixDate: "2020-01-01", DateFlag: DateCVERecord, Modified: "2025-01-01"}, high, ClassFail},
		{"cve record modified within grace", Evidence{Fixed: "2", FixDate: "2020-01-01", DateFlag: DateCVERecord, Modified: "2026-03-15"}, high, ClassNeedsDecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifyEvidence(tt.e, tt.sev, now); got != tt.want {
				t.Errorf("classifyEvidence = %s, want %s", got, tt.want)
			}
		})
	}
}
