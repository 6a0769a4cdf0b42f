package dpkg

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestReadSources(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/apt/sources.list": {Data: []byte(`# comment
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://deb.debian.org/debian bookworm main contrib # trailing
deb-src http://deb.debian.org/debian bookworm main
deb file:/srv/repo ./
`)},
		"etc/apt/sources.list.d/b.sources": {Data: []byte(`Types: deb deb-src
URIs: http://security.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 Suites: not-a-field
 -----END PGP PUBLIC KEY BLOCK-----

Types: deb
Enabled: no
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
`)},
		"etc/apt/sources.list.d/a.list":          {Data: []byte("deb http://archive.ubuntu.com/ubuntu/ jammy main\n")},
		"etc/apt/sources.list.d/c.list.disabled": {Data: []byte("deb http://x.example/ y main\n")},
		"etc/apt/sources.list.d/bad name.list":   {Data: []byte("deb http://x.example/ z main\n")},
	}
	got, err := readSources(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []sourceEntry{
		{URI: "http://deb.debian.org/debian", Suite: "bookworm", Components: []string{"main", "contrib"}, Where: "etc/apt/sources.list:2"},
		{URI: "file:/srv/repo", Suite: "./", Components: []string{}, Where: "etc/apt/sources.list:4"},
		{URI: "http://archive.ubuntu.com/ubuntu/", Suite: "jammy", Components: []string{"main"}, Where: "etc/apt/sources.list.d/a.list:1"},
		{URI: "http://security.debian.org/debian-security", Suite: "bookworm-security", Components: []string{"main"}, Where: "etc/apt/sources.list.d/b.sources:1"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := parseSourcesList(strings.NewReader("deb [arch=amd64 http://x/ y main\n"), "bad"); err == nil {
		t.Error("unclosed option list accepted")
	}
}

func TestIndexPrefixes(t *testing.T) {
	tests := []struct {
		entry   sourceEntry
		release string
		comps   []string
		flat    bool
	}{
		{sourceEntry{URI: "http://deb.debian.org/debian", Suite: "bookworm", Components: []string{"main"}},
			"deb.debian.org_debian_dists_bookworm_", []string{"deb.debian.org_debian_dists_bookworm_main_"}, false},
		{sourceEntry{URI: "http://deb.debian.org/debian-security/", Suite: "bookworm-security", Components: []string{"updates/main"}},
			"deb.debian.org_debian-security_dists_bookworm-security_", []string{"deb.debian.org_debian-security_dists_bookworm-security_updates_main_"}, false},
		{sourceEntry{URI: "https://user:pw@apt.example.com:8443/repo_x", Suite: "stable", Components: []string{"main"}},
			"apt.example.com:8443_repo%5fx_dists_stable_", []string{"apt.example.com:8443_repo%5fx_dists_stable_main_"}, false},
		{sourceEntry{URI: "file:/srv/repo", Suite: "./"}, "_srv_repo_._", nil, true},
	}
	for _, tt := range tests {
		rel, comps, flat := tt.entry.indexPrefixes()
		if rel != tt.release || !cmp.Equal(comps, tt.comps) || flat != tt.flat {
			t.Errorf("%+v: got %q %q %v, want %q %q %v", tt.entry, rel, comps, flat, tt.release, tt.comps, tt.flat)
		}
	}
	if s := site("https://user:pw@apt.example.com:8443/repo"); s != "apt.example.com:8443" {
		t.Errorf("site = %q", s)
	}
}
