package vulndb

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var importAt = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

const fixtures = "testdata/osv"

func importFixtures(t *testing.T) (string, Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := Import(context.Background(), dir, []string{fixtures}, importAt, nil)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return dir, m
}

func TestImportReportsEveryProblem(t *testing.T) {
	_, m := importFixtures(t)
	if m.Records != 21 || m.Withdrawn != 2 {
		t.Errorf("records=%d withdrawn=%d, want 21 and 2", m.Records, m.Withdrawn)
	}
	if diff := cmp.Diff(map[string]int{"NewDistro:1": 1}, m.UnknownEcosystems); diff != "" {
		t.Errorf("unknown ecosystems (-want +got):\n%s", diff)
	}
	wantEco := map[string]int{"Alpine": 2, "Debian": 6, "Go": 3, "PyPI": 1, "Rocky Linux": 5, "Ubuntu": 2}
	if diff := cmp.Diff(wantEco, m.Ecosystems); diff != "" {
		t.Errorf("ecosystems (-want +got):\n%s", diff)
	}
	if m.Releases["Rocky Linux"] != 1 || m.Releases["Rocky Linux:9"] != 3 || m.Releases["Ubuntu:22.04"] != 2 || m.Releases["Ubuntu:Pro:18.04"] != 1 {
		t.Errorf("releases = %v", m.Releases)
	}
	tests := []struct {
		name, id, level, reason string
	}{
		{"record without id", "", LevelError, "record has no id"},
		{"not JSON", "", LevelError, "not valid JSON"},
		{"unparseable epoch in a range", "DSA-9003-1", LevelError, `version "abc:2.36-9+deb12u7"`},
		{"range without events", "DSA-9003-1", LevelError, "glibc-noevents"},
		{"unknown ecosystem kept", "DSA-9003-1", LevelNotice, `ecosystem "NewDistro:1" is not an OSV ecosystem`},
		{"record with no usable entry", "DSA-9003-1", LevelError, "no affected entry can be matched"},
		{"range without introduced", "DSA-9004-1", LevelError, "no introduced event"},
		{"record left with nothing to match", "DSA-9004-1", LevelError, "no affected entry can be matched"},
		{"unknown field kept", "DEBIAN-CVE-2099-0001", LevelNotice, "x_vendor_extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range m.Problems {
				if p.ID == tt.id && p.Level == tt.level && strings.Contains(p.Reason, tt.reason) {
					if p.Source == "" {
						t.Errorf("problem %v names no source", p)
					}
					return
				}
			}
			t.Errorf("no %s problem for %q containing %q in %v", tt.level, tt.id, tt.reason, m.Problems)
		})
	}
	if len(m.Problems) != len(tests) {
		t.Errorf("%d problems, want %d: %v", len(m.Problems), len(tests), m.Problems)
	}
}

// writeAllZips builds one OSV all.zip per fixture ecosystem, as osv.dev publishes them.
func writeAllZips(t *testing.T, src string) []string {
	t.Helper()
	ecos, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ecos {
		if !e.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		zp := filepath.Join(t.TempDir(), e.Name(), "all.zip")
		if err := os.MkdirAll(filepath.Dir(zp), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(zp)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for _, rf := range files {
			b, err := os.ReadFile(filepath.Join(src, e.Name(), rf.Name()))
			if err != nil {
				t.Fatal(err)
			}
			w, err := zw.Create(rf.Name())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		out = append(out, zp)
	}
	return out
}

func TestImportAllZipGivesSameSnapshot(t *testing.T) {
	_, fromDir := importFixtures(t)
	zips := writeAllZips(t, fixtures)
	dir := t.TempDir()
	var seen []Progress
	m, err := Import(context.Background(), dir, zips, importAt, func(p Progress) { seen = append(seen, p) })
	if err != nil {
		t.Fatalf("Import zips: %v", err)
	}
	if m.Hash != fromDir.Hash {
		t.Errorf("zip import hash %s, directory import hash %s: same records must hash the same", m.Hash, fromDir.Hash)
	}
	if len(m.Sources) != len(zips) || m.Sources[0].Kind != "zip" || len(m.Sources[0].SHA256) != 64 {
		t.Errorf("sources = %+v", m.Sources)
	}
	if len(seen) != len(zips) {
		t.Errorf("progress called %d times, want once per source (%d)", len(seen), len(zips))
	}
	// Importing the same content again returns the existing snapshot untouched.
	again, err := Import(context.Background(), dir, zips, importAt.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Created.Equal(importAt) {
		t.Errorf("re-import created = %v, want the first snapshot's %v", again.Created, importAt)
	}
	list, err := List(dir)
	if err != nil || len(list) != 1 || list[0].Hash != m.Hash {
		t.Errorf("List = %v, %v; want the one snapshot", list, err)
	}
}

func TestImportRejectsBadInput(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
	}{
		{"no paths", nil},
		{"missing file", []string{"testdata/does-not-exist.zip"}},
		{"not a zip", []string{"import_test.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Import(context.Background(), t.TempDir(), tt.paths, importAt, nil); err == nil {
				t.Error("Import succeeded")
			}
		})
	}
}

func TestOpenDetectsCorruption(t *testing.T) {
	dir, m := importFixtures(t)
	if _, err := Open(context.Background(), dir, m.Hash); err != nil {
		t.Fatalf("Open intact snapshot: %v", err)
	}
	if _, err := Open(context.Background(), dir, strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open unknown hash: %v, want ErrNotFound", err)
	}
	recs := filepath.Join(dir, m.Hash, RecordsFile)
	b, err := os.ReadFile(recs)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"flipped byte", func(b []byte) []byte { c := append([]byte(nil), b...); c[len(c)/2] ^= 0xff; return c }},
		{"other records", func([]byte) []byte { return gz(t, []byte(`{"id":"X-1"}`+"\n")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.Chmod(recs, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(recs, tt.mutate(b), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(context.Background(), dir, m.Hash)
			if err == nil || !strings.Contains(err.Error(), "corrupted") {
				t.Errorf("Open = %v, want a corrupted-snapshot error", err)
			}
		})
	}
}
