package nmap

import (
	"testing"
	"time"

	nmapxml "github.com/Ullaakut/nmap/v3"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// TestRecordedExposureFindings turns a recorded nmap run (testdata/exposed-services.xml) into
// exposure findings against a hand-written OSV snapshot: the Debian OpenSSH banner pins the
// package and is affected; nginx 1.18.0 is past its end of life.
func TestRecordedExposureFindings(t *testing.T) {
	var nr nmapxml.Run
	if err := nmapxml.Parse(readFixture(t, "exposed-services.xml"), &nr); err != nil {
		t.Fatal(err)
	}
	set, err := resolveTargets(t.Context(), Options{Targets: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	res := discovery.Result{SchemaVersion: discovery.SchemaVersion}
	res.Hosts, _, _ = convertHosts(nr.Hosts, set)

	dir := t.TempDir()
	m, err := vulndb.Import(t.Context(), dir, []string{"testdata/exposed-osv"}, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := vulndb.Open(t.Context(), dir, m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	rep := exposure.Default().Findings(res, snap, calendar.NewDate(2026, 11, 22))
	if len(rep.Hosts) != 1 || rep.Hosts[0].Addresses[0].String() != "127.0.0.1" || len(rep.Problems) != 0 {
		t.Fatalf("report %+v, want findings for 127.0.0.1 only and no problems", rep)
	}
	got := map[uint16]string{}
	for _, f := range rep.Hosts[0].Findings {
		got[f.Evidence.Port] = f.Class
		if f.Evidence.Method != "probed" || f.Evidence.Confidence != 10 || f.Evidence.CPE == "" {
			t.Errorf("finding on port %d lacks nmap's evidence: %+v", f.Evidence.Port, f.Evidence)
		}
		if f.Class == exposure.ClassVulnerable && (len(f.Advisories) != 1 || f.Advisories[0].ID != "DEBIAN-TEST-0001") {
			t.Errorf("advisories %+v, want DEBIAN-TEST-0001", f.Advisories)
		}
	}
	want := map[uint16]string{18022: exposure.ClassVulnerable, 18080: exposure.ClassUnsupported}
	if len(got) != len(want) || got[18022] != want[18022] || got[18080] != want[18080] {
		t.Errorf("findings by port %v, want %v", got, want)
	}
}
