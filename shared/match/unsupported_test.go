package match

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
)

func TestUnsupportedOS(t *testing.T) {
	snap := fixtureSnapshot(t)
	tests := []struct {
		name       string
		dev        inventory.Device
		now        time.Time
		wantClass  Class  // "" when no unsupported finding
		wantText   string // in the finding's Reason or the status text
		wantStatus bool   // OSSupport set
	}{
		{"debian 10 after its LTS", inventory.Device{OSFamily: "debian", OSVersion: "10"}, time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC),
			ClassUnsupported, "Debian 10 (Buster) is no longer supported: Debian LTS ended on 2024-06-30", true},
		{"debian 10 on the last LTS day", inventory.Device{OSFamily: "debian", OSVersion: "10"}, time.Date(2024, 6, 30, 12, 0, 0, 0, time.UTC),
			"", "supported: Debian LTS until 2024-06-30", true},
		{"ubuntu 20.04 without ESM", inventory.Device{OSFamily: "ubuntu", OSVersion: "20.04"}, time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
			ClassUnsupported, "Ubuntu standard security maintenance ended on 2025-05-29", true},
		{"ubuntu 20.04 enrolled in ESM", inventory.Device{OSFamily: "ubuntu", OSVersion: "20.04", ESM: true}, time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
			"", "Ubuntu Pro Expanded Security Maintenance until 2030-04-23", true},
		{"unknown family", inventory.Device{OSFamily: "linux", OSVersion: "1"}, time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
			"", "no lifecycle data for OS family", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := inventory.Merge(tt.now, []inventory.Result{{Device: tt.dev, Status: inventory.SourceStatus{Name: "test", Status: inventory.Succeeded}}})
			res, err := New(snap, 0).Match(context.Background(), inv, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			var text string
			switch {
			case res.OSSupport != nil:
				text = res.OSSupport.Text()
			default:
				text = res.OSSupportUnknown
			}
			if (res.OSSupport != nil) != tt.wantStatus {
				t.Errorf("OSSupport = %+v, want set=%v", res.OSSupport, tt.wantStatus)
			}
			if tt.wantClass == "" {
				if len(res.Findings) != 0 {
					t.Errorf("findings = %+v, want none", res.Findings)
				}
			} else {
				if len(res.Findings) != 1 || res.Findings[0].Kind != KindUnsupported || res.Findings[0].Class != tt.wantClass {
					t.Fatalf("findings = %+v, want one %s finding of class %s", res.Findings, KindUnsupported, tt.wantClass)
				}
				text = res.Findings[0].Reason
			}
			if !strings.Contains(text, tt.wantText) {
				t.Errorf("text %q does not say %q", text, tt.wantText)
			}
		})
	}
}
