package pluginapi

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/ceplus/ceplus/shared/inventory"
	pb "github.com/ceplus/ceplus/shared/pluginapi/proto/ceplus/plugin/v1"
)

func TestWireRoundTrip(t *testing.T) {
	full := inventory.Result{
		Device: inventory.Device{Hostname: "h", MachineID: "m", OSFamily: "windows", OSName: "Windows 11 Pro", OSVersion: "11",
			Edition: "Pro", FeatureUpdate: "24H2", OSBuild: "26100.2605", Kernel: "k", Arch: "amd64", Ecosystem: "e", Build: "Windows 11 Pro 24H2"},
		PendingUpdates: []inventory.PendingUpdate{{Name: "KB5048667", Installed: "a", Candidate: "b", Origin: "Windows Update",
			Security: true, Arch: "amd64", Released: "2024-12-10", Severity: "Critical", Title: "t", IDs: []string{"x", "y"}}},
		InstalledUpdates: []inventory.InstalledUpdate{{ID: "KB1", Title: "t", InstalledOn: "2024-01-02"}},
		Applications:     []inventory.Application{{Name: "7-Zip", Version: "24.08", Publisher: "Igor Pavlov", ID: "7-Zip"}},
		Status:           inventory.SourceStatus{Name: "windows", Version: "1.0", Status: inventory.Partial, Errors: []string{"e1"}, DurationMS: 42},
	}
	for i := range 2*pageSize + 7 {
		full.Packages = append(full.Packages, inventory.Package{Name: fmt.Sprintf("p%d", i), Version: "1:2.3-4",
			SourceName: "s", SourceVersion: "1:2.3-4", Ecosystem: "Debian:12", Arch: "amd64"})
	}
	tests := []struct {
		name  string
		in    inventory.Result
		pages int
	}{
		{"every field, three pages", full, 3},
		{"empty result", inventory.Result{Status: inventory.SourceStatus{Name: "x", Status: inventory.Succeeded}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := resultToWire(tt.in)
			if len(pages) != tt.pages {
				t.Errorf("%d pages, want %d", len(pages), tt.pages)
			}
			var got inventory.Result
			for _, p := range pages {
				b, err := proto.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				var w pb.CollectResponse
				if err := proto.Unmarshal(b, &w); err != nil {
					t.Fatal(err)
				}
				addFromWire(&got, &w)
			}
			if diff := cmp.Diff(tt.in, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
	info := Info{Name: "n", Version: "v", Kind: KindDiscovery, OS: []string{"linux"}, RunningSystem: true, Root: true, Description: "d"}
	if diff := cmp.Diff(info, infoFromWire(infoToWire(info))); diff != "" {
		t.Errorf("info round trip (-want +got):\n%s", diff)
	}
}
