package assess

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

const benchDevices = 100_000

// benchScope is 100,000 devices in 90 builds: laptops, desktops and mobiles, one server in 50.
func benchScope() []ScopeDevice {
	types := []string{"laptop", "desktop", "laptop", "mobile"}
	out := make([]ScopeDevice, benchDevices)
	for i := range out {
		t := types[i%len(types)]
		if i%50 == 0 {
			t = "server"
		}
		out[i] = ScopeDevice{ID: fmt.Sprintf("dev-%06d", i), Type: t, Build: fmt.Sprintf("Build %02d", i%90), Hostname: fmt.Sprintf("host-%06d", i)}
	}
	return out
}

// benchAssessment creates a frozen assessment of 100,000 devices.
func benchAssessment(b *testing.B, svc *Service, id string) {
	ctx := context.Background()
	if _, err := svc.Create(ctx, CreateRequest{ID: id, Organisation: "Bench Ltd", TestAllTypes: []string{"server"}, Snapshot: fmt.Sprintf("%064x", 1)}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ImportScope(ctx, id, benchScope()); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Freeze(ctx, id); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDraw draws Sample 1 (commit, reveal, both events stored) from a frozen scope of
// 100,000 devices; each iteration has its own assessment, created outside the timer.
func BenchmarkDraw(b *testing.B) {
	for _, be := range assesstest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			clock := assesstest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			svc := New(Deps{Store: be.Open(b), Now: clock.Now})
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				id := fmt.Sprintf("bench-draw-%d", i)
				benchAssessment(b, svc, id)
				b.StartTimer()
				sm, err := svc.Draw(context.Background(), id, 1)
				if err != nil {
					b.Fatal(err)
				}
				if len(sm.Devices) < 400 {
					b.Fatalf("drew %d devices", len(sm.Devices))
				}
			}
		})
	}
}

// BenchmarkVerdict computes the verdict of a stored assessment of 100,000 devices: Sample 1
// tested (a failure, then a retest), Sample 2 drawn, declared and tested, 10 findings per test;
// the timer covers reading every event from the store, the replay and rules.EvaluateCEPlus.
func BenchmarkVerdict(b *testing.B) {
	for _, be := range assesstest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			clock := assesstest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			svc := New(Deps{Store: be.Open(b), Now: clock.Now})
			benchAssessment(b, svc, "bench-verdict")
			tests := 0
			for n := 1; n <= 2; n++ {
				sm, err := svc.Draw(ctx, "bench-verdict", n)
				if err != nil {
					b.Fatal(err)
				}
				if n == 2 {
					if _, err := svc.Declare(ctx, "bench-verdict"); err != nil {
						b.Fatal(err)
					}
				}
				clock.Advance(time.Hour)
				req := ImportRequest{Sample: n}
				for i, d := range sm.Devices {
					req.Devices = append(req.Devices, DeviceResult{Device: d, Findings: benchFindings(clock.Now(), n == 1 && i == 0)})
				}
				if _, err := svc.ImportResults(ctx, "bench-verdict", req); err != nil {
					b.Fatal(err)
				}
				tests += len(req.Devices)
				if n == 1 {
					clock.Advance(24 * time.Hour)
					if _, err := svc.ImportResults(ctx, "bench-verdict", ImportRequest{Sample: 1, Devices: []DeviceResult{{Device: sm.Devices[0], Findings: benchFindings(clock.Now(), false)}}}); err != nil {
						b.Fatal(err)
					}
				}
			}
			clock.Advance(time.Hour)
			b.ReportMetric(float64(tests), "tests")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v, err := svc.Verdict(ctx, "bench-verdict")
				if err != nil {
					b.Fatal(err)
				}
				if v.Outcome != rules.OutcomePass {
					b.Fatalf("verdict %s: %v", v.Outcome, v.Reasons)
				}
			}
		})
	}
}

// benchFindings are 10 findings that do not fail the device (low severity or within grace),
// plus one failing finding when fail is set.
func benchFindings(now time.Time, fail bool) []rules.Finding {
	var out []rules.Finding
	recent := calendar.DateOf(now.AddDate(0, 0, -3))
	old := calendar.DateOf(now.AddDate(0, 0, -60))
	low, high := 3.1, 9.8
	for i := range 10 {
		f := rules.Finding{IDs: []string{fmt.Sprintf("CVE-2026-%04d", i)}, Package: fmt.Sprintf("pkg-%d", i), Installed: "1.0", Fixed: "1.1"}
		if i%2 == 0 {
			f.Severity, f.FixReleased = &rules.Severity{CVSS3: &low}, &old
		} else {
			f.Severity, f.FixReleased = &rules.Severity{CVSS3: &high}, &recent
		}
		out = append(out, f)
	}
	if fail {
		out = append(out, rules.Finding{IDs: []string{"CVE-2026-9999"}, Package: "openssl", Installed: "3.0.1", Fixed: "3.0.2", Severity: &rules.Severity{CVSS3: &high}, FixReleased: &old})
	}
	return out
}
