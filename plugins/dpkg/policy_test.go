package dpkg

import (
	"strings"
	"testing"
)

// TestCandidate exercises apt's candidate rules on hand-built packages. Files: 0 status (100),
// 1 stable (500), 2 security (500), 3 backports (NotAutomatic+ButAutomaticUpgrades: 100),
// 4 experimental (NotAutomatic: 1).
func TestCandidate(t *testing.T) {
	base := []pkgFile{
		{Name: "status", Status: true, Rel: release{Suite: "now"}},
		{Name: "stable", Rel: release{Label: "Debian", Suite: "stable", Version: "12.8"}, Site: "deb.debian.org"},
		{Name: "security", Rel: release{Label: "Debian-Security", Suite: "stable-security", Version: "12"}, Site: "deb.debian.org"},
		{Name: "backports", Rel: release{Suite: "stable-backports", NotAutomatic: true, ButAutomaticUpgrades: true}},
		{Name: "experimental", Rel: release{Suite: "experimental", NotAutomatic: true}},
	}
	type ver struct {
		v     string
		files []int
	}
	tests := []struct {
		name      string
		installed string
		versions  []ver
		prefs     string
		want      string
	}{
		{"newest at 500", "1.0-1", []ver{{"1.0-1", []int{1}}, {"1.1-1", []int{1}}, {"1.2-1", []int{2}}}, "", "1.2-1"},
		{"installed only", "1.0-1", []ver{{"1.0-1", nil}}, "", "1.0-1"},
		{"lower versions never win", "2.0-1", []ver{{"2.0-1", nil}, {"1.0-1", []int{1}}}, "", "2.0-1"},
		{"NotAutomatic is not an upgrade", "1.0-1", []ver{{"1.0-1", []int{1}}, {"2.0-1", []int{4}}}, "", "1.0-1"},
		{"backports upgrade what came from backports", "1.0-1~bpo", []ver{{"1.0-1~bpo", nil}, {"1.1-1~bpo", []int{3}}}, "", "1.1-1~bpo"},
		{"backports do not replace stable", "1.0-1", []ver{{"1.0-1", []int{1}}, {"1.1-1~bpo", []int{3}}}, "", "1.0-1"},
		{"version pin above 1000 downgrades", "2.0-1", []ver{{"2.0-1", []int{1}}, {"1.0-1", []int{1}}},
			"Package: p\nPin: version 1.0*\nPin-Priority: 1001\n", "1.0-1"},
		{"negative pin blocks", "1.0-1", []ver{{"1.0-1", []int{1}}, {"1.1-1", []int{2}}},
			"Package: p\nPin: release l=Debian-Security\nPin-Priority: -1\n", "1.0-1"},
		{"pin below status keeps installed", "1.0-1", []ver{{"1.0-1", nil}, {"1.1-1", []int{1}}},
			"Package: *\nPin: origin deb.debian.org\nPin-Priority: 99\n", "1.0-1"},
		{"higher priority beats higher version", "1.0-1", []ver{{"1.0-1", nil}, {"1.1-1", []int{1}}, {"1.2-1", []int{2}}},
			"Package: *\nPin: release a=stable\nPin-Priority: 600\n", "1.1-1"},
		{"first default pin wins", "1.0-1", []ver{{"1.0-1", nil}, {"1.1-1", []int{1}}, {"1.2-1", []int{2}}},
			"Package: *\nPin: release a=stable-security\nPin-Priority: 50\n\nPackage: *\nPin: release a=stable-security\nPin-Priority: 900\n", "1.1-1"},
		{"source pin", "1.0-1", []ver{{"1.0-1", nil}, {"1.1-1", []int{1}}},
			"Package: src:p-src\nPin: version 1.1*\nPin-Priority: -5\n", "1.0-1"},
		{"pin for another architecture", "1.0-1", []ver{{"1.0-1", nil}, {"1.1-1", []int{1}}},
			"Package: p:i386\nPin: version 1.1*\nPin-Priority: -5\n", "1.1-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := append([]pkgFile(nil), base...)
			pins, err := parsePreferences(strings.NewReader(tt.prefs), "test")
			if err != nil {
				t.Fatal(err)
			}
			setFilePriorities(files, pins)
			p := &aptPackage{Name: "p", Arch: "amd64", Installed: tt.installed}
			for _, v := range tt.versions {
				av := &aptVersion{Version: v.v, Arch: "amd64", Source: "p-src", Files: v.files}
				if v.v == tt.installed {
					av.Files = append(av.Files, 0)
					p.inst = av
				}
				p.Versions = append(p.Versions, av)
			}
			got := candidate(p, files, pins, "amd64")
			if got == nil || got.Version != tt.want {
				t.Errorf("candidate = %+v, want %s", got, tt.want)
			}
		})
	}
}

func TestOriginAndSecurity(t *testing.T) {
	files := []pkgFile{
		{Status: true, Rel: release{Suite: "now"}},
		{Rel: release{Label: "Ubuntu", Suite: "jammy-updates", Version: "22.04", Codename: "jammy"}},
		{Rel: release{Label: "Ubuntu", Suite: "jammy-security", Version: "22.04", Codename: "jammy"}},
		{Rel: release{Label: "Ubuntu", Suite: "jammy-updates", Version: "22.04", Codename: "jammy"}}, // a mirror
		{Site: "ppa.example.org"},
	}
	v := &aptVersion{Files: []int{1, 2, 3, 0}}
	if got, want := relStr(v, files), "Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security"; got != want {
		t.Errorf("relStr = %q, want %q", got, want)
	}
	if got, want := strings.Join(archives(v, files), ","), "jammy-updates,jammy-security,jammy-updates,now"; got != want {
		t.Errorf("archives = %q, want %q", got, want)
	}
	if !isSecurity(v, files) || isSecurity(&aptVersion{Files: []int{1, 3}}, files) {
		t.Error("security flag")
	}
	if got := relStr(&aptVersion{Files: []int{4}}, files); got != "ppa.example.org" {
		t.Errorf("relStr without a Release file = %q", got)
	}
}
