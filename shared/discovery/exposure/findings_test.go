package exposure

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// fixtureSnapshot imports testdata/osv (hand-written records) into a fresh snapshot.
func fixtureSnapshot(t *testing.T) *vulndb.Snapshot {
	t.Helper()
	dir := t.TempDir()
	m, err := vulndb.Import(t.Context(), dir, []string{"testdata/osv"}, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := vulndb.Open(t.Context(), dir, m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func ssh(version, extra string, cpes ...string) discovery.Service {
	return discovery.Service{Port: 22, Protocol: "tcp", State: "open", Name: "ssh", Product: "OpenSSH", Version: version,
		ExtraInfo: extra, CPEs: cpes, Method: "probed", Confidence: 10}
}

func upHost(addr string, services ...discovery.Service) discovery.Host {
	return discovery.Host{Addresses: []netip.Addr{netip.MustParseAddr(addr)}, Status: discovery.HostUp, Services: services}
}

// summary is a finding reduced to what the tests compare: class, product and advisory ids.
type summary struct {
	Class   string
	Product string
	IDs     []string
}

func summarise(rep Report) map[string][]summary {
	var out map[string][]summary
	for _, h := range rep.Hosts {
		for _, f := range h.Findings {
			var ids []string
			for _, a := range f.Advisories {
				ids = append(ids, a.ID)
			}
			slices.Sort(ids)
			if out == nil {
				out = map[string][]summary{}
			}
			out[h.Addresses[0].String()] = append(out[h.Addresses[0].String()], summary{f.Class, f.Product, ids})
		}
	}
	return out
}

func TestFindings(t *testing.T) {
	snap := fixtureSnapshot(t)
	today := calendar.NewDate(2026, 11, 22)
	openssh := "cpe:/a:openbsd:openssh:"
	tests := []struct {
		name        string
		host        discovery.Host
		noSnapshot  bool
		want        []summary
		wantProblem string
	}{
		{name: "Debian package pinned and affected", host: upHost("127.0.0.1", ssh("9.2p1 Debian 2+deb12u3", "protocol 2.0", openssh+"9.2p1")),
			want: []summary{{ClassVulnerable, "openbsd:openssh", []string{"DEBIAN-TEST-0001"}}}},
		{name: "Debian package pinned and patched", host: upHost("127.0.0.1", ssh("9.2p1 Debian 2+deb12u4", "protocol 2.0", openssh+"9.2p1"))},
		{name: "release the snapshot lacks", host: upHost("127.0.0.1", ssh("9.2p1 Debian 2+deb13u1", "", openssh+"9.2p1")),
			wantProblem: "Debian:13: not looked up"},
		{name: "Ubuntu revision without release is a lead", host: upHost("127.0.0.1", ssh("8.9p1 Ubuntu 3ubuntu0.10", "Ubuntu Linux; protocol 2.0", openssh+"8.9p1")),
			want: []summary{{ClassUnverified, "openbsd:openssh", []string{"UBUNTU-TEST-0005"}}}},
		{name: "no distribution: end of life and leads", host: upHost("127.0.0.1", svc("nginx", "1.18.0", "", "cpe:/a:igor_sysoev:nginx:1.18.0")),
			want: []summary{{ClassUnsupported, "igor_sysoev:nginx", nil},
				{ClassUnverified, "igor_sysoev:nginx", []string{"DEBIAN-TEST-0003", "DEBIAN-TEST-0004"}}}},
		{name: "without a snapshot only end of life", noSnapshot: true, host: upHost("127.0.0.1", svc("nginx", "1.18.0", "", "cpe:/a:igor_sysoev:nginx:1.18.0")),
			want: []summary{{ClassUnsupported, "igor_sysoev:nginx", nil}}},
		{name: "records disagree on the epoch", host: upHost("127.0.0.1", svc("Apache httpd", "2.4.57", "(Debian)", "cpe:/a:apache:http_server:2.4.57")),
			want:        []summary{{ClassUnverified, "apache:http_server", []string{"DEBIAN-TEST-0006", "DEBIAN-TEST-0007"}}},
			wantProblem: "different epochs"},
		{name: "port-table guess is no evidence", host: func() discovery.Host {
			s := svc("nginx", "1.18.0", "", "cpe:/a:igor_sysoev:nginx:1.18.0")
			s.Method, s.Confidence = "table", 3
			return upHost("127.0.0.1", s)
		}()},
		{name: "down host", host: func() discovery.Host {
			h := upHost("127.0.0.1", svc("nginx", "1.18.0", "", "cpe:/a:igor_sysoev:nginx:1.18.0"))
			h.Status = discovery.HostDown
			return h
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snap
			if tt.noSnapshot {
				s = nil
			}
			rep := Default().Findings(discovery.Result{Hosts: []discovery.Host{tt.host}}, s, today)
			var want map[string][]summary
			if tt.want != nil {
				want = map[string][]summary{"127.0.0.1": tt.want}
			}
			if diff := cmp.Diff(want, summarise(rep)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			problems := strings.Join(rep.Problems, "\n")
			if tt.wantProblem == "" && problems != "" || !strings.Contains(problems, tt.wantProblem) {
				t.Errorf("problems %q, want %q", rep.Problems, tt.wantProblem)
			}
		})
	}
}

func TestFindingDetails(t *testing.T) {
	rep := Default().Findings(discovery.Result{Hosts: []discovery.Host{
		upHost("127.0.0.1", ssh("9.2p1 Debian 2+deb12u3", "protocol 2.0", "cpe:/a:openbsd:openssh:9.2p1", "cpe:/o:linux:linux_kernel")),
	}}, fixtureSnapshot(t), calendar.NewDate(2026, 11, 22))
	if len(rep.Hosts) != 1 || len(rep.Hosts[0].Findings) != 1 {
		t.Fatalf("report %+v, want one finding", rep)
	}
	f := rep.Hosts[0].Findings[0]
	want := Advisory{ID: "DEBIAN-TEST-0001", Ecosystem: "Debian:12", Package: "openssh", Version: "1:9.2p1-2+deb12u3", Fixed: "1:9.2p1-2+deb12u4"}
	if diff := cmp.Diff([]Advisory{want}, f.Advisories, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Aliases" }, cmp.Ignore())); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}
	if f.Evidence.CPE != "cpe:/a:openbsd:openssh:9.2p1" || f.Evidence.Method != "probed" || f.Evidence.Confidence != 10 ||
		f.Evidence.Version != "9.2p1 Debian 2+deb12u3" {
		t.Errorf("evidence %+v", f.Evidence)
	}
	if !strings.Contains(f.Why, "Debian 12") || rep.Snapshot == "" || rep.Date != calendar.NewDate(2026, 11, 22) {
		t.Errorf("why %q, snapshot %q, date %v", f.Why, rep.Snapshot, rep.Date)
	}
}

func TestPinPackage(t *testing.T) {
	tests := []struct {
		name, eco, marker, version string
		want                       pinned
		ok                         bool
	}{
		{"debian security update", "Debian", "Debian", "9.2p1 Debian 2+deb12u3", pinned{"9.2p1-2+deb12u3", "12"}, true},
		{"debian backport", "Debian", "Debian", "9.6p1 Debian 1~bpo12+1", pinned{"9.6p1-1~bpo12+1", "12"}, true},
		{"debian revision without release", "Debian", "Debian", "9.2p1 Debian 2", pinned{"9.2p1-2", ""}, false},
		{"ubuntu revision", "Ubuntu", "Ubuntu", "8.9p1 Ubuntu 3ubuntu0.10", pinned{"8.9p1-3ubuntu0.10", ""}, false},
		{"ubuntu release-tagged", "Ubuntu", "Ubuntu", "8.9p1 Ubuntu 3ubuntu0.10~22.04.1", pinned{"8.9p1-3ubuntu0.10~22.04.1", "22.04"}, true},
		{"no revision", "Debian", "Debian", "1.22.1", pinned{}, false},
		{"no marker", "Debian", "", "9.2p1 Debian 2+deb12u3", pinned{}, false},
		{"rpm distribution", "Red Hat", "RHEL", "8.7p1 RHEL 1", pinned{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pinPackage(tt.eco, tt.marker, tt.version)
			if got != tt.want || ok != tt.ok {
				t.Errorf("pinPackage(%q, %q, %q) = %+v, %v; want %+v, %v", tt.eco, tt.marker, tt.version, got, ok, tt.want, tt.ok)
			}
		})
	}
}
