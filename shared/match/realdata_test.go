package match

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/go-cmp/cmp"
)

// sharedData is the project's shared data directory (real OSV records, dpkg status sample).
// Tests that need it skip when it is absent; CI has it.
const sharedData = "../../../shared/data"

// parseDpkgStatus is a minimal dpkg status reader for tests: installed packages with their
// source package (the Source: field without its version, else the package name).
func parseDpkgStatus(r io.Reader, eco string) ([]inventory.Package, error) {
	var out []inventory.Package
	fields := map[string]string{}
	flush := func() {
		if strings.HasSuffix(fields["Status"], " installed") && fields["Package"] != "" {
			src := fields["Package"]
			if s := strings.Fields(fields["Source"]); len(s) > 0 {
				src = s[0]
			}
			out = append(out, inventory.Package{Name: fields["Package"], Version: fields["Version"], SourceName: src,
				Ecosystem: eco, Arch: fields["Architecture"]})
		}
		fields = map[string]string{}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
		default:
			if k, v, ok := strings.Cut(line, ":"); ok {
				fields[k] = strings.TrimSpace(v)
			}
		}
	}
	flush()
	return out, sc.Err()
}

func realSnapshot(t *testing.T) *vulndb.Snapshot {
	t.Helper()
	osv := filepath.Join(sharedData, "osv")
	ents, err := os.ReadDir(osv)
	if err != nil {
		t.Skipf("no real OSV records at %s: %v", osv, err)
	}
	var paths []string
	for _, e := range ents {
		if e.IsDir() {
			paths = append(paths, filepath.Join(osv, e.Name()))
		}
	}
	dir := t.TempDir()
	m, err := vulndb.Import(context.Background(), dir, paths, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatalf("import real records: %v", err)
	}
	t.Logf("real snapshot %s: %d records (%d withdrawn), ecosystems %v, unknown %v, %d problems", m.Hash[:12], m.Records, m.Withdrawn, m.Ecosystems, m.UnknownEcosystems, len(m.Problems))
	for _, p := range m.Problems {
		t.Logf("  %s", p)
		if p.ID == "" {
			t.Errorf("a real record was not stored: %s", p)
		}
	}
	s, err := vulndb.Open(context.Background(), dir, m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func matchDpkg(t *testing.T, m *Matcher, path, eco string) *Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no dpkg status at %s: %v", path, err)
	}
	defer f.Close()
	pkgs, err := parseDpkgStatus(f, eco)
	if err != nil {
		t.Fatal(err)
	}
	inv := device(eco, pkgs...)
	res, err := m.Match(context.Background(), inv, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("match %s: %v", path, err)
	}
	classes := map[Class]int{}
	for _, f := range res.Findings {
		classes[f.Class]++
	}
	t.Logf("%s: %d packages, %d findings %v, %d missing updates, %d problems", path, len(pkgs), len(res.Findings), classes, len(res.MissingUpdates), len(res.Problems))
	return res
}

// TestRealDebianSample matches the real dpkg status sample against the real Debian records and
// checks the matched records against the independent evaluation in
// debian12-matches-this-machine.tsv: exactly the records marked AFFECTED, none with a fix.
func TestRealDebianSample(t *testing.T) {
	snap := realSnapshot(t)
	res := matchDpkg(t, New(snap, 0), filepath.Join(sharedData, "dpkg-status-debian12-sample"), "Debian:12")
	got := map[string]bool{}
	for _, f := range res.Findings {
		for _, e := range f.Evidence {
			got[e.Record] = true
		}
		if f.Fixed != "" {
			t.Errorf("finding with a fix %+v: the records predate every pending update", f)
		}
	}
	tf, err := os.Open(filepath.Join(sharedData, "osv", "debian12-matches-this-machine.tsv"))
	if err != nil {
		t.Skipf("no expectations file: %v", err)
	}
	defer tf.Close()
	r := csv.NewReader(tf)
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, row := range rows[1:] {
		if strings.HasPrefix(row[5], "AFFECTED") {
			want[row[0]] = true
		}
	}
	keys := func(m map[string]bool) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(keys(want), keys(got)); diff != "" {
		t.Errorf("matched records (-tsv +ours):\n%s", diff)
	}
	t.Logf("matched %d records, the TSV marks %d affected", len(got), len(want))
}

// TestRealThisMachine matches this machine's own dpkg status (a Debian host) against the real
// records; it only checks that matching succeeds and reports the counts.
func TestRealThisMachine(t *testing.T) {
	osr, err := os.ReadFile("/etc/os-release")
	if err != nil || !strings.Contains(string(osr), "ID=debian") {
		t.Skip("not a Debian host")
	}
	ver := ""
	for _, l := range strings.Split(string(osr), "\n") {
		if v, ok := strings.CutPrefix(l, "VERSION_ID="); ok {
			ver = strings.Trim(v, `"`)
		}
	}
	snap := realSnapshot(t)
	res := matchDpkg(t, New(snap, 0), "/var/lib/dpkg/status", "Debian:"+ver)
	if len(res.Problems) != 0 {
		t.Errorf("problems: %v", res.Problems)
	}
}
