package discovery

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func up(addr string) Host { return Host{Addresses: addrs(addr), Status: HostUp} }

func TestReconcile(t *testing.T) {
	web := ScopeDevice{ID: "web1", Build: "Debian 12", Addresses: addrs("192.0.2.10")}
	db := ScopeDevice{ID: "db1", Build: "Debian 12", Addresses: addrs("192.0.2.11")}
	laptop := ScopeDevice{ID: "lap1", Build: "Windows 11 Pro 24H2", Addresses: addrs("192.0.2.20"), MAC: "00-1A-2B-3C-4D-5E"}
	printer := ScopeDevice{ID: "prn1", Build: "printer", Hostname: "printer.example.", Addresses: nil}
	remote := ScopeDevice{ID: "vpn1", Build: "Windows 11 Pro 24H2", Addresses: addrs("198.51.100.5")}
	tests := []struct {
		name    string
		scope   []ScopeDevice
		hosts   []Host
		scanned []netip.Prefix
		want    Report
	}{
		{
			name:  "scope misses one host and lists one that is down",
			scope: []ScopeDevice{web, db},
			hosts: []Host{up("192.0.2.10"), up("192.0.2.99"), {Addresses: addrs("192.0.2.11"), Status: HostDown}},
			want: Report{
				Matches: []Match{{DeviceID: "web1", Build: "Debian 12", Host: netip.MustParseAddr("192.0.2.10"), By: ByAddress}},
				Unknown: []Host{up("192.0.2.99")},
				NotSeen: []ScopeDevice{db},
				Builds: []BuildCount{
					{Build: "Debian 12", Declared: 2, Found: 1, NotSeen: 1},
					{Build: UnknownBuild, Found: 1},
				},
			},
		},
		{
			name:  "MAC beats a reassigned address",
			scope: []ScopeDevice{laptop, {ID: "old", Build: "Debian 12", Addresses: addrs("192.0.2.30")}},
			hosts: []Host{{Addresses: addrs("192.0.2.30"), MAC: "00:1a:2b:3c:4d:5e", Status: HostUp}},
			want: Report{
				Matches: []Match{{DeviceID: "lap1", Build: "Windows 11 Pro 24H2", Host: netip.MustParseAddr("192.0.2.30"), By: ByMAC}},
				Unknown: []Host{},
				NotSeen: []ScopeDevice{{ID: "old", Build: "Debian 12", Addresses: addrs("192.0.2.30")}},
				Builds: []BuildCount{
					{Build: "Debian 12", Declared: 1, NotSeen: 1},
					{Build: "Windows 11 Pro 24H2", Declared: 1, Found: 1},
					{Build: UnknownBuild},
				},
			},
		},
		{
			name:  "hostname given as a target matches case-insensitively",
			scope: []ScopeDevice{printer},
			hosts: []Host{{Addresses: addrs("192.0.2.40"), Hostnames: []string{"PRINTER.example"}, Status: HostUp}},
			want: Report{
				Matches: []Match{{DeviceID: "prn1", Build: "printer", Host: netip.MustParseAddr("192.0.2.40"), By: ByHostname}},
				Unknown: []Host{},
				NotSeen: []ScopeDevice{},
				Builds:  []BuildCount{{Build: "printer", Declared: 1, Found: 1}, {Build: UnknownBuild}},
			},
		},
		{
			name:  "two devices claim one address: ambiguous, neither counted",
			scope: []ScopeDevice{web, {ID: "web2", Build: "Debian 12", Addresses: addrs("192.0.2.10")}},
			hosts: []Host{up("192.0.2.10")},
			want: Report{
				Matches:   []Match{},
				Unknown:   []Host{},
				NotSeen:   []ScopeDevice{web, {ID: "web2", Build: "Debian 12", Addresses: addrs("192.0.2.10")}},
				Ambiguous: []Ambiguous{{Host: netip.MustParseAddr("192.0.2.10"), By: ByAddress, DeviceIDs: []string{"web1", "web2"}}},
				Builds:    []BuildCount{{Build: "Debian 12", Declared: 2, NotSeen: 2}, {Build: UnknownBuild}},
			},
		},
		{
			name:    "device outside the scanned range is not scanned, not missing",
			scope:   []ScopeDevice{web, remote},
			hosts:   []Host{up("192.0.2.10")},
			scanned: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
			want: Report{
				Matches:    []Match{{DeviceID: "web1", Build: "Debian 12", Host: netip.MustParseAddr("192.0.2.10"), By: ByAddress}},
				Unknown:    []Host{},
				NotSeen:    []ScopeDevice{},
				NotScanned: []ScopeDevice{remote},
				Builds: []BuildCount{
					{Build: "Debian 12", Declared: 1, Found: 1},
					{Build: "Windows 11 Pro 24H2", Declared: 1, NotScanned: 1},
					{Build: UnknownBuild},
				},
			},
		},
		{
			name:  "IPv4-mapped address matches the plain address",
			scope: []ScopeDevice{web},
			hosts: []Host{up("::ffff:192.0.2.10")},
			want: Report{
				Matches: []Match{{DeviceID: "web1", Build: "Debian 12", Host: netip.MustParseAddr("::ffff:192.0.2.10"), By: ByAddress}},
				Unknown: []Host{},
				NotSeen: []ScopeDevice{},
				Builds:  []BuildCount{{Build: "Debian 12", Declared: 1, Found: 1}, {Build: UnknownBuild}},
			},
		},
		{
			name:  "empty scope: every up host is unknown",
			hosts: []Host{up("127.0.0.1"), up("127.0.0.2")},
			want: Report{
				Matches: []Match{},
				Unknown: []Host{up("127.0.0.1"), up("127.0.0.2")},
				NotSeen: []ScopeDevice{},
				Builds:  []BuildCount{{Build: UnknownBuild, Found: 2}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReconcileScanned(tt.scope, tt.hosts, tt.scanned)
			if d := cmp.Diff(tt.want, got, cmpopts.EquateComparable(netip.Addr{})); d != "" {
				t.Errorf("ReconcileScanned mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestReconcileEqualsUnboundedScan(t *testing.T) {
	scope := []ScopeDevice{{ID: "a", Build: "b", Addresses: addrs("192.0.2.1")}}
	got := Reconcile(scope, nil)
	if len(got.NotSeen) != 1 || len(got.NotScanned) != 0 {
		t.Errorf("Reconcile without a range: NotSeen=%v NotScanned=%v, want the device not seen", got.NotSeen, got.NotScanned)
	}
}

func TestNormalizeMAC(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "colons upper", in: "00:1A:2B:3C:4D:5E", want: "00:1a:2b:3c:4d:5e"},
		{name: "dashes", in: "00-1a-2b-3c-4d-5e", want: "00:1a:2b:3c:4d:5e"},
		{name: "cisco dots", in: "001a.2b3c.4d5e", want: "00:1a:2b:3c:4d:5e"},
		{name: "bare", in: "001a2b3c4d5e", want: "00:1a:2b:3c:4d:5e"},
		{name: "too short", in: "00:1a:2b", want: ""},
		{name: "not hex", in: "zz:1a:2b:3c:4d:5e", want: ""},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeMAC(tt.in); got != tt.want {
				t.Errorf("NormalizeMAC(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
