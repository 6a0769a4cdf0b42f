package difftest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/match"
	"github.com/google/go-cmp/cmp"
)

// The side-by-side data, as in shared/match's BenchmarkMatch: a Debian host with 2,000 binary
// packages from 1,333 source packages and 50,000 records with entries for Debian 11, 12 and
// 13, 15% without a fix, half with a CVSS vector, 6,000 of them for linux.
const (
	sideRecords  = 50000
	sidePackages = 2000
	sideSources  = 1333
)

func sideData(release string) ([]map[string]any, []inventory.Package, string) {
	r := rand.New(rand.NewPCG(1, 2))
	src := func(i int) string { return fmt.Sprintf("src%04d", i) }
	recs := make([]map[string]any, 0, sideRecords)
	for i := range sideRecords {
		name := "linux"
		if i >= 6000 {
			name = src(r.IntN(sideSources))
		}
		var affected []map[string]any
		for _, rel := range []string{"11", "12", "13"} {
			events := []string{"introduced", "0"}
			if r.IntN(100) >= 15 {
				events = append(events, "fixed", fmt.Sprintf("1.%d-%d", r.IntN(20), r.IntN(5)+1))
			}
			e := entry("Debian:"+rel, name, "ECOSYSTEM", events...)
			e["ecosystem_specific"] = map[string]string{"urgency": []string{"low", "medium", "high", "not yet assigned"}[r.IntN(4)]}
			affected = append(affected, e)
		}
		rc := rec(fmt.Sprintf("CVE-2020-%05d", i), "2024-01-01T00:00:00Z", affected...)
		if i%2 == 0 {
			rc["severity"] = []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
		}
		recs = append(recs, rc)
	}
	r = rand.New(rand.NewPCG(3, 4))
	var pkgs []inventory.Package
	var status strings.Builder
	for i := range sidePackages {
		s := src(i * sideSources / sidePackages)
		if i < 2 {
			s = "linux"
		}
		p := inventory.Package{Name: fmt.Sprintf("bin%04d", i), Version: fmt.Sprintf("1.%d-%d", r.IntN(20), r.IntN(5)+1), SourceName: s,
			Ecosystem: "Debian:" + release, Arch: "amd64"}
		pkgs = append(pkgs, p)
		fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nSource: %s\nVersion: %s\nDescription: synthetic\n\n", p.Name, p.SourceName, p.Version)
	}
	return recs, pkgs, status.String()
}

// BenchmarkSideBySide matches a 2,000-package inventory against 50,000 records with our
// matcher and with osv-scanner's DoScan (offline, the same records), checks that both find
// the same (package, record) pairs, and reports both times and their ratio. DoScan takes
// minutes: it runs only with CEPLUS_BENCH_DOSCAN set, once, from `make bench-vulndb`.
func BenchmarkSideBySide(b *testing.B) {
	if os.Getenv("CEPLUS_BENCH_DOSCAN") == "" {
		b.Skip("DoScan takes minutes on this data: run `make bench-vulndb` (sets CEPLUS_BENCH_DOSCAN=1)")
	}
	release := hostDebian(b)
	recs, pkgs, status := sideData(release)
	dir := b.TempDir()
	statusPath := filepath.Join(dir, "status")
	if err := os.WriteFile(statusPath, []byte(status), 0o644); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	snap := writeDB(b, dir, map[string][]map[string]any{"Debian": recs})
	b.Logf("wrote all.zip and imported and loaded our snapshot in %v", time.Since(start).Round(time.Millisecond))
	inv := device("Debian:"+release, pkgs)
	m := match.New(snap, 0)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var oursTime, doscanTime time.Duration
	var findings int
	for b.Loop() {
		const runs = 10
		t0 := time.Now()
		for range runs {
			res, err := m.Match(context.Background(), inv, now)
			if err != nil {
				b.Fatal(err)
			}
			findings = len(res.Findings)
		}
		oursTime = time.Since(t0) / runs
		got := ours(b, snap, inv)
		t0 = time.Now()
		want := doScan(b, dir, "dpkg-status:"+statusPath)
		doscanTime = time.Since(t0)
		if diff := cmp.Diff(want, got); diff != "" {
			b.Fatalf("(package, record) pairs differ (-DoScan +ours):\n%s", diff)
		}
		b.Logf("%d findings, %d (package, record) pairs identical; ours %v per inventory, DoScan %v: %.0fx",
			findings, len(got), oursTime.Round(time.Microsecond), doscanTime.Round(time.Millisecond), float64(doscanTime)/float64(oursTime))
	}
	b.ReportMetric(float64(oursTime.Microseconds())/1000, "ours-ms")
	b.ReportMetric(doscanTime.Seconds(), "doscan-s")
	b.ReportMetric(float64(doscanTime)/float64(oursTime), "ratio")
}
