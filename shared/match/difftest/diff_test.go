package difftest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

const published = "2025-01-02T00:00:00Z"

// TestFixtureStatus: a hand-written Debian 12 dpkg status (source packages, epochs, tildes,
// binNMU versions, a removed package) against records for Debian 12, 11 and no release.
func TestFixtureStatus(t *testing.T) {
	ver := hostDebian(t)
	if ver != "12" {
		t.Skipf("the fixture is a Debian 12 host's status; this host is Debian %s", ver)
	}
	dir := t.TempDir()
	snap := writeDB(t, dir, map[string][]map[string]any{"Debian": {
		rec("DSA-9001-1", published, entry("Debian:12", "openssl", "ECOSYSTEM", "introduced", "0", "fixed", "3.0.13-1~deb12u1"),
			entry("Debian:11", "openssl", "ECOSYSTEM", "introduced", "0", "fixed", "1.1.1w-0+deb11u2")),
		rec("DEBIAN-CVE-2023-38545", published, entry("Debian:12", "curl", "ECOSYSTEM", "introduced", "0", "fixed", "7.88.1-10+deb12u4")),
		rec("DEBIAN-CVE-2023-45853", published, entry("Debian:12", "zlib", "ECOSYSTEM", "introduced", "0", "fixed", "1:1.2.13.dfsg-2")),
		rec("DEBIAN-CVE-2011-0001", published, entry("Debian:11", "zlib", "ECOSYSTEM", "introduced", "0", "fixed", "1:1.2.13.dfsg-9")),
		rec("DEBIAN-CVE-2099-0001", published, entry("Debian", "bash", "ECOSYSTEM", "introduced", "0", "fixed", "5.2.15-3")),
		rec("DEBIAN-CVE-2099-0002", published, entry("Debian:12", "bash", "ECOSYSTEM", "introduced", "0", "fixed", "5.2.15-2+b2~1")),
		rec("DEBIAN-CVE-2099-0003", published, entry("Debian:12", "tzdata", "ECOSYSTEM", "introduced", "0", "last_affected", "2024a-0+deb12u1")),
		rec("DEBIAN-CVE-2099-0004", published, entry("Debian:12", "python3.11", "ECOSYSTEM", "introduced", "3.11.2-6+deb12u1", "fixed", "3.11.2-6+deb12u2")),
		rec("DEBIAN-CVE-2099-0005", published, entry("Debian:12", "libcap2", "ECOSYSTEM", "introduced", "0", "fixed", "1:2.66-4+deb12u1")),
		rec("DEBIAN-CVE-2099-0006", published, entry("Debian:12", "libcap2", "ECOSYSTEM", "introduced", "0", "fixed", "1:2.66-4+deb12u2")),
		rec("DEBIAN-CVE-2099-0007", published, entry("Debian:12", "oldpkg", "ECOSYSTEM", "introduced", "0")),
		rec("DEBIAN-CVE-2099-0009", published, entry("Debian:12", "bash", "ECOSYSTEM",
			"introduced", "0", "fixed", "5.0-1", "introduced", "5.2-1", "fixed", "5.2.15-2+b3")),
	}})
	status, err := filepath.Abs(filepath.Join("testdata", "status-debian12"))
	if err != nil {
		t.Fatal(err)
	}
	want := doScan(t, dir, "dpkg-status:"+status)
	got := ours(t, snap, device("Debian:12", readStatus(t, status, "Debian:12")))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(package, record) pairs (-DoScan +ours):\n%s", diff)
	}
	if len(got) < 8 {
		t.Errorf("only %d pairs: the fixture no longer exercises the matchers:\n%s", len(got), fmtPairs(got))
	}
	t.Logf("%d pairs agree:\n%s", len(got), fmtPairs(got))
}

// TestThisMachine: this host's real dpkg status against records generated from its own
// packages (fixed above, at and below the installed version; introduced above; last_affected
// at; versions lists) and, when present, the real OSV Debian records in ../shared/data/osv.
func TestThisMachine(t *testing.T) {
	ver := hostDebian(t)
	eco := "Debian:" + ver
	pkgs := readStatus(t, "/var/lib/dpkg/status", eco)
	bySource := map[string]string{} // source → one binary's version
	for _, p := range pkgs {
		src := p.SourceName
		if src == "" {
			src = p.Name
		}
		if _, ok := bySource[src]; !ok {
			bySource[src] = p.Version
		}
	}
	var srcs []string
	for s := range bySource {
		srcs = append(srcs, s)
	}
	slices.Sort(srcs)
	var recs []map[string]any
	for i, s := range srcs {
		v := bySource[s]
		id := "DEBIAN-CVE-2098-" + strings.Repeat("0", 5-len(itoa(i))) + itoa(i)
		var e map[string]any
		switch i % 6 {
		case 0:
			e = entry(eco, s, "ECOSYSTEM", "introduced", "0", "fixed", v+"+zz1")
		case 1:
			e = entry(eco, s, "ECOSYSTEM", "introduced", "0", "fixed", v)
		case 2:
			e = entry(eco, s, "ECOSYSTEM", "introduced", v+"+zz1")
		case 3:
			e = entry(eco, s, "ECOSYSTEM", "introduced", "0", "last_affected", v)
		case 4:
			e = entry(eco, s, "ECOSYSTEM", "introduced", "0", "fixed", v+"~")
		case 5:
			e = entry(eco, s, "ECOSYSTEM", "introduced", v+"~", "fixed", v+"+zz2")
			e["versions"] = []string{v}
		}
		recs = append(recs, rec(id, published, e))
	}
	recs = append(recs, realDebianRecords(t)...)
	dir := t.TempDir()
	snap := writeDB(t, dir, map[string][]map[string]any{"Debian": recs})
	want := doScan(t, dir, "dpkg-status:/var/lib/dpkg/status")
	got := ours(t, snap, device(eco, pkgs))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(package, record) pairs (-DoScan +ours):\n%s", diff)
	}
	if len(got) < len(srcs)/2 {
		t.Errorf("only %d pairs for %d source packages", len(got), len(srcs))
	}
	t.Logf("%d packages (%d sources), %d records: %d (package, record) pairs agree", len(pkgs), len(srcs), len(recs), len(got))
}

// realDebianRecords returns the real OSV Debian records in ../shared/data/osv/Debian when
// present (CI has them), as decoded JSON objects.
func realDebianRecords(t *testing.T) []map[string]any {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "data", "osv", "Debian")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Logf("no real Debian OSV records at %s (%v): generated records only", dir, err)
		return nil
	}
	var out []map[string]any
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var r map[string]any
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out = append(out, r)
	}
	return out
}

// TestLockfiles: an npm package-lock.json and a pip requirements.txt against npm (SEMVER)
// and PyPI (ECOSYSTEM, versions list, PEP 503 names) records.
func TestLockfiles(t *testing.T) {
	dir := t.TempDir()
	snap := writeDB(t, dir, map[string][]map[string]any{
		"npm": {
			rec("GHSA-35jh-r3h4-6jhm", published, entry("npm", "lodash", "SEMVER", "introduced", "0", "fixed", "4.17.21")),
			rec("GHSA-xvch-5gv4-984h", published, entry("npm", "minimist", "SEMVER", "introduced", "1.0.0", "fixed", "1.2.6")),
			rec("GHSA-0000-left-pad1", published, entry("npm", "left-pad", "SEMVER", "introduced", "2.0.0", "fixed", "2.1.0")),
		},
		"PyPI": {
			rec("GHSA-h5c8-rqwp-cp95", published, entry("PyPI", "jinja2", "ECOSYSTEM", "introduced", "0", "fixed", "3.1.3")),
			withVersions(rec("GHSA-0000-django-01", published, entry("PyPI", "django", "ECOSYSTEM", "introduced", "4.2", "fixed", "4.2.1")), "4.2.0"),
			rec("GHSA-0000-requests1", published, entry("PyPI", "requests", "ECOSYSTEM", "introduced", "0", "last_affected", "2.30.0")),
		},
	})
	lock, err := filepath.Abs(filepath.Join("testdata", "lock"))
	if err != nil {
		t.Fatal(err)
	}
	want := doScan(t, dir, filepath.Join(lock, "package-lock.json"), filepath.Join(lock, "requirements.txt"))
	pkgs := []inventory.Package{
		{Name: "lodash", Version: "4.17.20", Ecosystem: "npm"},
		{Name: "minimist", Version: "1.2.5", Ecosystem: "npm"},
		{Name: "left-pad", Version: "1.3.0", Ecosystem: "npm"},
		{Name: "Jinja2", Version: "3.1.2", Ecosystem: "PyPI"},
		{Name: "django", Version: "4.2.0", Ecosystem: "PyPI"},
		{Name: "requests", Version: "2.31.0", Ecosystem: "PyPI"},
	}
	got := ours(t, snap, device("Debian:12", pkgs))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(package, record) pairs (-DoScan +ours):\n%s", diff)
	}
	if len(got) != 4 {
		t.Errorf("%d pairs, want 4 (lodash, minimist, Jinja2, django):\n%s", len(got), fmtPairs(got))
	}
}

func withVersions(r map[string]any, versions ...string) map[string]any {
	r["affected"].([]map[string]any)[0]["versions"] = versions
	return r
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestKnownDifferences pins the two places where osv-scanner v2.5.1 (osv-scalibr v0.5.3
// osvlocal) and our matcher deliberately disagree, so that a change on either side is seen:
//   - a `limit` event: the OSV schema caps the range below it (a version at or above the
//     limit is not affected); osvlocal ignores limit events, so it reports the version;
//   - a PyPI record whose package name is not in PEP 503 form ("Django"): we compare
//     normalised names on both sides; osvlocal normalises only the installed package's name,
//     so it misses the record (osv.dev publishes PyPI names in normalised form, so this
//     matters only for hand-made or third-party records).
func TestKnownDifferences(t *testing.T) {
	dir := t.TempDir()
	snap := writeDB(t, dir, map[string][]map[string]any{
		"npm":  {rec("GHSA-0000-limit-001", published, entry("npm", "lodash", "SEMVER", "introduced", "0", "limit", "4.17.20"))},
		"PyPI": {rec("GHSA-0000-django-02", published, entry("PyPI", "Django", "ECOSYSTEM", "introduced", "4.0", "fixed", "4.2.1"))},
	})
	lock, err := filepath.Abs(filepath.Join("testdata", "lock"))
	if err != nil {
		t.Fatal(err)
	}
	gotDoScan := doScan(t, dir, filepath.Join(lock, "package-lock.json"), filepath.Join(lock, "requirements.txt"))
	gotOurs := ours(t, snap, device("Debian:12", []inventory.Package{
		{Name: "lodash", Version: "4.17.20", Ecosystem: "npm"},
		{Name: "django", Version: "4.2.0", Ecosystem: "PyPI"},
	}))
	if diff := cmp.Diff([]pair{{"lodash", "GHSA-0000-limit-001"}}, gotDoScan); diff != "" {
		t.Errorf("DoScan (-known behaviour +now):\n%s", diff)
	}
	if diff := cmp.Diff([]pair{{"django", "GHSA-0000-django-02"}}, gotOurs); diff != "" {
		t.Errorf("ours (-known behaviour +now):\n%s", diff)
	}
}
