package apk

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompareVersion(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"equal", "1.2.3-r0", "1.2.3-r0", 0},
		{"revision", "1.2.3-r1", "1.2.3-r0", 1},
		{"revision numeric", "1.2.3-r10", "1.2.3-r9", 1},
		{"numeric parts", "1.10", "1.9", 1},
		{"more parts", "1.2.1", "1.2", 1},
		{"rc before release", "2.0.2_rc1-r0", "2.0.2-r0", -1},
		{"rc order", "1.0_rc2", "1.0_rc10", -1},
		{"alpha beta pre rc", "1.0_alpha1", "1.0_beta1", -1},
		{"pre before rc", "1.0_pre1", "1.0_rc1", -1},
		{"patch after release", "6.4_p20240420-r0", "6.4-r0", 1},
		{"patch order", "6.4_p20240420-r1", "6.4_p20240420-r0", 1},
		{"git after release", "2.4_git20190330-r4", "2.4-r9", 1},
		{"git before patch", "2.4_git20190330", "2.4_p1", -1},
		{"git snapshots", "1.2.4_git20230717-r4", "1.2.4_git20230801-r0", -1},
		{"letter", "2024b-r0", "2024a-r1", 1},
		{"letter after number", "1.0a", "1.0", 1},
		{"date versions", "20240705-r0", "20240226-r0", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compareVersion(tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("compareVersion(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			back, err := compareVersion(tt.b, tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if back != -tt.want {
				t.Errorf("compareVersion(%q, %q) = %d, want %d", tt.b, tt.a, back, -tt.want)
			}
		})
	}
}

func TestParseStanzas(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []record
		wantErr string
	}{
		{"two stanzas, no trailing blank", "C:Q1x=\nP:musl\nV:1.2.5-r0\nA:x86_64\no:musl\nF:lib\nR:libc.so\n\nP:busybox-binsh\nV:1.36.1-r29\nA:x86_64\no:busybox\n",
			[]record{{"musl", "1.2.5-r0", "x86_64", "musl", 1}, {"busybox-binsh", "1.36.1-r29", "x86_64", "busybox", 9}}, ""},
		{"extra blank lines", "\n\nP:a\nV:1\n\n\n", []record{{"a", "1", "", "", 3}}, ""},
		{"value with colon", "P:a\nV:1:2\nT:x:y\n", []record{{"a", "1:2", "", "", 1}}, ""},
		{"no version", "P:a\nA:x86_64\n", nil, "line 1: package stanza without"},
		{"not a field", "P:a\nV:1\nbroken\n", nil, "line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []record
			err := parseStanzas(strings.NewReader(tt.in), func(r record) error { got = append(got, r); return nil })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCacheName(t *testing.T) {
	tests := []struct{ name, url, want string }{
		// Observed in a real Alpine 3.7 container (docker container diff lists both files).
		{"v3.7 main", "http://dl-cdn.alpinelinux.org/alpine/v3.7/main", "APKINDEX.70c88391.tar.gz"},
		{"v3.7 community", "http://dl-cdn.alpinelinux.org/alpine/v3.7/community", "APKINDEX.5022a8a2.tar.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cacheName(tt.url); got != tt.want {
				t.Errorf("cacheName(%q) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}

func TestParseRepositoriesAndWorld(t *testing.T) {
	repos, err := parseRepositories(strings.NewReader("# comment\nhttps://a/v3.20/main\n\n@edge https://a/edge/main\n/media/cdrom/apks\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantRepos := []repository{{URL: "https://a/v3.20/main"}, {URL: "https://a/edge/main", Tag: "edge"}, {URL: "/media/cdrom/apks"}}
	if diff := cmp.Diff(wantRepos, repos); diff != "" {
		t.Errorf("repositories (-want +got):\n%s", diff)
	}
	world, err := parseWorld(strings.NewReader("busybox\nkubectx@testing\ntzdata=2024a-r1\nmusl>=1.2\nfoo=1.0-r0@edge\n!bar\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantWorld := map[string]worldEntry{
		"busybox": {}, "kubectx": {Tag: "testing"}, "tzdata": {Pinned: true, Version: "2024a-r1"},
		"musl": {}, "foo": {Tag: "edge", Pinned: true, Version: "1.0-r0"}, "bar": {},
	}
	if diff := cmp.Diff(wantWorld, world); diff != "" {
		t.Errorf("world (-want +got):\n%s", diff)
	}
}

func TestParseIndexArchive(t *testing.T) {
	good := indexArchive(t, []byte("v3.20.3-94-g6a1d1f4b0b4\n"), []byte("P:musl\nV:1.2.5-r1\nA:x86_64\no:musl\n"))
	idx, err := parseIndexArchive(strings.NewReader(string(good)))
	if err != nil {
		t.Fatal(err)
	}
	want := index{Description: "v3.20.3-94-g6a1d1f4b0b4", Packages: []record{{"musl", "1.2.5-r1", "x86_64", "musl", 1}}}
	if diff := cmp.Diff(want, idx); diff != "" {
		t.Errorf("index (-want +got):\n%s", diff)
	}
	bad := []struct {
		name, wantErr string
		data          []byte
	}{
		{"truncated", "unexpected EOF", good[:len(good)-20]},
		{"no APKINDEX", "no APKINDEX", indexArchiveFiles(t, [][2]string{{"DESCRIPTION", "x"}})},
		{"bad stanza", "APKINDEX: line 2", indexArchiveFiles(t, [][2]string{{"APKINDEX", "P:a\nbroken\n"}})},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIndexArchive(strings.NewReader(string(tt.data)))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
