package rpm

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
)

const primaryXML = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm"><name>foo</name><arch>x86_64</arch><version epoch="2" ver="1.0" rel="1.fc39"/>
<format><rpm:provides><rpm:entry name="foo" flags="EQ" epoch="2" ver="1.0" rel="1.fc39"/></rpm:provides></format></package>
<package type="rpm"><name>foo</name><arch>src</arch><version epoch="2" ver="1.0" rel="1.fc39"/></package>
<package type="rpm"><name>bar</name><arch>noarch</arch><version epoch="0" ver="3^git1" rel="2.fc39"/></package>
</metadata>`

func TestParsePrimaryCompressions(t *testing.T) {
	var gz, zs bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, primaryXML)
	zw.Close()
	enc, err := zstd.NewWriter(&zs)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(enc, primaryXML)
	enc.Close()
	want := []available{{"foo", "x86_64", "2", "1.0", "1.fc39"}, {"bar", "noarch", "0", "3^git1", "2.fc39"}}
	tests := []struct {
		name, file string
		data       []byte
		wantErr    bool
	}{
		{"plain", "repodata/primary.xml", []byte(primaryXML), false},
		{"gzip", "repodata/abc-primary.xml.gz", gz.Bytes(), false},
		{"zstd", "repodata/abc-primary.xml.zst", zs.Bytes(), false},
		{"zchunk unsupported", "repodata/abc-primary.xml.zck", []byte("\x00ZCK1"), true},
		{"corrupt gzip", "repodata/abc-primary.xml.gz", []byte("not gzip"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"cache/fedora-0123456789abcdef/" + tt.file: {Data: tt.data}}
			// No repomd.xml: the file is found by name.
			files, err := repoFiles(fsys, cachedRepo{ID: "fedora", Dir: "cache/fedora-0123456789abcdef"}, "primary")
			if err != nil {
				t.Fatal(err)
			}
			r, err := openMetadata(fsys, files["primary"])
			if err == nil {
				var got []available
				got, err = parsePrimary(context.Background(), r)
				r.Close()
				if err == nil && !tt.wantErr {
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("packages (-want +got):\n%s", diff)
					}
				}
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestFindCachedRepos(t *testing.T) {
	dir := func() *fstest.MapFile { return &fstest.MapFile{Mode: 0o755 | 1<<31} }
	fsys := fstest.MapFS{
		"etc/yum.repos.d/a.repo":                     {Data: []byte("[baseos]\nenabled=1\n[appstream]\n# enabled=0\n[crb]\nenabled = False\n")},
		"var/cache/dnf/baseos-0123456789abcdef":      dir(),
		"var/cache/dnf/appstream-fedcba9876543210":   dir(),
		"var/cache/dnf/crb-00112233445566aa":         dir(),
		"var/cache/dnf/removed-00112233445566aa":     dir(),
		"var/cache/dnf/packages":                     dir(),
		"var/cache/dnf/baseos.solv":                  {Data: []byte("x")},
		"var/cache/libdnf5/baseos-0123456789abcdef":  dir(),
		"var/cache/zypp/raw/SLE-Product-SLES15-Pool": dir(),
	}
	got, err := findCachedRepos(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []cachedRepo{
		{ID: "appstream", Dir: "var/cache/dnf/appstream-fedcba9876543210", Manager: "dnf"},
		{ID: "baseos", Dir: "var/cache/dnf/baseos-0123456789abcdef", Manager: "dnf"},
		// No zypper configuration at all: every zypper cache counts.
		{ID: "SLE-Product-SLES15-Pool", Dir: "var/cache/zypp/raw/SLE-Product-SLES15-Pool", Manager: "zypper"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("repos (-want +got):\n%s", diff)
	}
}

func TestIssuedDate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"red hat timestamp", "2023-06-21 19:32:41", "2023-06-21"},
		{"date", "2023-06-21", "2023-06-21"},
		{"suse seconds", "1679000000", "2023-03-16"},
		{"empty", "", ""},
		{"garbage", "soon", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := issuedDate(tt.in); got != tt.want {
				t.Errorf("issuedDate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseUpdateInfoBadXML(t *testing.T) {
	_, err := parseUpdateInfo(context.Background(), strings.NewReader("<updates><update type=\"security\"><id>X</id>"))
	if err == nil {
		t.Fatal("truncated updateinfo parsed without error")
	}
}
