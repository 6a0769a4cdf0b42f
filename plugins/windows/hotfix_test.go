package windows

import (
	"os"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

func TestParseHotFixes(t *testing.T) {
	three := []inventory.InstalledUpdate{
		{ID: "KB5043080", Title: "Security Update", InstalledOn: "2024-10-02"},
		{ID: "KB5048667", Title: "Security Update", InstalledOn: "2024-12-11"},
		{ID: "KB5048779", Title: "Update"},
	}
	tests := []struct {
		name string
		file string // under testdata, or "" for input
		in   string
		want []inventory.InstalledUpdate
	}{
		{name: "array from the package script", file: "hotfix-list.json", want: three},
		{name: "single hotfix is a bare object", file: "hotfix-single.json", want: three[1:2]},
		{name: "PowerShell 5.1 default DateTime objects", file: "hotfix-ps51-default-dates.json", want: three},
		{name: "no hotfixes prints nothing", in: "\r\n", want: nil},
		{name: "byte order mark", in: "\xef\xbb\xbf{\"HotFixID\": \"KB5048667\", \"Description\": \"Security Update\", \"InstalledOn\": \"2024-12-11T00:00:00\"}", want: three[1:2]},
		{name: "placeholder rows dropped", in: `[{"HotFixID": "File 1", "Description": "", "InstalledOn": null}, {"HotFixID": "", "Description": "Update"}]`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.file != "" {
				b, err := os.ReadFile("testdata/" + tt.file)
				if err != nil {
					t.Fatal(err)
				}
				in = string(b)
			}
			got, err := parseHotFixes(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("installed updates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseHotFixesErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"not JSON", "Get-HotFix : Access is denied.", "Get-HotFix: output is not JSON"},
		{"truncated", `[{"HotFixID": "KB1"`, "Get-HotFix JSON array"},
		{"bad date", `{"HotFixID": "KB1", "InstalledOn": "13/11/2024"}`, `date "13/11/2024"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseHotFixes(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
