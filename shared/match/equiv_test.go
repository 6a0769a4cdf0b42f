package match

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/go-cmp/cmp"
)

// variedRecords generates n OSV records that exercise every path of range evaluation and
// finding construction: Debian entries for several releases and entries without a release,
// epochs and tildes, several introduced events, last_affected and limit, versions lists,
// SEMVER ranges, a record listing one package twice, aliases and related CVEs that merge
// records per package, CVSS vectors and vendor words, missing and placeholder dates,
// withdrawn records, and Go and PyPI records.
func variedRecords(n int, r *rand.Rand) []map[string]any {
	deb := func() string {
		v := fmt.Sprintf("%d.%d-%d", r.IntN(3), r.IntN(6), r.IntN(4)+1)
		switch r.IntN(6) {
		case 0:
			v = "1:" + v
		case 1:
			v += "~deb12u" + fmt.Sprint(r.IntN(3)+1)
		case 2:
			v = fmt.Sprintf("%d.%d~rc1-1", r.IntN(3), r.IntN(6))
		}
		return v
	}
	sem := func() string { return fmt.Sprintf("%d.%d.%d", r.IntN(3), r.IntN(4), r.IntN(4)) }
	events := func(ver func() string) []map[string]string {
		intro := "0"
		if r.IntN(3) == 0 {
			intro = ver()
		}
		evs := []map[string]string{{"introduced": intro}}
		switch r.IntN(8) {
		case 0: // no fix
		case 1:
			evs = append(evs, map[string]string{"last_affected": ver()})
		case 2:
			evs = append(evs, map[string]string{"limit": ver()})
		case 3: // two branches, shuffled
			evs = append(evs, map[string]string{"fixed": ver()}, map[string]string{"introduced": ver()}, map[string]string{"fixed": ver()})
			r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		default:
			evs = append(evs, map[string]string{"fixed": ver()})
		}
		return evs
	}
	var out []map[string]any
	for i := range n {
		id := fmt.Sprintf("CVE-2021-%05d", i)
		var affected []map[string]any
		switch r.IntN(10) {
		case 0: // Go module with SEMVER ranges
			id = fmt.Sprintf("GO-2021-%04d", i)
			affected = append(affected, map[string]any{"package": map[string]string{"ecosystem": "Go", "name": fmt.Sprintf("example.com/m%d", r.IntN(20))},
				"ranges": []map[string]any{{"type": "SEMVER", "events": events(sem)}}})
		case 1: // PyPI with a versions list
			id = fmt.Sprintf("GHSA-%04d-aaaa-bbbb", i)
			a := map[string]any{"package": map[string]string{"ecosystem": "PyPI", "name": fmt.Sprintf("Py_Pkg.%d", r.IntN(20))},
				"ranges": []map[string]any{{"type": "ECOSYSTEM", "events": events(sem)}}}
			if r.IntN(2) == 0 {
				a["versions"] = []string{sem(), sem(), sem()}
			}
			affected = append(affected, a)
		default:
			if r.IntN(3) == 0 {
				id = fmt.Sprintf("DSA-%04d-1", i)
			}
			src := fmt.Sprintf("src%02d", r.IntN(40))
			for _, rel := range []string{"Debian:11", "Debian:12", "Debian:13", "Debian"} {
				if r.IntN(3) == 0 {
					continue
				}
				a := map[string]any{"package": map[string]string{"ecosystem": rel, "name": src}}
				var ranges []map[string]any
				for range 1 + r.IntN(2) {
					ranges = append(ranges, map[string]any{"type": "ECOSYSTEM", "events": events(deb)})
				}
				a["ranges"] = ranges
				if r.IntN(6) == 0 {
					a["versions"] = []string{deb(), deb()}
				}
				if r.IntN(3) == 0 {
					a["ecosystem_specific"] = map[string]string{"urgency": []string{"low", "medium", "high", "not yet assigned"}[r.IntN(4)]}
				}
				if r.IntN(8) == 0 {
					a["severity"] = []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}}
				}
				affected = append(affected, a)
				if r.IntN(10) == 0 { // the same package twice in one record
					affected = append(affected, a)
				}
			}
		}
		rec := map[string]any{"id": id, "modified": "2025-06-01T00:00:00Z", "affected": affected}
		switch r.IntN(8) {
		case 0: // no published date
		case 1:
			rec["published"] = "0001-01-01T00:00:00Z"
		default:
			rec["published"] = fmt.Sprintf("2025-%02d-%02dT00:00:00Z", 1+r.IntN(12), 1+r.IntN(28))
		}
		if r.IntN(3) == 0 && i > 0 {
			rec["aliases"] = []string{fmt.Sprintf("CVE-2021-%05d", r.IntN(i))}
		}
		if r.IntN(4) == 0 && i > 0 {
			rec["related"] = []string{fmt.Sprintf("CVE-2021-%05d", r.IntN(i)), fmt.Sprintf("CVE-2021-%05d", r.IntN(i))}
		}
		if r.IntN(3) == 0 {
			rec["severity"] = []map[string]string{{"type": "CVSS_V3", "score": []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H"}[r.IntN(2)]}}
		}
		if r.IntN(40) == 0 {
			rec["withdrawn"] = "2025-07-01T00:00:00Z"
		}
		out = append(out, rec)
	}
	return out
}

func writeZip(t *testing.T, path string, recs []map[string]any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i, rec := range recs {
		w, err := zw.Create(fmt.Sprintf("%d.json", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewEncoder(w).Encode(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// variedInventory is a Debian 12 host whose binaries share sources and versions, with Go
// and PyPI packages and pending security updates.
func variedInventory(r *rand.Rand, n int) *inventory.Inventory {
	var pkgs []inventory.Package
	for i := range n {
		src := fmt.Sprintf("src%02d", r.IntN(45))
		v := fmt.Sprintf("%d.%d-%d", r.IntN(3), r.IntN(6), r.IntN(4)+1)
		if r.IntN(5) == 0 {
			v = "1:" + v
		}
		for b := range 1 + r.IntN(3) { // binaries of one source at one version
			pkgs = append(pkgs, inventory.Package{Name: fmt.Sprintf("bin%03d-%d", i, b), Version: v, SourceName: src, Ecosystem: "Debian:12", Arch: "amd64"})
		}
	}
	for i := range n / 4 {
		pkgs = append(pkgs,
			inventory.Package{Name: fmt.Sprintf("example.com/m%d", i%20), Version: fmt.Sprintf("v%d.%d.%d", r.IntN(3), r.IntN(4), r.IntN(4)), Ecosystem: "Go"},
			inventory.Package{Name: fmt.Sprintf("py-pkg-%d", i%20), Version: fmt.Sprintf("%d.%d.%d", r.IntN(3), r.IntN(4), r.IntN(4)), Ecosystem: "PyPI"})
	}
	inv := device("Debian:12", pkgs...)
	inv.PendingUpdates = []inventory.PendingUpdate{
		{Name: "bin000-0", Installed: "1", Candidate: "2", Security: true, Origin: "Debian-Security"},
		{Name: "unexplained", Installed: "1", Candidate: "2", Security: true, Origin: "Debian-Security", Severity: "High", Released: "2025-01-02"},
	}
	return inv
}

// TestOptimisedMatchesReference checks that the matcher (ranked versions, shared facts,
// parallel jobs, in-place classification) gives exactly the findings of the straightforward
// reference (a parse and comparison per event, findings built per package) on a sizeable
// generated snapshot, with and without the cache.
func TestOptimisedMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	dir := t.TempDir()
	zp := filepath.Join(dir, "all.zip")
	writeZip(t, zp, variedRecords(4000, r))
	m, err := vulndb.Import(context.Background(), filepath.Join(dir, "db"), []string{zp}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := vulndb.Open(context.Background(), filepath.Join(dir, "db"), m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)
	for seed := range uint64(2) {
		inv := variedInventory(rand.New(rand.NewPCG(seed, 9)), 60)
		if seed == 1 {
			inv.PendingUpdates = nil // the matcher then skips sorting findings already in order
		}
		want, err := refMatch(context.Background(), snap, inv, now)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: %d packages, %d findings, %d missing updates", seed, len(inv.Packages), len(want.Findings), len(want.MissingUpdates))
		if len(want.Findings) < 1000 {
			t.Fatalf("seed %d: only %d reference findings; the generated data does not exercise the matcher", seed, len(want.Findings))
		}
		for _, cacheSize := range []int{0, 4} {
			t.Run(fmt.Sprintf("seed %d cache %d", seed, cacheSize), func(t *testing.T) {
				mt := New(snap, cacheSize)
				for range 2 { // the second call of a cached matcher is a cache hit
					got, err := mt.Match(context.Background(), inv, now)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Fatalf("optimised result differs from the reference (-ref +got):\n%s", diff)
					}
				}
			})
		}
	}
}

// TestAffectingMatchesEvaluate checks the ranked evaluation entry by entry against
// Affected.Evaluate for every version that occurs in the generated records.
func TestAffectingMatchesEvaluate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	dir := t.TempDir()
	zp := filepath.Join(dir, "all.zip")
	writeZip(t, zp, variedRecords(3000, r))
	m, err := vulndb.Import(context.Background(), filepath.Join(dir, "db"), []string{zp}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := vulndb.Open(context.Background(), filepath.Join(dir, "db"), m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, rel := range []string{"Debian:11", "Debian:12", "Debian:13"} {
		eco, err := vulndb.ParseEco(rel)
		if err != nil {
			t.Fatal(err)
		}
		for s := range 40 {
			name := fmt.Sprintf("src%02d", s)
			for _, v := range []string{"0.0-1", "1.2-3", "1:1.2-3", "2.5-4", "1.3~rc1-1", "1.3-1~deb12u2", "9.9-9"} {
				want, wantProblems := refEvaluate(snap, eco, name, v)
				got, gotProblems := snap.Affecting(eco, name, v)
				var gotHits []hit
				for _, h := range got {
					gotHits = append(gotHits, hit{rec: h.Rec, aff: h.Aff, fixed: h.Fixed})
				}
				if diff := cmp.Diff(want, gotHits, cmp.AllowUnexported(hit{})); diff != "" {
					t.Errorf("%s %s %s (-Evaluate +Affecting):\n%s", rel, name, v, diff)
				}
				if diff := cmp.Diff(wantProblems, gotProblems); diff != "" {
					t.Errorf("%s %s %s problems (-Evaluate +Affecting):\n%s", rel, name, v, diff)
				}
				checked += len(want)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d hits checked", checked)
	}
}
