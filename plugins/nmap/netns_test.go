package nmap

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
)

// testNet is TEST-NET-1 (RFC 5737): the addresses the test namespaces use. It is never routed,
// and nmap only reaches it from inside a namespace the wrapper made for the run.
var testNet = netip.MustParsePrefix("192.0.2.0/24")

// netnsWrapper is a stand-in for nmap that runs the real nmap inside a new network namespace
// holding only lo and a veth pair: 192.0.2.1 on this end, 192.0.2.2 (MAC 00:50:56:12:34:56) in a
// second namespace. The namespaces die with the processes; nothing is left to clean. If any step
// fails, set -e stops the script before nmap runs.
const netnsWrapper = `#!/bin/sh
set -e
exec unshare --net sh -ec '
ip link set lo up
ip link add v0 type veth peer name v1
ip addr add 192.0.2.1/24 dev v0
ip link set v0 up
unshare --net sleep 120 &
peer=$!
i=0; until [ "$(readlink /proc/$peer/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do i=$((i+1)); [ $i -lt 50 ]; sleep 0.1; done
ip link set v1 netns "$peer"
nsenter -t "$peer" -n sh -ec "ip link set lo up; ip link set v1 address 00:50:56:12:34:56; ip addr add 192.0.2.2/24 dev v1; ip link set v1 up"
rc=0
"$0" "$@" || rc=$?
kill "$peer"
exit $rc
' NMAP "$@"
`

// requireNamespaces skips unless this process can make network namespaces with veth pairs.
func requireNamespaces(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("SKIPPING: network namespaces need root; the down-host path is covered by testdata/netns-scan.xml")
	}
	for _, tool := range []string{"unshare", "nsenter", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPING: %s not installed; the down-host path is covered by testdata/netns-scan.xml", tool)
		}
	}
	out, err := exec.Command("unshare", "--net", "sh", "-ec", "ip link add v0 type veth peer name v1").CombinedOutput()
	if err != nil {
		t.Skipf("SKIPPING: cannot make a network namespace with a veth pair here (%v: %s)", err, out)
	}
}

// TestDiscoverNamespace scans three addresses inside a test-made namespace: this end (up), a peer
// with a MAC (up, vendor visible) and an address nobody holds (down), then reconciles the result
// with a scope that misses one host and lists the down one.
func TestDiscoverNamespace(t *testing.T) {
	nmapPath := requireNmap(t)
	requireNamespaces(t)
	wrapper := filepath.Join(t.TempDir(), "nmap-in-netns")
	script := []byte(strings.ReplaceAll(netnsWrapper, "NMAP", nmapPath))
	if err := os.WriteFile(wrapper, script, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := Discover(ctx, Options{
		Targets:         []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"},
		Ports:           "22,80",
		NmapPath:        wrapper,
		AllowedPrefixes: []netip.Prefix{testNet}, // reachable only inside the wrapper's namespace
	}, nil)
	if err != nil {
		t.Fatalf("Discover: %v (run %+v)", err, res.Run)
	}
	if res.Run.HostsUp != 2 || res.Run.HostsDown != 1 || res.Run.HostsTotal != 3 {
		t.Errorf("counts up=%d down=%d total=%d, want 2, 1, 3", res.Run.HostsUp, res.Run.HostsDown, res.Run.HostsTotal)
	}
	self, peer, nobody := findHost(t, res, "192.0.2.1"), findHost(t, res, "192.0.2.2"), findHost(t, res, "192.0.2.3")
	if !self.Up() || self.MAC != "" {
		t.Errorf("192.0.2.1 = %+v, want up without a MAC (it is this end)", self)
	}
	if !peer.Up() || peer.MAC != "00:50:56:12:34:56" || peer.MACVendor != "VMware" || peer.Reason != "arp-response" {
		t.Errorf("192.0.2.2 = %+v, want up by ARP with MAC 00:50:56:12:34:56 (VMware)", peer)
	}
	if nobody.Status != discovery.HostDown || nobody.Reason != "no-response" {
		t.Errorf("192.0.2.3 = %+v, want down, no-response", nobody)
	}
	scope := []discovery.ScopeDevice{
		{ID: "peer", Build: "Debian 12", MAC: "00-50-56-12-34-56"},
		{ID: "gone", Build: "Debian 12", Addresses: []netip.Addr{netip.MustParseAddr("192.0.2.3")}},
	}
	rep := discovery.ReconcileScanned(scope, res.Hosts, res.Run.Scanned)
	if len(rep.Matches) != 1 || rep.Matches[0].DeviceID != "peer" || rep.Matches[0].By != discovery.ByMAC {
		t.Errorf("matches = %+v, want peer by MAC", rep.Matches)
	}
	if len(rep.Unknown) != 1 || rep.Unknown[0].Addresses[0] != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("unknown = %+v, want 192.0.2.1 (in neither scope nor agents)", rep.Unknown)
	}
	if len(rep.NotSeen) != 1 || rep.NotSeen[0].ID != "gone" {
		t.Errorf("not seen = %+v, want the down device", rep.NotSeen)
	}
	want := []discovery.BuildCount{{Build: "Debian 12", Declared: 2, Found: 1, NotSeen: 1}, {Build: discovery.UnknownBuild, Found: 1}}
	if len(rep.Builds) != 2 || rep.Builds[0] != want[0] || rep.Builds[1] != want[1] {
		t.Errorf("builds = %+v, want %+v", rep.Builds, want)
	}
}
