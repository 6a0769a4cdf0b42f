package match

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/go-cmp/cmp"
)

var (
	fixtureOnce sync.Once
	fixtureSnap *vulndb.Snapshot
	fixtureErr  error
)

// fixtureSnapshot imports vulndb's hand-written OSV fixtures once per test binary.
func fixtureSnapshot(t testing.TB) *vulndb.Snapshot {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := osTempDir()
		if err != nil {
			fixtureErr = err
			return
		}
		m, err := vulndb.Import(context.Background(), dir, []string{"../vulndb/testdata/osv"}, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), nil)
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureSnap, fixtureErr = vulndb.Open(context.Background(), dir, m.Hash)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureSnap
}

func device(eco string, pkgs ...inventory.Package) *inventory.Inventory {
	for i := range pkgs {
		if pkgs[i].Ecosystem == "" {
			pkgs[i].Ecosystem = eco
		}
	}
	return inventory.Merge(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), []inventory.Result{{
		Device:   inventory.Device{Hostname: "h", OSFamily: "linux", OSVersion: "1", Ecosystem: eco},
		Packages: pkgs,
		Status:   inventory.SourceStatus{Name: "test", Status: inventory.Succeeded},
	}})
}

func pkg(name, version, source string) inventory.Package {
	return inventory.Package{Name: name, Version: version, SourceName: source}
}

// brief is the part of a finding the table tests compare.
type brief struct {
	Package, Fixed string
	IDs            []string
	Class          Class
	DateFlag       string
}

func briefs(fs []Finding) []brief {
	var out []brief
	for _, f := range fs {
		out = append(out, brief{f.Package, f.Fixed, f.IDs, f.Class, f.FixDateFlag})
	}
	return out
}

func TestMatch(t *testing.T) {
	snap := fixtureSnapshot(t)
	opensslIDs := []string{"ALPINE-CVE-2024-0727", "CVE-2024-0727", "DSA-9001-1"}
	zlibIDs := []string{"CVE-2023-45853", "DEBIAN-CVE-2023-45853"}
	tests := []struct {
		name string
		inv  *inventory.Inventory
		now  time.Time
		want []brief
	}{
		{"debian: source mapping, epochs, merged DSA and CVE record", device("Debian:12",
			pkg("libssl3", "3.0.11-1~deb12u2", "openssl"), pkg("openssl", "3.0.11-1~deb12u2", "openssl"),
			pkg("zlib1g", "1:1.2.13.dfsg-1", "zlib"), pkg("curl", "7.88.1-10+deb12u8", "curl"),
			pkg("bash", "5.2.15-2+b7", "bash"), pkg("libc6", "2.36-9+deb12u4", "glibc")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), []brief{
				// Debian urgency "unimportant" is below the bar: the rules engine says low before no_fix.
				{"bash", "", []string{"CVE-2099-0001", "DEBIAN-CVE-2099-0001"}, ClassLow, ""},
				{"libssl3", "3.0.13-1~deb12u1", opensslIDs, ClassLow, ""},
				{"openssl", "3.0.13-1~deb12u1", opensslIDs, ClassLow, ""},
				{"zlib1g", "1:1.2.13.dfsg-2", zlibIDs, ClassFail, DateCVERecord},
			}},
		{"debian: patched with epoch and tilde", device("Debian:12",
			pkg("libssl3", "3.0.13-1~deb12u1", "openssl"), pkg("zlib1g", "1:1.2.13.dfsg-3", "zlib")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), nil},
		{"debian: an epoch-less version is older than any epoch", device("Debian:12",
			pkg("zlib1g", "1.2.13.dfsg-3", "zlib")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), []brief{{"zlib1g", "1:1.2.13.dfsg-2", zlibIDs, ClassFail, DateCVERecord}}},
		{"debian: CVE record touched within grace needs a decision", device("Debian:12",
			pkg("zlib1g", "1:1.2.13.dfsg-1", "zlib")),
			time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC), []brief{{"zlib1g", "1:1.2.13.dfsg-2", zlibIDs, ClassNeedsDecision, DateCVERecord}}},
		{"ubuntu LTS: source mapping, USN merged", device("Ubuntu:22.04:LTS",
			pkg("libssl3", "3.0.2-0ubuntu1.10", "openssl")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), []brief{
				{"libssl3", "3.0.2-0ubuntu1.15", []string{"CVE-2024-9999", "UBUNTU-CVE-2024-9999", "USN-9999-1"}, ClassLow, ""}}},
		{"ubuntu without the LTS suffix matches the same", device("Ubuntu:22.04",
			pkg("libssl3", "3.0.2-0ubuntu1.10", "openssl")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), []brief{
				{"libssl3", "3.0.2-0ubuntu1.15", []string{"CVE-2024-9999", "UBUNTU-CVE-2024-9999", "USN-9999-1"}, ClassLow, ""}}},
		{"alpine: origin mapping, _git and -r", device("Alpine:v3.19",
			pkg("musl-utils", "1.2.4_git20230717-r4", "musl"), pkg("libcrypto3", "3.1.4-r6", "openssl")),
			time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC), []brief{
				{"musl-utils", "1.2.4_git20230717-r5", []string{"ALPINE-CVE-2025-26519", "CVE-2025-26519"}, ClassWithinGrace, DateCVERecord}}},
		{"rocky 9 fully patched: no findings", device("Rocky Linux:9",
			pkg("openssl", "1:3.0.7-16.el9_2", "openssl-3.0.7-16.el9_2.src.rpm"), pkg("openssl-libs", "1:3.0.7-16.el9_2", ""),
			pkg("glibc", "2.34-60.el9_2.7", ""), pkg("glibc-common", "2.34-60.el9_2.7", ""),
			pkg("curl", "7.76.1-23.el9_2.2", ""), pkg("libcurl", "7.76.1-23.el9_2.4", ""),
			pkg("vim-minimal", "2:8.2.2637-20.el9_1", "")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), nil},
		{"rocky 9 behind: binary names, epoch", device("Rocky Linux:9",
			pkg("openssl-libs", "1:3.0.7-6.el9_2", "")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), []brief{
				{"openssl-libs", "1:3.0.7-16.el9_2", []string{"CVE-2023-2650", "CVE-2023-3446", "RLSA-2023:5209"}, ClassFail, ""}}},
		{"rocky 8: own release and release-less records", device("Rocky Linux:8",
			pkg("openssl", "1:1.1.1k-4.el8", "")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), []brief{
				{"openssl", "1:1.1.1k-5.el8", []string{"CVE-2022-0002", "RLSA-2022:0002"}, ClassFail, ""},
				{"openssl", "2:9.0.0-1.el8", []string{"CVE-2023-0101", "RLSA-2023:0101"}, ClassFail, ""}}},
		{"go: alias closure merges GO and GHSA; placeholder date flagged", device("Go",
			pkg("golang.org/x/net", "v0.20.0", "")),
			time.Date(2099, 3, 5, 0, 0, 0, 0, time.UTC), []brief{
				{"golang.org/x/net", "0.23.0", []string{"CVE-2099-1111", "GHSA-aaaa-bbbb-cccc", "GO-2099-0001"}, ClassNeedsDecision, DatePlaceholder}}},
		{"pypi: normalised name, vendor moderate and CVSS 5.4 are low", device("PyPI",
			pkg("jinja2", "3.1.2", "")),
			time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), []brief{
				{"jinja2", "3.1.3", []string{"CVE-2024-22195", "GHSA-h5c8-rqwp-cp95"}, ClassLow, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := New(snap, 0).Match(context.Background(), tt.inv, tt.now)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if diff := cmp.Diff(tt.want, briefs(res.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if len(res.Problems) != 0 {
				t.Errorf("problems: %v", res.Problems)
			}
		})
	}
}

func TestMatchSeverityAndDates(t *testing.T) {
	snap := fixtureSnapshot(t)
	res, err := New(snap, 0).Match(context.Background(), device("Debian:12",
		pkg("libssl3", "3.0.11-1~deb12u2", "openssl"), pkg("zlib1g", "1:1.2.13.dfsg-1", "zlib")), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ssl, zlib := res.Findings[0], res.Findings[1]
	if ssl.Severity.CVSS3 == nil || ssl.Severity.CVSS3.Score != 5.5 || ssl.Severity.CVSS3Record != "CVE-2024-0727" {
		t.Errorf("openssl CVSS = %+v from %s, want 5.5 from CVE-2024-0727", ssl.Severity.CVSS3, ssl.Severity.CVSS3Record)
	}
	if ssl.Severity.Vendor == nil || ssl.Severity.Vendor.Severity != "low" {
		t.Errorf("openssl vendor severity = %+v, want Debian urgency low", ssl.Severity.Vendor)
	}
	// The DSA's published date is the fix release; it wins over the CVE record's.
	if ssl.FixDate != "2024-02-01" || ssl.FixDateSource != "published of DSA-9001-1" || ssl.FixDateFlag != "" {
		t.Errorf("openssl fix date = %q from %q (%s), want the DSA's 2024-02-01", ssl.FixDate, ssl.FixDateSource, ssl.FixDateFlag)
	}
	if len(ssl.Evidence) != 2 {
		t.Errorf("openssl evidence = %+v, want the DSA and the CVE record", ssl.Evidence)
	}
	if zlib.Severity.CVSS3 == nil || zlib.Severity.CVSS3.Score != 9.8 || zlib.FixDate != "2023-10-14" || zlib.FixDateSource != "published of DEBIAN-CVE-2023-45853" {
		t.Errorf("zlib finding = %+v", zlib)
	}
	if diff := cmp.Diff([]MissingUpdate{
		{Ecosystem: "Debian:12", SourcePackage: "openssl", Packages: []string{"libssl3"}, Installed: "3.0.11-1~deb12u2", Fixed: "3.0.13-1~deb12u1", IDs: []string{"ALPINE-CVE-2024-0727", "CVE-2024-0727", "DSA-9001-1"}, Class: ClassLow},
		{Ecosystem: "Debian:12", SourcePackage: "zlib", Packages: []string{"zlib1g"}, Installed: "1:1.2.13.dfsg-1", Fixed: "1:1.2.13.dfsg-2", IDs: []string{"CVE-2023-45853", "DEBIAN-CVE-2023-45853"}, Class: ClassFail},
	}, res.MissingUpdates); diff != "" {
		t.Errorf("missing updates (-want +got):\n%s", diff)
	}
}

func TestMatchEcosystemErrors(t *testing.T) {
	snap := fixtureSnapshot(t)
	tests := []struct {
		name, want string
		inv        *inventory.Inventory
	}{
		{"ecosystem absent from the snapshot", "npm", device("Debian:12", pkg("bash", "5.2.15-2", "bash"), inventory.Package{Name: "lodash", Version: "4.17.20", Ecosystem: "npm"})},
		{"release absent from the snapshot", "Alpine:v3.20", device("Alpine:v3.20", pkg("musl", "1.2.5-r0", "musl"))},
		{"OS ecosystem without release", "names no release", device("Debian", pkg("bash", "5.2.15-2", "bash"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := New(snap, 0).Match(context.Background(), tt.inv, time.Now())
			if !errors.Is(err, ErrEcosystem) || !strings.Contains(err.Error(), tt.want) || res != nil {
				t.Errorf("Match = %v, %v; want an ErrEcosystem error naming %q", res, err, tt.want)
			}
		})
	}
}

func TestMatchReportsUncheckablePackages(t *testing.T) {
	snap := fixtureSnapshot(t)
	inv := device("Debian:12", pkg("libssl3", ":bad", "openssl"), inventory.Package{Name: "Notepad++", Version: "8.6", Ecosystem: "Windows"})
	res, err := New(snap, 0).Match(context.Background(), inv, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 2 || len(res.Findings) != 0 {
		t.Fatalf("problems = %v, findings = %v; want 2 problems and no finding", res.Problems, res.Findings)
	}
	for _, p := range res.Problems {
		if p.Reason == "" || p.Package == "" {
			t.Errorf("problem without package or reason: %+v", p)
		}
	}
}

func TestPendingSecurityUpdates(t *testing.T) {
	snap := fixtureSnapshot(t)
	inv := device("Debian:12", pkg("libssl3", "3.0.11-1~deb12u2", "openssl"), pkg("libc6", "2.36-9+deb12u4", "glibc"))
	inv.PendingUpdates = []inventory.PendingUpdate{
		{Name: "libssl3", Installed: "3.0.11-1~deb12u2", Candidate: "3.0.13-1~deb12u1", Origin: "Debian-Security", Security: true},
		{Name: "libc6", Installed: "2.36-9+deb12u4", Candidate: "2.36-9+deb12u8", Origin: "Debian-Security", Security: true, Released: "2024-06-01"},
		{Name: "tzdata", Installed: "2024a-0+deb12u1", Candidate: "2025b-0+deb12u1", Origin: "Debian", Security: false},
	}
	res, err := New(snap, 0).Match(context.Background(), inv, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var pending []Finding
	for _, f := range res.Findings {
		if f.Kind == KindPendingUpdate {
			pending = append(pending, f)
		}
	}
	if len(pending) != 1 || pending[0].Package != "libc6" || pending[0].Fixed != "2.36-9+deb12u8" ||
		pending[0].Severity.CVSS3 != nil || pending[0].Severity.Vendor != nil || pending[0].Class != ClassFail || pending[0].FixDate != "2024-06-01" {
		t.Errorf("pending findings = %+v, want one for libc6, no severity, fail", pending)
	}
}

func TestCacheMatchesIdenticalInventoriesOnce(t *testing.T) {
	snap := fixtureSnapshot(t)
	m := New(snap, 1)
	a := device("Debian:12", pkg("zlib1g", "1:1.2.13.dfsg-1", "zlib"))
	b := device("Debian:12", pkg("zlib1g", "1:1.2.13.dfsg-1", "zlib"))
	b.Device.Hostname, b.Device.MachineID = "other-host", "42"
	c := device("Debian:12", pkg("zlib1g", "1:1.2.13.dfsg-2", "zlib"))
	steps := []struct {
		name     string
		inv      *inventory.Inventory
		now      time.Time
		wantRuns int64
		wantN    int
		wantCls  Class
	}{
		{"first", a, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), 1, 1, ClassFail},
		{"identical content on another host is a hit", b, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), 1, 1, ClassFail},
		{"a hit is classified for its own date", a, time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC), 1, 1, ClassNeedsDecision},
		{"different content is matched", c, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), 2, 0, ""},
		{"size 1 evicted the first", a, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), 3, 1, ClassFail},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res, err := m.Match(context.Background(), s.inv, s.now)
			if err != nil {
				t.Fatal(err)
			}
			if m.Runs() != s.wantRuns || len(res.Findings) != s.wantN {
				t.Fatalf("runs=%d findings=%d, want %d and %d", m.Runs(), len(res.Findings), s.wantRuns, s.wantN)
			}
			if s.wantN > 0 && res.Findings[0].Class != s.wantCls {
				t.Errorf("class = %s, want %s", res.Findings[0].Class, s.wantCls)
			}
		})
	}
}
