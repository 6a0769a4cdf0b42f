package dpkg

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"lib*", "libssl3", true},
		{"lib*", "openssl", false},
		{"*-security", "bookworm-security", true},
		{"*", "a/b", true}, // fnmatch without FNM_PATHNAME: '*' crosses '/'
		{"5.2.15*", "5.2.15-2+b2", true},
		{"?ash", "bash", true},
		{"?ash", "ash", false},
		{"lib[sx]*", "libxml2", true},
		{"lib[!sx]*", "libxml2", false},
		{"lib[a-c]*", "libc6", true},
		{"a\\*", "a*", true},
		{"a\\*", "ab", false},
		{"[", "[", true},
		{"*a*b*c", "xaybzc", true},
		{"*a*b*c", "xaybzcd", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
	if !expressionMatches("/^lib(ssl|crypto)/", "libssl3") || expressionMatches("/^lib(ssl|crypto)/", "openssl") {
		t.Error("regex pattern mismatch")
	}
	if expressionMatches("*", "") {
		t.Error("an absent value matched")
	}
}

func TestParsePreferences(t *testing.T) {
	in := `# comment before
Explanation: why
Package: zlib1g libssl3:amd64 src:openssl
Pin: version 1:1.2*
Pin-Priority: 1001

Package: *
Pin: release o=Debian,a=stable-security , l=Debian-Security
Pin-Priority: 990

Package: *
Pin: origin "deb.example.org"
Pin-Priority: -1

Package: *
Pin: version 1.0
Pin-Priority: 500

Package: a
Pin: release stable
Pin-Priority: 0

Package: b
Pin: gibberish x
Pin-Priority: 10
`
	pins, err := parsePreferences(strings.NewReader(in), "prefs")
	if err != nil {
		t.Fatal(err)
	}
	if len(pins) != 3 {
		t.Fatalf("%d pins, want 3 (version pin without package, zero priority and unknown type skipped): %+v", len(pins), pins)
	}
	p := pins[0]
	if p.kind != pinVersion || p.version != "1:1.2" || !p.versionPrefix || p.priority != 1001 || len(p.pkgs) != 3 || p.where != "prefs:2" {
		t.Errorf("version pin parsed as %+v", p)
	}
	if s := p.pkgs[1]; s.name != "libssl3" || s.arch != "amd64" || s.source {
		t.Errorf("selector libssl3:amd64 parsed as %+v", s)
	}
	if s := p.pkgs[2]; s.name != "openssl" || !s.source {
		t.Errorf("selector src:openssl parsed as %+v", s)
	}
	if r := pins[1].release; r.origin != "Debian" || r.archive != "stable-security" || r.label != "Debian-Security" || pins[1].pkgs != nil {
		t.Errorf("release pin parsed as %+v", pins[1])
	}
	if pins[2].origin != "deb.example.org" {
		t.Errorf("origin pin parsed as %+v", pins[2])
	}
	if _, err := parsePreferences(strings.NewReader("Pin: release a=stable\nPin-Priority: 1\n"), "bad"); err == nil {
		t.Error("a record without Package was accepted (apt refuses the file)")
	}
}

func TestReleasePinMatches(t *testing.T) {
	sec := pkgFile{Rel: release{Origin: "Debian", Label: "Debian-Security", Suite: "stable-security", Codename: "bookworm-security", Version: "12"},
		Site: "deb.debian.org", Component: "main", Arch: "amd64"}
	tests := []struct {
		data string
		want bool
	}{
		{"a=stable-security", true},
		{"n=bookworm-security", true},
		{"o=Debian,l=Debian-Security,c=main,b=amd64", true},
		{"o=Debian,l=Debian", false},
		{"v=12", true},
		{"v=1*", true},
		{"v=13", false},
		{"stable-security", true},
		{"bookworm-security", true},
		{"bookworm", false},
		{"12*", true},
		{"a=*-security", true},
		{"*", true},
	}
	for _, tt := range tests {
		p := pin{kind: pinRelease, release: parseReleaseMatch(tt.data)}
		if got := p.fileMatches(&sec); got != tt.want {
			t.Errorf("release %q matches = %v, want %v", tt.data, got, tt.want)
		}
	}
	status := pkgFile{Status: true, Rel: release{Suite: "now"}}
	if p := (pin{kind: pinOrigin, origin: ""}); p.fileMatches(&status) || !p.fileMatches(&pkgFile{}) {
		t.Error(`Pin: origin "" must match local files and not the status file`)
	}
	if p := (pin{kind: pinOrigin, origin: "deb.debian.org"}); !p.fileMatches(&sec) {
		t.Error("origin pin does not match the site")
	}
}

func TestReadPreferencesFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/apt/preferences":              {Data: []byte("Package: a\nPin: version 1\nPin-Priority: 100\n")},
		"etc/apt/preferences.d/b":          {Data: []byte("Package: b\nPin: version 1\nPin-Priority: 100\n")},
		"etc/apt/preferences.d/c.pref":     {Data: []byte("Package: c\nPin: version 1\nPin-Priority: 100\n")},
		"etc/apt/preferences.d/d.disabled": {Data: []byte("Package: d\nPin: version 1\nPin-Priority: 100\n")},
		"etc/apt/apt.conf.d/10release":     {Data: []byte("// pin the release\nAPT::Default-Release \"stable\";\n")},
		"etc/apt/apt.conf.d/20other.conf":  {Data: []byte("APT::Install-Recommends \"false\";\n")},
	}
	pins, err := readPreferences(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pins {
		if p.pkgs == nil {
			names = append(names, p.where+"="+p.release.release)
			continue
		}
		names = append(names, p.pkgs[0].name)
	}
	if got := strings.Join(names, " "); got != "APT::Default-Release=stable a b c" {
		t.Errorf("pins in order: %q", got)
	}
}
