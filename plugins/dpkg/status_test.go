package dpkg

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseStatus(t *testing.T) {
	long := "Description: x\n " + strings.Repeat("y", 3*readerBufSize) + "\n"
	tests := []struct {
		name    string
		in      string
		want    []statusEntry
		wantErr bool
	}{
		{
			name: "source forms and states",
			in: `Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: compression library
 continuation: not a field
 Version: 9.9 is not a field either

Package: bash
Status: hold ok installed
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b2

Package: libfoo1
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: adduser
Status: install ok half-configured
Architecture: all
Version: 3.134
`,
			want: []statusEntry{
				{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Arch: "amd64", SourceName: "zlib", SourceVersion: "1:1.2.13.dfsg-1", Want: "install", Flag: "ok", State: "installed"},
				{Name: "bash", Version: "5.2.15-2+b2", Arch: "amd64", SourceName: "bash", SourceVersion: "5.2.15-2", Want: "hold", Flag: "ok", State: "installed"},
				{Name: "libfoo1", Version: "1.0-1", Arch: "amd64", SourceName: "libfoo1", SourceVersion: "1.0-1", Want: "deinstall", Flag: "ok", State: "config-files"},
				{Name: "adduser", Version: "3.134", Arch: "all", SourceName: "adduser", SourceVersion: "3.134", Want: "install", Flag: "ok", State: "half-configured"},
			},
		},
		{
			name: "crlf, blank lines and no final newline",
			in:   "\r\n\r\nPackage: a\r\nStatus: install ok installed\r\nVersion: 1\r\nArchitecture: all\r\n\r\n\r\nPackage: b\nStatus: install ok installed\nVersion: 2\nArchitecture: all",
			want: []statusEntry{
				{Name: "a", Version: "1", Arch: "all", SourceName: "a", SourceVersion: "1", Want: "install", Flag: "ok", State: "installed"},
				{Name: "b", Version: "2", Arch: "all", SourceName: "b", SourceVersion: "2", Want: "install", Flag: "ok", State: "installed"},
			},
		},
		{
			name: "line longer than the buffer",
			in:   "Package: big\nStatus: install ok installed\n" + long + "Version: 1.0\nArchitecture: amd64\n",
			want: []statusEntry{{Name: "big", Version: "1.0", Arch: "amd64", SourceName: "big", SourceVersion: "1.0", Want: "install", Flag: "ok", State: "installed"}},
		},
		{name: "stanza without Package", in: "Status: install ok installed\nVersion: 1\n", wantErr: true},
		{name: "malformed Status", in: "Package: a\nStatus: installed\nVersion: 1\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatus(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			for i := range got {
				got[i].ident = verIdent{}
			}
			if d := cmp.Diff(tt.want, got, cmp.AllowUnexported(statusEntry{}, verIdent{})); d != "" && !tt.wantErr {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestSplitSource(t *testing.T) {
	tests := []struct{ src, name, version string }{
		{"", "bin", "1.0-1"},
		{"zlib", "zlib", "1.0-1"},
		{"linux-signed-amd64 (6.1.76+1)", "linux-signed-amd64", "6.1.76+1"},
		{"glibc ( 2.36-9 )", "glibc", "2.36-9"},
		{"odd (", "odd", "1.0-1"},
	}
	for _, tt := range tests {
		n, v := splitSource(tt.src, "bin", "1.0-1")
		if n != tt.name || v != tt.version {
			t.Errorf("splitSource(%q) = %q, %q; want %q, %q", tt.src, n, v, tt.name, tt.version)
		}
	}
}

func TestStatusStates(t *testing.T) {
	for _, tt := range []struct {
		state                       string
		installed, broken, aptHasIt bool
	}{
		{"installed", true, false, true},
		{"triggers-pending", true, false, true},
		{"triggers-awaited", true, false, true},
		{"unpacked", false, true, true},
		{"half-configured", false, true, true},
		{"half-installed", false, true, true},
		{"config-files", false, false, false},
		{"not-installed", false, false, false},
	} {
		e := statusEntry{State: tt.state}
		if e.installed() != tt.installed || e.broken() != tt.broken || e.current() != tt.aptHasIt {
			t.Errorf("%s: installed %v broken %v current %v; want %v %v %v", tt.state,
				e.installed(), e.broken(), e.current(), tt.installed, tt.broken, tt.aptHasIt)
		}
	}
}
