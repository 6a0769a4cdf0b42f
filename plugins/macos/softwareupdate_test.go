package macos

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

func fixtures(t *testing.T, names ...string) io.Reader {
	t.Helper()
	var rs []io.Reader
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, strings.NewReader(string(b)+"\n"))
	}
	return io.MultiReader(rs...)
}

func TestParseSoftwareUpdate(t *testing.T) {
	const origin = "Apple Software Update"
	tests := []struct {
		name      string
		files     []string
		installed string
		want      []inventory.PendingUpdate
	}{
		{
			name: "macOS 14: minor update, Safari, major upgrade, tools", files: []string{"softwareupdate-14-updates.txt"}, installed: "14.5",
			want: []inventory.PendingUpdate{
				{Name: "macOS Sonoma 14.6-23G80", Title: "macOS Sonoma 14.6", Candidate: "14.6", Installed: "14.5", Origin: origin, Security: true},
				{Name: "Safari17.6SonomaAuto-17.6", Title: "Safari", Candidate: "17.6", Origin: origin, Security: true},
				{Name: "macOS Sequoia 15.0-24A335", Title: "macOS Sequoia 15.0", Candidate: "15.0", Installed: "14.5", Origin: origin, Security: false},
				{Name: "Command Line Tools for Xcode-15.3", Title: "Command Line Tools for Xcode", Candidate: "15.3", Origin: origin, Security: false},
			},
		},
		{
			name: "macOS 26: Background Security Improvement", files: []string{"softwareupdate-26-bsi.txt"}, installed: "26.3.1",
			want: []inventory.PendingUpdate{
				{Name: "macOS Background Security Improvement (a)-25D771280a", Title: "macOS Background Security Improvement (a)", Candidate: "26.3.1 (a)", Installed: "26.3.1", Origin: origin, Security: true},
				{Name: "macOS Tahoe 26.4-25E246", Title: "macOS Tahoe 26.4", Candidate: "26.4", Installed: "26.3.1", Origin: origin, Security: true},
			},
		},
		{
			name: "macOS 10.15: the old format", files: []string{"softwareupdate-10.15-old.txt"}, installed: "10.15.6",
			want: []inventory.PendingUpdate{
				{Name: "macOS Catalina 10.15.7 Update-", Title: "macOS Catalina 10.15.7 Update", Installed: "10.15.6", Origin: origin, Security: true},
				{Name: "Security Update 2021-001 Catalina-10.15.7", Title: "Security Update 2021-001 Catalina", Candidate: "10.15.7", Origin: origin, Security: true},
				{Name: "Safari14.0.3CatalinaAuto-14.0.3", Title: "Safari", Candidate: "14.0.3", Origin: origin, Security: true},
			},
		},
		{
			name: "macOS 15: nothing pending (the verdict is on stderr)", files: []string{"softwareupdate-none.stdout", "softwareupdate-none.stderr"}, installed: "15.2",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSoftwareUpdate(fixtures(t, tt.files...), tt.installed)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pending updates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSoftwareUpdateErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      io.Reader
		wantErr string
	}{
		{"no verdict: cannot reach the server", fixtures(t, "softwareupdate-no-network.stderr"), "says neither"},
		{"no verdict: only the stdout header", fixtures(t, "softwareupdate-none.stdout"), "says neither"},
		{"entry without title line", strings.NewReader("Software Update found the following new or updated software:\n* Label: x-1\n"), `"x-1" has no title line`},
		{"unknown detail format", strings.NewReader("Software Update found the following new or updated software:\n* Label: x-1\n\tsomething else\n"), "in no known format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSoftwareUpdate(tt.in, "14.5")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestIsSecurityUpdate(t *testing.T) {
	tests := []struct {
		name, title, version, installed string
		want                            bool
	}{
		{"patch release", "macOS Sonoma 14.6.1", "14.6.1", "14.6", true},
		{"major upgrade", "macOS Sequoia 15.0", "15.0", "14.6", false},
		{"rapid security response", "macOS Ventura 13.4.1 (a)", "13.4.1 (a)", "13.4.1", true},
		{"security update package", "Security Update 2021-001 Catalina", "10.15.7", "10.15.7", true},
		{"10.14 to 10.15 is an upgrade", "macOS Catalina 10.15.7", "", "10.14.6", false},
		{"unknown installed version is not hidden", "macOS Sequoia 15.0", "15.0", "", true},
		{"tools", "Command Line Tools for Xcode", "15.3", "14.5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isSecurityUpdate(tt.title, tt.version, tt.installed); got != tt.want {
				t.Errorf("isSecurityUpdate(%q, %q, %q) = %v, want %v", tt.title, tt.version, tt.installed, got, tt.want)
			}
		})
	}
}
