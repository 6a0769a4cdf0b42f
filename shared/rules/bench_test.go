package rules

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// benchEstate builds a CE+ assessment of n devices over many builds with 10 findings on every
// test. Sample 1 fails and is retested clean; Sample 2 is drawn, declared and tested (one device
// repeats a Sample 1 failure). testAll lists the device types tested in full.
func benchEstate(n int, testAll []string) CEPlusCase {
	r := rand.New(rand.NewPCG(1, 2))
	types := []struct {
		typ    string
		share  int // per cent of the estate
		builds int
	}{{"laptop", 50, 40}, {"desktop", 25, 20}, {"mobile", 15, 20}, {"server", 10, 10}}
	var devs []Device
	for _, tp := range types {
		for i := 0; i < n*tp.share/100; i++ {
			devs = append(devs, Device{ID: fmt.Sprintf("%s-%06d", tp.typ, i), Type: tp.typ, Build: fmt.Sprintf("%s build %02d", tp.typ, r.IntN(tp.builds))})
		}
	}
	// A pool of 2,000 vulnerabilities, each with an alias, a package and a fixed version.
	pool := make([]Finding, 2000)
	for i := range pool {
		rel := calendar.NewDate(2026, 1, 1).AddDays(r.IntN(140))
		pool[i] = Finding{IDs: []string{fmt.Sprintf("CVE-2026-%05d", i), fmt.Sprintf("DSA-%d-1", 6000+i)}, Package: fmt.Sprintf("pkg%d", i%500),
			Installed: "1.0", Fixed: fmt.Sprintf("1.%d", i), Severity: cvss(float64(r.IntN(100)) / 10), FixReleased: &rel}
	}
	findings := func() []Finding {
		fs := make([]Finding, 10)
		for j := range fs {
			fs[j] = pool[r.IntN(len(pool))]
		}
		return fs
	}
	clean := func() []Finding { // 10 findings that do not fail: low severity or within grace
		fs := findings()
		for j := range fs {
			fs[j].Severity = cvss(3.0)
		}
		return fs
	}
	// Draw per build: the test_all_types devices and the table's size of the others for Sample 1;
	// Sample 2 the same from devices not in Sample 1 (or all again when none remain).
	all := map[string]bool{}
	for _, t := range testAll {
		all[t] = true
	}
	byBuild := map[string][]string{}
	forced := map[string][]string{}
	var buildOrder []string
	for _, d := range devs {
		if _, seen := byBuild[d.Build]; !seen {
			if _, seen := forced[d.Build]; !seen {
				buildOrder = append(buildOrder, d.Build)
			}
		}
		if all[d.Type] {
			forced[d.Build] = append(forced[d.Build], d.ID)
		} else {
			byBuild[d.Build] = append(byBuild[d.Build], d.ID)
		}
	}
	var s1, s2 []string
	for _, b := range buildOrder {
		others := byBuild[b]
		k := SampleSize(len(others))
		s1 = append(s1, forced[b]...)
		s1 = append(s1, others[:k]...)
		s2 = append(s2, forced[b]...)
		switch rest := others[k:]; {
		case len(rest) == 0:
			s2 = append(s2, others...)
		default:
			s2 = append(s2, rest[:min(k, len(rest))]...)
		}
	}
	at := func(day, second int) time.Time { // histories are stored in time order
		return time.Date(2026, 5, day, 9, 0, 0, 0, time.UTC).Add(time.Duration(second) * time.Second)
	}
	ev := []Event{{At: at(1, 0), Kind: EventScopeFrozen}, {At: at(1, 5), Kind: EventSampleDrawn, Sample: 1, Devices: s1}}
	for i, id := range s1 {
		ev = append(ev, Event{At: at(5, i), Kind: EventDeviceTested, Sample: 1, Device: id, Findings: findings()})
	}
	for i, id := range s1 {
		ev = append(ev, Event{At: at(20, i), Kind: EventDeviceTested, Sample: 1, Device: id, Findings: clean()})
	}
	ev = append(ev, Event{At: at(21, 0), Kind: EventSampleDrawn, Sample: 2, Devices: s2}, Event{At: at(22, 0), Kind: EventSampleDeclared, Sample: 2, Devices: s2})
	for i, id := range s2 {
		ev = append(ev, Event{At: at(26, i), Kind: EventDeviceTested, Sample: 2, Device: id, Findings: clean()})
	}
	// Make sure Sample 1 fails on pool[0] and the last Sample 2 test repeats it by its alias.
	pool[0].Severity, pool[0].FixReleased = cvss(9.8), dayPtr("2026-01-05")
	ev[2].Findings[0] = pool[0]
	ev[len(ev)-1].Findings[0] = Finding{IDs: pool[0].IDs[1:], Package: "other", Fixed: "2", FixReleased: pool[0].FixReleased}
	return CEPlusCase{Now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), TestAllTypes: testAll, Devices: devs, Events: ev}
}

// BenchmarkEvaluateCEPlus measures the verdict for 100,000 devices with 10 findings on every
// test: "realistic" samples per build with servers tested in full; "all-tested" tests every
// device in both samples (2,000,000 findings).
func BenchmarkEvaluateCEPlus(b *testing.B) {
	for _, bc := range []struct {
		name    string
		testAll []string
	}{
		{"realistic", []string{"server"}},
		{"all-tested", DeviceTypes},
	} {
		in := benchEstate(100_000, bc.testAll)
		tests := 0
		for _, e := range in.Events {
			if e.Kind == EventDeviceTested {
				tests++
			}
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var v CEPlusVerdict
			for b.Loop() {
				v = EvaluateCEPlus(in)
			}
			if v.Outcome != OutcomeFail || len(v.Repeated) == 0 {
				b.Fatalf("outcome %s repeated %v: the benchmark estate should end in a repeat", v.Outcome, v.Repeated)
			}
			b.ReportMetric(float64(len(in.Devices)), "devices")
			b.ReportMetric(float64(tests), "tests")
		})
	}
}
