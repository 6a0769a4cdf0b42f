package nmap

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
)

// fixedClock returns a clock that advances one second per call, so Start and End are inputs.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func findHost(t *testing.T, r discovery.Result, addr string) discovery.Host {
	t.Helper()
	want := netip.MustParseAddr(addr)
	for _, h := range r.Hosts {
		if slices.Contains(h.Addresses, want) {
			return h
		}
	}
	t.Fatalf("host %s not in result: %+v", addr, r.Hosts)
	return discovery.Host{}
}

func findService(t *testing.T, h discovery.Host, port uint16) discovery.Service {
	t.Helper()
	for _, s := range h.Services {
		if s.Port == port {
			return s
		}
	}
	t.Fatalf("port %d not in host %v: %+v", port, h.Addresses, h.Services)
	return discovery.Service{}
}

// TestDiscoverLoopbackServices fingerprints an old nginx and an old OpenSSH that the test serves
// on 127.0.0.1, with real nmap.
func TestDiscoverLoopbackServices(t *testing.T) {
	requireNmap(t)
	web := httpServer(t, "127.0.0.1", "nginx/1.18.0")
	ssh := listen(t, "127.0.0.1", sshBanner("SSH-2.0-OpenSSH_7.4"))
	var events []Progress
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := safeDiscover(t, ctx, Options{
		Targets:         []string{"127.0.0.1"},
		Ports:           ports(web, ssh.addr),
		Service:         ServiceLight,
		AllowedPrefixes: loopback,
		Now:             fixedClock(),
	}, func(p Progress) { events = append(events, p) })
	if err != nil {
		t.Fatalf("Discover: %v (run %+v)", err, res.Run)
	}
	if res.Run.Outcome != discovery.Succeeded || res.Run.HostsUp != 1 || res.Run.HostsTotal != 1 {
		t.Errorf("run = %+v, want succeeded with 1 host up of 1", res.Run)
	}
	if !slices.Contains(res.Run.Args, "-n") {
		t.Errorf("args %v lack -n", res.Run.Args)
	}
	if !res.Run.Start.Equal(time.Date(2026, 11, 22, 10, 0, 1, 0, time.UTC)) || !res.Run.End.After(res.Run.Start) {
		t.Errorf("start %v end %v: want them from the given clock", res.Run.Start, res.Run.End)
	}
	if !strings.HasPrefix(res.Run.Scanner, "nmap ") {
		t.Errorf("scanner = %q, want nmap <version>", res.Run.Scanner)
	}
	h := findHost(t, res, "127.0.0.1")
	if h.Status != discovery.HostUp || len(h.Hostnames) != 0 {
		t.Errorf("host = %+v, want up with no host names (none were given)", h)
	}
	tests := []struct {
		name         string
		port         uint16
		svc, product string
		version, cpe string
	}{
		{name: "nginx", port: web.Port(), svc: "http", product: "nginx", version: "1.18.0", cpe: "cpe:/a:igor_sysoev:nginx:1.18.0"},
		{name: "openssh", port: ssh.addr.Port(), svc: "ssh", product: "OpenSSH", version: "7.4", cpe: "cpe:/a:openbsd:openssh:7.4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := findService(t, h, tt.port)
			if s.State != "open" || s.Protocol != "tcp" || s.Name != tt.svc || s.Product != tt.product || s.Version != tt.version {
				t.Errorf("service = %+v, want open tcp %s %s %s", s, tt.svc, tt.product, tt.version)
			}
			if !slices.Contains(s.CPEs, tt.cpe) {
				t.Errorf("CPEs = %v, want %s", s.CPEs, tt.cpe)
			}
			if s.Method != "probed" || s.Confidence != 10 {
				t.Errorf("method %q confidence %d, want probed 10", s.Method, s.Confidence)
			}
		})
	}
	// The exposure groundwork on what nmap really reported: nginx 1.18 is past its end of life.
	a, ok := exposure.Default().Assess(findService(t, h, web.Port()), calendar.NewDate(2026, 11, 22))
	if !ok || !a.Finding() || a.EOL.Branch.Branch != "1.18" || a.Evidence.CPE != "cpe:/a:igor_sysoev:nginx:1.18.0" {
		t.Errorf("exposure of the nginx service = %+v (ok %v), want an EOL finding for branch 1.18 with nmap's CPE", a, ok)
	}
	if len(events) == 0 || events[len(events)-1].HostsDone != 1 {
		t.Errorf("progress events %+v: want at least one, the last with 1 host done", events)
	}
}

// TestDiscoverNmapMissing points the binary at a file that does not exist.
func TestDiscoverNmapMissing(t *testing.T) {
	tests := []struct{ name, path string }{
		{name: "absolute path", path: "/nonexistent/ceplus-test/nmap"},
		{name: "name not in PATH", path: "ceplus-no-such-nmap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Discover(context.Background(), Options{Targets: []string{"127.0.0.1"}, NmapPath: tt.path,
				AllowedPrefixes: loopback}, nil)
			if !errors.Is(err, ErrNmapNotFound) {
				t.Fatalf("err = %v, want ErrNmapNotFound", err)
			}
			for _, want := range []string{"apt-get install nmap", "dnf install nmap", "nmap.org"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if res.Run.Outcome != discovery.Failed || len(res.Run.Errors) == 0 {
				t.Errorf("run = %+v, want failed with the error", res.Run)
			}
		})
	}
}

// TestDiscoverRejectsBeforeNmapStarts checks that a bad target or option never runs the binary:
// the stand-in nmap records every run in a marker file.
func TestDiscoverRejectsBeforeNmapStarts(t *testing.T) {
	path, marker := fakeNmap(t, "exit 0")
	failResolver := resolverFunc(func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		return nil, errors.New("no such host")
	})
	tests := []struct {
		name string
		o    Options
		want error
	}{
		{name: "bad CIDR", o: Options{Targets: []string{"127.0.0.1/33"}}, want: ErrInvalidTarget},
		{name: "bad address", o: Options{Targets: []string{"127.0.0.300"}}, want: ErrInvalidTarget},
		{name: "nmap range", o: Options{Targets: []string{"127.0.0.1-5"}}, want: ErrInvalidTarget},
		{name: "name when names are not allowed", o: Options{Targets: []string{"localhost"}}, want: ErrInvalidTarget},
		{name: "unresolvable name", o: Options{Targets: []string{"doesnotexist.invalid"}, AllowNames: true, Resolver: failResolver}, want: ErrUnresolvable},
		{name: "address outside the allow-list", o: Options{Targets: []string{"192.0.2.10"}, AllowedPrefixes: loopback}, want: ErrNotAllowed},
		{name: "prefix wider than the allow-list", o: Options{Targets: []string{"127.0.0.0/7"}, AllowedPrefixes: loopback}, want: ErrNotAllowed},
		{name: "one good one bad", o: Options{Targets: []string{"127.0.0.1", "127.0.0.1/33"}}, want: ErrInvalidTarget},
		{name: "bad port", o: Options{Targets: []string{"127.0.0.1"}, Ports: "99999"}, want: ErrInvalidOptions},
		{name: "no targets", o: Options{}, want: ErrInvalidOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.NmapPath = path
			_, err := Discover(context.Background(), tt.o, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want != ErrInvalidOptions {
				var te *TargetError
				if !errors.As(err, &te) {
					t.Errorf("err %T is not a *TargetError", err)
				}
			}
			if _, statErr := os.Stat(marker); !errors.Is(statErr, os.ErrNotExist) {
				t.Fatalf("the nmap stand-in ran (marker %s exists): validation must happen before nmap starts", marker)
			}
		})
	}
}

type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

// TestFakeNmapRunsForValidTargets is the control of TestDiscoverRejectsBeforeNmapStarts: with a
// valid target the stand-in does run, so its marker proves something. Its empty output is an error.
func TestFakeNmapRunsForValidTargets(t *testing.T) {
	path, marker := fakeNmap(t, "exit 0")
	_, err := Discover(context.Background(), Options{Targets: []string{"127.0.0.1"}, NmapPath: path, AllowedPrefixes: loopback}, nil)
	if !errors.Is(err, ErrNmapFailed) {
		t.Errorf("err = %v, want ErrNmapFailed for a stand-in that writes no XML", err)
	}
	b, statErr := os.ReadFile(marker)
	if statErr != nil {
		t.Fatalf("the stand-in did not run: %v", statErr)
	}
	if !strings.Contains(string(b), "-n ") || !strings.HasSuffix(strings.TrimSpace(string(b)), " 127.0.0.1") {
		t.Errorf("nmap arguments %q: want -n and the target last", b)
	}
}

// TestDiscoverNmapReportsNoHosts replays nmap's own failure reports through a stand-in, as a second
// line of defence behind target validation: exit 0 with "Failed to resolve" must still fail.
func TestDiscoverNmapReportsNoHosts(t *testing.T) {
	abs := func(name string) string {
		p, err := filepath.Abs(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		body string
		want error
	}{
		{name: "failed to resolve, exit 0", body: "cat " + abs("zero-hosts.xml") + "; cat " + abs("zero-hosts.stderr") + " >&2", want: ErrNoHostsScanned},
		{name: "requires root, exit 1", body: "echo 'You requested a scan type which requires root privileges.' >&2; echo 'QUITTING!' >&2; exit 1", want: ErrRequiresRoot},
		{name: "other failure", body: "echo 'Ports specified must be between 0 and 65535 inclusive' >&2; exit 1", want: ErrNmapFailed},
		{name: "XML does not parse", body: "echo '<nmaprun><host>'", want: ErrNmapFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, _ := fakeNmap(t, tt.body)
			res, err := Discover(context.Background(), Options{Targets: []string{"127.0.0.1"}, NmapPath: path, AllowedPrefixes: loopback}, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if res.Run.Outcome != discovery.Failed {
				t.Errorf("outcome %s, want failed", res.Run.Outcome)
			}
		})
	}
}

// TestDiscoverIPv6Loopback scans ::1, which needs nmap's -6.
func TestDiscoverIPv6Loopback(t *testing.T) {
	requireNmap(t)
	probe, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("SKIPPING: no IPv6 loopback here (%v)", err)
	}
	if err := probe.Close(); err != nil {
		t.Fatal(err)
	}
	ssh := listen(t, "::1", sshBanner("SSH-2.0-OpenSSH_7.4"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := safeDiscover(t, ctx, Options{Targets: []string{"::1"}, Ports: ports(ssh.addr), Service: ServiceLight,
		AllowedPrefixes: loopback}, nil)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	if !slices.Contains(res.Run.Args, "-6") {
		t.Errorf("args %v lack -6", res.Run.Args)
	}
	if s := findService(t, findHost(t, res, "::1"), ssh.addr.Port()); s.Product != "OpenSSH" {
		t.Errorf("service %+v, want OpenSSH", s)
	}
}
