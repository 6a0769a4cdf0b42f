package sources

import (
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuiltinNames(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9-]+$`)
	seen := map[string]bool{}
	for _, b := range slices.Concat(builtins, discoverers) {
		if !valid.MatchString(b.Name) {
			t.Errorf("built-in source name %q does not match %s", b.Name, valid)
		}
		if seen[b.Name] {
			t.Errorf("built-in source %q is listed twice", b.Name)
		}
		seen[b.Name] = true
		if len(b.OS) == 0 {
			t.Errorf("built-in source %q runs on no OS", b.Name)
		}
	}
	if len(builtins) == 0 || len(discoverers) == 0 {
		t.Fatal("no built-in package or discovery sources")
	}
}

func TestBuiltinsForOS(t *testing.T) {
	tests := []struct {
		name string
		goos string
		want []string
	}{
		{"linux", "linux", []string{"dpkg", "rpm", "apk"}},
		{"windows", "windows", []string{"windows"}},
		{"macos", "darwin", []string{"macos"}},
		{"other", "plan9", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range Builtins(tt.goos) {
				got = append(got, b.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Builtins(%s) (-want +got):\n%s", tt.goos, diff)
			}
		})
	}
}

func TestDiscoverersForOS(t *testing.T) {
	tests := []struct {
		name string
		goos string
		want []string
	}{
		{"linux", "linux", []string{"nmap"}},
		{"windows", "windows", []string{"nmap"}},
		{"macos", "darwin", []string{"nmap"}},
		{"other", "plan9", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range Discoverers(tt.goos) {
				got = append(got, b.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Discoverers(%s) (-want +got):\n%s", tt.goos, diff)
			}
		})
	}
}
