package match

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// Benchmark data, like the spike's generator: a Debian 12 host with 2,000 binary packages from
// about 1,333 source packages, and 50,000 records with Debian 11, 12 and 13 entries, 15%
// without a fix, half with a CVSS v3 vector, 6,000 of them for linux.
const (
	benchRecords  = 50000
	benchPackages = 2000
	benchSources  = 1333
)

var (
	benchOnce sync.Once
	benchDir  string
	benchHash string
	benchErr  error
)

func benchSnapshotDir(b *testing.B) (string, string) {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = osTempDir()
		if benchErr != nil {
			return
		}
		zp := filepath.Join(benchDir, "Debian-all.zip")
		if benchErr = writeBenchZip(zp); benchErr != nil {
			return
		}
		var m vulndb.Manifest
		m, benchErr = vulndb.Import(context.Background(), filepath.Join(benchDir, "db"), []string{zp}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil)
		benchHash = m.Hash
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "db"), benchHash
}

func benchSource(i int) string { return fmt.Sprintf("src%04d", i) }

func writeBenchZip(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < benchRecords; i++ {
		src := "linux"
		if i >= 6000 {
			src = benchSource(r.IntN(benchSources))
		}
		var affected []map[string]any
		for _, rel := range []string{"11", "12", "13"} {
			events := []map[string]string{{"introduced": "0"}}
			if r.IntN(100) >= 15 {
				events = append(events, map[string]string{"fixed": fmt.Sprintf("1.%d-%d", r.IntN(20), r.IntN(5)+1)})
			}
			affected = append(affected, map[string]any{
				"package":            map[string]string{"ecosystem": "Debian:" + rel, "name": src},
				"ranges":             []map[string]any{{"type": "ECOSYSTEM", "events": events}},
				"ecosystem_specific": map[string]string{"urgency": []string{"low", "medium", "high", "not yet assigned"}[r.IntN(4)]},
			})
		}
		rec := map[string]any{"schema_version": "1.6.0", "id": fmt.Sprintf("CVE-2020-%05d", i), "modified": "2025-01-01T00:00:00Z",
			"published": "2024-01-01T00:00:00Z", "summary": "synthetic", "details": "synthetic record for the benchmark", "affected": affected}
		if i%2 == 0 {
			rec["severity"] = []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
		}
		w, err := zw.Create(fmt.Sprintf("CVE-2020-%05d.json", i))
		if err != nil {
			return err
		}
		if err := json.NewEncoder(w).Encode(rec); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func benchInventory() *inventory.Inventory {
	r := rand.New(rand.NewPCG(3, 4))
	pkgs := make([]inventory.Package, 0, benchPackages)
	for i := 0; i < benchPackages; i++ {
		src := benchSource(i * benchSources / benchPackages)
		if i < 2 { // linux-image and linux-headers, as on a typical host
			src = "linux"
		}
		pkgs = append(pkgs, inventory.Package{Name: fmt.Sprintf("bin%04d", i), Version: fmt.Sprintf("1.%d-%d", r.IntN(20), r.IntN(5)+1), SourceName: src})
	}
	return device("Debian:12", pkgs...)
}

// BenchmarkOpen measures loading and verifying a 50,000-record snapshot; heap-MB is the live
// heap the loaded snapshot holds.
func BenchmarkOpen(b *testing.B) {
	dir, hash := benchSnapshotDir(b)
	var snap *vulndb.Snapshot
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		var err error
		if snap, err = vulndb.Open(context.Background(), dir, hash); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(snap.Len()), "records")
}

// BenchmarkMatch measures matching a 2,000-package inventory against the loaded snapshot, cache
// disabled, findings and classes included.
func BenchmarkMatch(b *testing.B) {
	dir, hash := benchSnapshotDir(b)
	snap, err := vulndb.Open(context.Background(), dir, hash)
	if err != nil {
		b.Fatal(err)
	}
	inv := benchInventory()
	m := New(snap, 0)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var n int
	cpu0 := cpuTime(b)
	for b.Loop() {
		res, err := m.Match(context.Background(), inv, now)
		if err != nil {
			b.Fatal(err)
		}
		n = len(res.Findings)
	}
	b.ReportMetric(float64(n), "findings")
	// The machine is shared: CPU time per inventory (all threads, GC included) shows the cost
	// when the wall time is inflated by other processes.
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkNewMatcher measures what New reads once per snapshot (ids, dates, severities of
// 50,000 records); heap-MB is the live heap it adds.
func BenchmarkNewMatcher(b *testing.B) {
	dir, hash := benchSnapshotDir(b)
	snap, err := vulndb.Open(context.Background(), dir, hash)
	if err != nil {
		b.Fatal(err)
	}
	var m *Matcher
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		m = New(snap, 0)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
	runtime.KeepAlive(m)
}
