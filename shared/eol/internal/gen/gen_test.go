package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEmbeddedDataMatchesSources regenerates every data file from the copies of the sources
// in ../shared/data/eol (when present) and requires the embedded files to be identical: the
// data in the build is exactly what the refresh command produces.
func TestEmbeddedDataMatchesSources(t *testing.T) {
	src := filepath.Join("..", "..", "..", "..", "..", "shared", "data", "eol")
	if _, err := os.Stat(filepath.Join(src, "endoflife.date", "products")); err != nil {
		t.Skipf("no source copies at %s: %v", src, err)
	}
	out := t.TempDir()
	if err := run([]string{"-distro-info", filepath.Join(src, "distro-info-data", "deb12u7"), "-endoflife", filepath.Join(src, "endoflife.date"), "-out", out}, io.Discard); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(distroProducts)+len(eolProducts) {
		t.Errorf("%d files generated, want %d", len(ents), len(distroProducts)+len(eolProducts))
	}
	for _, e := range ents {
		got, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		embedded, err := os.ReadFile(filepath.Join("..", "..", "data", e.Name()))
		if err != nil {
			t.Fatalf("%s is generated but not embedded: %v", e.Name(), err)
		}
		if !bytes.Equal(got, embedded) {
			t.Errorf("shared/eol/data/%s differs from what the sources give: run go generate ./shared/eol (docs/vulndb.md)", e.Name())
		}
	}
}

func TestGenerateFromSmallSources(t *testing.T) {
	dir := t.TempDir()
	csv := "version,codename,series,created,release,eol,eol-lts,eol-elts\n12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-06-10,2028-06-30,2033-06-30\n,Sid,sid,1993-08-16\n14,Forky,forky,2025-08-09\n"
	if err := os.WriteFile(filepath.Join(dir, "debian.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeDistroInfo(dir, dir, distroProducts[0]); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "debian.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#period\tlts\tDebian LTS\talways\n",
		"#period\telts\tExtended LTS (Freexian, by subscription)\tenrolled\n",
		"cycle\tlabel\treleased\tsecurity\tlts\telts\n",
		"12\tDebian 12 (Bookworm)\t2023-06-10\t2026-06-10\t2028-06-30\t2033-06-30\n",
		"14\tDebian 14 (Forky)\t\tongoing\t\t\n",
		"ISC licence",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("debian.tsv lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "Sid") {
		t.Errorf("sid (no version) must be left out:\n%s", b)
	}
}

func TestCell(t *testing.T) {
	d := time.Date(2026, 10, 13, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		v       any
		main    bool
		want    string
		wantErr bool
	}{
		{"date", d, true, "2026-10-13", false},
		{"quoted date", "2026-10-13", false, "2026-10-13", false},
		{"false main: ongoing", false, true, "ongoing", false},
		{"true main: ended", true, true, "ended", false},
		{"absent extra period", nil, false, "", false},
		{"extra period marked over", true, false, "", false},
		{"not a date", "soon", true, "", true},
		{"number", 12, true, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cell(tt.v, tt.main)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("cell(%v, %v) = %q, %v; want %q, err %v", tt.v, tt.main, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
