package assess

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// recordedResult is a loopback discovery as the nmap plugin reports it: 127.0.0.1 with a
// Debian OpenSSH banner and nginx 1.18.0, and two hosts in no scope entry.
func recordedResult(start time.Time) discovery.Result {
	up := func(a string, svcs ...discovery.Service) discovery.Host {
		return discovery.Host{Addresses: []netip.Addr{netip.MustParseAddr(a)}, Status: discovery.HostUp, Services: svcs}
	}
	return discovery.Result{SchemaVersion: discovery.SchemaVersion,
		Run: discovery.Run{Source: "nmap", Targets: []string{"127.0.0.0/29"}, Scanned: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/29")},
			Start: start, End: start.Add(7 * time.Second), Outcome: discovery.Succeeded, HostsUp: 3, HostsTotal: 8},
		Hosts: []discovery.Host{
			up("127.0.0.1",
				discovery.Service{Port: 22, Protocol: "tcp", State: "open", Name: "ssh", Product: "OpenSSH", Version: "9.2p1 Debian 2+deb12u3",
					ExtraInfo: "protocol 2.0", CPEs: []string{"cpe:/a:openbsd:openssh:9.2p1"}, Method: "probed", Confidence: 10},
				discovery.Service{Port: 80, Protocol: "tcp", State: "open", Name: "http", Product: "nginx", Version: "1.18.0",
					CPEs: []string{"cpe:/a:igor_sysoev:nginx:1.18.0"}, Method: "probed", Confidence: 10}),
			up("127.0.0.2"),
			up("127.0.0.3"),
		}}
}

type discoveryEnv struct {
	ctx   context.Context
	svc   *Service
	disc  *Discovery
	st    store.Store
	clock *assesstest.Clock
	agent store.Agent
	jobs  []ScanJob
}

func newDiscoveryEnv(t *testing.T, be assesstest.Backend) *discoveryEnv {
	t.Helper()
	e := &discoveryEnv{ctx: context.Background(), st: be.Open(t), clock: assesstest.NewClock(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))}
	dir := t.TempDir()
	m, err := vulndb.Import(e.ctx, dir, []string{filepath.Join("..", "..", "..", "shared", "discovery", "exposure", "testdata", "osv")}, e.clock.Now(), nil)
	if err != nil {
		t.Fatalf("import the hand-written OSV records: %v", err)
	}
	e.svc = New(Deps{Store: e.st, Now: e.clock.Now})
	runner := DiscoveryRunnerFunc(func(ctx context.Context, agent identity.AgentID, job ScanJob, progress func(discovery.Progress)) (*discovery.Result, error) {
		e.jobs = append(e.jobs, job)
		progress(discovery.Progress{Task: "Service scan", Percent: 50})
		progress(discovery.Progress{HostsDone: 3})
		res := recordedResult(e.clock.Now())
		return &res, nil
	})
	e.disc = NewDiscovery(e.svc, DiscoveryDeps{Runner: runner, SnapshotDir: dir})
	der := []byte("certificate of scanner-1")
	e.agent = store.Agent{ID: identity.AgentIDFromCert(der), CertDER: der, Hostname: "scanner-1", EnrolledAt: e.clock.Now()}
	if err := e.st.PutAgent(e.ctx, e.agent); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Create(e.ctx, CreateRequest{ID: "asm-d", Organisation: "Example Ltd", Snapshot: m.Hash}); err != nil {
		t.Fatal(err)
	}
	scope := []ScopeDevice{
		{ID: "srv-1", Type: "server", Build: "Debian 12", Addresses: []string{"127.0.0.1"}},
		{ID: "printer-9", Type: "network", Build: "Printer OS 4", Addresses: []string{"127.0.0.5"}},
	}
	if _, err := e.svc.ImportScope(e.ctx, "asm-d", scope); err != nil {
		t.Fatal(err)
	}
	return e
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var we *Error
	if !errors.As(err, &we) || we.Code != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
}

// run starts a job and waits for it to be recorded.
func (e *discoveryEnv) run(t *testing.T, job DiscoveryJob) string {
	t.Helper()
	st, err := e.disc.StartDiscovery(e.ctx, "asm-d", job)
	if err != nil {
		t.Fatalf("start discovery: %v", err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
	defer cancel()
	done, err := e.disc.WaitDiscovery(ctx, "asm-d", st.Run)
	if err != nil || done.State != RunRecorded {
		t.Fatalf("run %s ended %+v, %v", st.Run, done, err)
	}
	return st.Run
}

// TestDiscoveryWorkflow runs the whole collector side with a recorded result: a job outside the
// allow-list is refused before it is sent, the result and its exposure findings are stored and
// checked against the history, reconciliation finds the host in no scope entry and the device
// not seen, a found host joins the frozen scope (refrozen) and another is excluded with a reason.
func TestDiscoveryWorkflow(t *testing.T) {
	for _, be := range assesstest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			e := newDiscoveryEnv(t, be)
			_, err := e.disc.StartDiscovery(e.ctx, "asm-d", DiscoveryJob{Targets: []string{"127.0.0.1"}})
			wantCode(t, err, "no_scanner")
			_, err = e.disc.AddScanner(e.ctx, "asm-d", ScannerRequest{Agent: e.agent.ID.String()[:10], Allow: []string{"0.0.0.0/0"}})
			wantCode(t, err, "invalid_allow_list")
			if _, err := e.disc.AddScanner(e.ctx, "asm-d", ScannerRequest{Agent: e.agent.ID.String()[:10], Allow: []string{"127.0.0.0/24"}}); err != nil {
				t.Fatal(err)
			}
			refused := []struct {
				name string
				job  DiscoveryJob
				code string
			}{
				{"outside the allow-list", DiscoveryJob{Targets: []string{"127.0.0.1", "127.0.1.0/24"}}, "target_not_allowed"},
				{"wider than the allow-list", DiscoveryJob{Targets: []string{"127.0.0.0/16"}}, "target_not_allowed"},
				{"other family", DiscoveryJob{Targets: []string{"::1"}}, "target_not_allowed"},
				{"name", DiscoveryJob{Targets: []string{"localhost"}}, "invalid_job"},
				{"nmap range", DiscoveryJob{Targets: []string{"127.0.0.1-5"}}, "invalid_job"},
				{"ports and top ports", DiscoveryJob{Targets: []string{"127.0.0.1"}, Ports: "22", TopPorts: 10}, "invalid_job"},
				{"bad timeout", DiscoveryJob{Targets: []string{"127.0.0.1"}, Timeout: "2d"}, "invalid_job"},
				{"unknown scanner", DiscoveryJob{Agent: "ffff", Targets: []string{"127.0.0.1"}}, "scanner_not_found"},
			}
			for _, tc := range refused {
				_, err := e.disc.StartDiscovery(e.ctx, "asm-d", tc.job)
				wantCode(t, err, tc.code)
			}
			if len(e.jobs) != 0 {
				t.Fatalf("refused jobs reached the runner: %+v", e.jobs)
			}
			if _, err := e.svc.Freeze(e.ctx, "asm-d"); err != nil {
				t.Fatal(err)
			}
			run := e.run(t, DiscoveryJob{Targets: []string{"127.0.0.0/29"}, Ports: "22,80"})
			if len(e.jobs) != 1 || e.jobs[0].Allowed[0] != netip.MustParsePrefix("127.0.0.0/24") || e.jobs[0].Service != "light" || e.jobs[0].Timeout != defaultJobTimeout {
				t.Errorf("job sent = %+v, want the allow-list, light detection and the default timeout", e.jobs)
			}

			rec, err := e.disc.Reconcile(e.ctx, "asm-d", "latest")
			if err != nil {
				t.Fatal(err)
			}
			if got := hostAddrs(rec.Report.Unknown); got != "127.0.0.2 127.0.0.3" {
				t.Errorf("unknown hosts = %q, want 127.0.0.2 127.0.0.3", got)
			}
			if len(rec.Report.NotSeen) != 1 || rec.Report.NotSeen[0].ID != "printer-9" || len(rec.Report.Matches) != 1 || rec.Report.Matches[0].DeviceID != "srv-1" {
				t.Errorf("reconcile = %+v, want srv-1 matched and printer-9 not seen", rec.Report)
			}

			ex, err := e.disc.Exposure(e.ctx, "asm-d", run)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Counts[exposure.ClassVulnerable] != 1 || ex.Counts[exposure.ClassUnsupported] != 1 || ex.Counts[exposure.ClassUnverified] != 1 ||
				len(ex.Hosts) != 1 || ex.Hosts[0].Device != "srv-1" || len(ex.Hosts[0].Unverified) != 1 || ex.Hosts[0].Unverified[0].Product != "igor_sysoev:nginx" {
				t.Errorf("exposure = %+v, want one vulnerable (openssh), one unsupported and one unverified (nginx) finding on srv-1", ex)
			}

			_, err = e.disc.ExcludeHost(e.ctx, "asm-d", ExcludeRequest{Run: run, Address: "127.0.0.3"})
			wantCode(t, err, "invalid_reason")
			_, err = e.disc.ExcludeHost(e.ctx, "asm-d", ExcludeRequest{Run: run, Address: "127.0.0.1", Reason: "x"})
			wantCode(t, err, "host_in_scope")
			if _, err := e.disc.ExcludeHost(e.ctx, "asm-d", ExcludeRequest{Run: run, Address: "127.0.0.3", Reason: "guest network, segregated"}); err != nil {
				t.Fatal(err)
			}
			_, err = e.disc.AddHost(e.ctx, "asm-d", AddHostRequest{Run: run, Address: "127.0.0.3", Type: "server", Build: "Debian 12"})
			wantCode(t, err, "host_excluded")
			_, err = e.disc.AddHost(e.ctx, "asm-d", AddHostRequest{Run: run, Address: "127.0.0.2", Build: "Debian 12"})
			wantCode(t, err, "invalid_type")
			added, err := e.disc.AddHost(e.ctx, "asm-d", AddHostRequest{Run: run, Address: "127.0.0.2", Type: "server", Build: "Debian 12"})
			if err != nil {
				t.Fatal(err)
			}
			st, err := e.svc.Load(e.ctx, "asm-d")
			if err != nil {
				t.Fatal(err)
			}
			if !added.Refrozen || added.Device.ID != "host-127-0-0-2" || st.Frozen.ScopeHash != added.ScopeHash || len(st.Frozen.Devices) != 3 || len(st.Ignored) != 0 {
				t.Errorf("added %+v; frozen %+v, ignored %v: want the host in a new frozen scope of 3", added, st.Frozen, st.Ignored)
			}
			rec, err = e.disc.Reconcile(e.ctx, "asm-d", run)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Report.Unknown) != 0 || len(rec.Excluded) != 1 || rec.Excluded[0].Exclusion.Reason != "guest network, segregated" || len(rec.Report.Matches) != 2 {
				t.Errorf("reconcile after the decisions = %+v, excluded %+v", rec.Report, rec.Excluded)
			}

			if _, err := e.svc.Commit(e.ctx, "asm-d", 1); err != nil {
				t.Fatal(err)
			}
			run2 := e.run(t, DiscoveryJob{Targets: []string{"127.0.0.0/29"}})
			_, err = e.disc.AddHost(e.ctx, "asm-d", AddHostRequest{Run: run2, Address: "127.0.0.3", Type: "server", Build: "Debian 12"})
			wantCode(t, err, "sample_committed")
			if v, err := e.svc.Verify(e.ctx, "asm-d"); err != nil || !v.OK {
				t.Errorf("verify after discovery = %+v, %v; want ok", v, err)
			}
		})
	}
}

// TestDiscoveryTamperedResult edits a stored result behind the store's back: reading it fails
// naming the hash the history recorded.
func TestDiscoveryTamperedResult(t *testing.T) {
	be := assesstest.Backends()[0]
	e := newDiscoveryEnv(t, be)
	if _, err := e.disc.AddScanner(e.ctx, "asm-d", ScannerRequest{Agent: e.agent.ID.String(), Allow: []string{"127.0.0.0/24"}}); err != nil {
		t.Fatal(err)
	}
	run := e.run(t, DiscoveryJob{Targets: []string{"127.0.0.1"}})
	for _, q := range be.Unguard {
		assesstest.Raw(t, e.st, q)
	}
	assesstest.Raw(t, e.st, `UPDATE events SET payload = replace(payload, '127.0.0.2', '127.0.0.9') WHERE stream = '`+DiscoveryStream("asm-d", run)+`'`)
	_, err := e.disc.Reconcile(e.ctx, "asm-d", run)
	if err == nil || !strings.Contains(err.Error(), "the database was edited") {
		t.Errorf("reconcile of an edited result = %v, want the hash mismatch", err)
	}
}

func hostAddrs(hs []discovery.Host) string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Addresses[0].String())
	}
	return strings.Join(out, " ")
}
