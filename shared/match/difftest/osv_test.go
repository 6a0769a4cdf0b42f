package difftest

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/match"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/osv-scanner/v2/pkg/osvscanner"
)

// denyAll is an HTTP transport that refuses every request: DoScan must not touch the network.
type denyAll struct{ t testing.TB }

func (d denyAll) RoundTrip(r *http.Request) (*http.Response, error) {
	d.t.Errorf("DoScan tried the network: %s %s", r.Method, r.URL)
	return nil, errors.New("network access refused by the differential test")
}

// writeDB writes the records as OSV all.zip files in both layouts: <dir>/osv-scalibr/<Eco>/
// all.zip for DoScan (LocalDBPath) and the same files imported into our snapshot under
// <dir>/vulndb. recs maps a base ecosystem to its records (JSON objects).
func writeDB(t testing.TB, dir string, recs map[string][]map[string]any) *vulndb.Snapshot {
	t.Helper()
	var zips []string
	for eco, rs := range recs {
		p := filepath.Join(dir, "osv-scalibr", eco, "all.zip")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for _, r := range rs {
			w, err := zw.Create(r["id"].(string) + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.NewEncoder(w).Encode(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		zips = append(zips, p)
	}
	slices.Sort(zips)
	m, err := vulndb.Import(context.Background(), filepath.Join(dir, "vulndb"), zips, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := vulndb.Open(context.Background(), filepath.Join(dir, "vulndb"), m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// pair is one (package, vulnerability record) match.
type pair struct{ Package, ID string }

// doScan runs osv-scanner offline on the lockfile paths (with parse-as prefixes such as
// "dpkg-status:") against the database in dbDir and returns its (package, id) pairs: for dpkg
// the binary package name, elsewhere the package name.
func doScan(t testing.TB, dbDir string, paths ...string) []pair {
	t.Helper()
	osvscanner.SetLogger(slog.NewTextHandler(io.Discard, nil))
	res, err := osvscanner.DoScan(osvscanner.ScannerActions{
		LockfilePaths:         paths,
		CompareOffline:        true,
		DownloadDatabases:     false,
		LocalDBPath:           dbDir,
		PluginNetworkDisabled: true,
		ExperimentalScannerActions: osvscanner.ExperimentalScannerActions{
			TransitiveScanning: osvscanner.TransitiveScanningActions{Disabled: true},
			HTTPClient:         &http.Client{Transport: denyAll{t}},
		},
	})
	if err != nil && !errors.Is(err, osvscanner.ErrVulnerabilitiesFound) {
		t.Fatalf("DoScan %v: %v", paths, err)
	}
	var out []pair
	for _, src := range res.Results {
		for _, pv := range src.Packages {
			name := normName(pv.Package.Ecosystem, pv.Package.Name)
			if pv.Package.OSPackageName != "" {
				name = pv.Package.OSPackageName
			}
			for _, v := range pv.Vulnerabilities {
				out = append(out, pair{name, v.GetId()})
			}
		}
	}
	return sorted(out)
}

// ours matches the inventory with our matcher and returns its (package, record) pairs: every
// record in a finding's evidence.
func ours(t testing.TB, snap *vulndb.Snapshot, inv *inventory.Inventory) []pair {
	t.Helper()
	res, err := match.New(snap, 0).Match(context.Background(), inv, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Errorf("our matcher could not check some packages: %v", res.Problems)
	}
	var out []pair
	for _, f := range res.Findings {
		if f.Kind != match.KindAdvisory {
			continue
		}
		for _, e := range f.Evidence {
			out = append(out, pair{normName(f.Ecosystem, f.Package), e.Record})
		}
	}
	return sorted(out)
}

// normName writes a package name as the ecosystem compares it (PEP 503 for PyPI), so that the
// pairs of both sides name a package alike whatever spelling the extractor kept.
func normName(ecosystem, name string) string {
	eco, err := vulndb.ParseEco(ecosystem)
	if err != nil {
		return name
	}
	return vulndb.NormName(eco.Base, name)
}

func sorted(ps []pair) []pair {
	slices.SortFunc(ps, func(a, b pair) int {
		if c := strings.Compare(a.Package, b.Package); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return slices.Compact(ps)
}

// hostDebian returns the VERSION_ID of this host when it runs Debian (DoScan takes the
// release from the scanning host's /etc/os-release, so dpkg cases need one), else skips.
func hostDebian(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		t.Skipf("no /etc/os-release: %v", err)
	}
	id, ver := "", ""
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "ID="); ok {
			id = strings.Trim(v, `"`)
		}
		if v, ok := strings.CutPrefix(l, "VERSION_ID="); ok {
			ver = strings.Trim(v, `"`)
		}
	}
	if id != "debian" || ver == "" {
		t.Skipf("host is %q %q, not Debian: DoScan labels dpkg packages with the host's release", id, ver)
	}
	return ver
}

// readStatus parses a dpkg status file as the osv-scalibr dpkg extractor does: packages whose
// Status is "<want> <flag> installed", with the Source name (without its version).
func readStatus(t testing.TB, path, eco string) []inventory.Package {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no dpkg status %s: %v", path, err)
	}
	defer f.Close()
	var out []inventory.Package
	cur := map[string]string{}
	flush := func() {
		st := strings.Fields(cur["Status"])
		if cur["Package"] != "" && cur["Version"] != "" && len(st) == 3 && st[2] == "installed" {
			src, _, _ := strings.Cut(cur["Source"], " ")
			out = append(out, inventory.Package{Name: cur["Package"], Version: cur["Version"], SourceName: src, Ecosystem: eco, Arch: cur["Architecture"]})
		}
		cur = map[string]string{}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" {
			flush()
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			continue
		}
		if k, v, ok := strings.Cut(l, ":"); ok {
			cur[k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	return out
}

func device(eco string, pkgs []inventory.Package) *inventory.Inventory {
	return inventory.Merge(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), []inventory.Result{{
		Device:   inventory.Device{Hostname: "h", OSFamily: "debian", OSVersion: strings.TrimPrefix(eco, "Debian:"), Ecosystem: eco},
		Packages: pkgs,
		Status:   inventory.SourceStatus{Name: "difftest", Status: inventory.Succeeded},
	}})
}

// rec builds an OSV record: one affected entry per (ecosystem, name, events) triple.
func rec(id, published string, affected ...map[string]any) map[string]any {
	return map[string]any{"schema_version": "1.6.0", "id": id, "modified": "2026-01-01T00:00:00Z", "published": published, "affected": affected}
}

func entry(eco, name, rangeType string, events ...string) map[string]any {
	var evs []map[string]string
	for i := 0; i < len(events); i += 2 {
		evs = append(evs, map[string]string{events[i]: events[i+1]})
	}
	return map[string]any{"package": map[string]string{"ecosystem": eco, "name": name},
		"ranges": []map[string]any{{"type": rangeType, "events": evs}}}
}

func fmtPairs(ps []pair) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s %s\n", p.Package, p.ID)
	}
	return b.String()
}
