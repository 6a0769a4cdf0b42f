package vulndb

import "testing"

func TestScoreCVSS3(t *testing.T) {
	tests := []struct {
		name, vector string
		want         float64
		wantErr      bool
	}{
		{"3.1 critical", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, false},
		{"3.0 critical", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, false},
		{"3.1 local availability", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", 5.5, false},
		{"3.1 network DoS", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, false},
		{"3.1 scope changed", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, false},
		{"3.0 high complexity", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, false},
		{"v4 is not v3", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 0, true},
		{"malformed", "CVSS:3.1/AV:X", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ScoreCVSS3(tt.vector)
			if (err != nil) != tt.wantErr || got.Score != tt.want {
				t.Errorf("ScoreCVSS3(%q) = %v, %v; want %v, err=%v", tt.vector, got.Score, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestVendorSeverity(t *testing.T) {
	tests := []struct {
		name   string
		rec    Record
		want   Vendor
		wantOK bool
	}{
		{"debian urgency", Record{Affected: []Affected{{EcosystemSpecific: &Specific{Urgency: "unimportant"}}}}, Vendor{"unimportant", "ecosystem_specific.urgency"}, true},
		{"debian not yet assigned is none", Record{Affected: []Affected{{EcosystemSpecific: &Specific{Urgency: "not yet assigned"}}}}, Vendor{}, false},
		{"ubuntu priority", Record{Affected: []Affected{{EcosystemSpecific: &Specific{UbuntuPriority: "High"}}}}, Vendor{"high", "ecosystem_specific.ubuntu_priority"}, true},
		{"ubuntu severity entry", Record{Severity: []Severity{{"Ubuntu", "medium"}}, Affected: []Affected{{}}}, Vendor{"medium", "severity[type=Ubuntu]"}, true},
		{"ghsa database_specific", Record{DatabaseSpecific: &Specific{Severity: "MODERATE"}, Affected: []Affected{{}}}, Vendor{"moderate", "database_specific.severity"}, true},
		{"none", Record{Affected: []Affected{{}}}, Vendor{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := VendorSeverity(&tt.rec, &tt.rec.Affected[0])
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("VendorSeverity = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
