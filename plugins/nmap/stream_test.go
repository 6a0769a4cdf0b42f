package nmap

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/netip"
	"os"
	"strings"
	"testing"

	nmapxml "github.com/Ullaakut/nmap/v3"

	"github.com/ceplus/ceplus/shared/discovery"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureTargets are the targets of testdata/netns-scan.xml, each named on its own.
func fixtureTargets(t *testing.T) targetSet {
	t.Helper()
	set, err := resolveTargets(context.Background(), Options{Targets: []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestDecodeStreamRecorded(t *testing.T) {
	xml := readFixture(t, "netns-scan.xml")
	var events []Progress
	st, err := decodeStream(bytes.NewReader(xml), func(p Progress) { events = append(events, p) })
	if err != nil {
		t.Fatalf("decodeStream: %v", err)
	}
	if !st.complete || len(st.hosts) != 3 {
		t.Fatalf("complete %v hosts %d, want complete with 3 (the hosthint is not a host)", st.complete, len(st.hosts))
	}
	if events[0].Task != "ARP Ping Scan" || events[0].Done {
		t.Errorf("first event %+v, want the ARP ping scan starting", events[0])
	}
	if last := events[len(events)-1]; last.HostsDone != 3 {
		t.Errorf("last event %+v, want 3 hosts done", last)
	}
	hosts, err := partialHosts(xml, st.hosts)
	if err != nil || len(hosts) != 3 {
		t.Fatalf("partialHosts: %d hosts, %v", len(hosts), err)
	}
	var full nmapxml.Run
	if err := nmapxml.Parse(xml, &full); err != nil {
		t.Fatal(err)
	}
	for i := range hosts {
		if hosts[i].Status != full.Hosts[i].Status || hosts[i].Addresses[0] != full.Hosts[i].Addresses[0] {
			t.Errorf("streamed host %d = %+v, full parse %+v", i, hosts[i].Addresses, full.Hosts[i].Addresses)
		}
	}
}

// TestDecodeStreamCut feeds the recording cut in the middle of the third host, as when nmap is
// killed: the two completed hosts survive.
func TestDecodeStreamCut(t *testing.T) {
	xml := readFixture(t, "netns-scan.xml")
	cut := bytes.LastIndex(xml, []byte(`<address addr="192.0.2.2"`))
	st, err := decodeStream(bytes.NewReader(xml[:cut]), nil)
	if err == nil {
		t.Errorf("a cut stream decoded without error")
	}
	if st.complete || len(st.hosts) != 2 {
		t.Fatalf("complete %v hosts %d, want incomplete with 2", st.complete, len(st.hosts))
	}
	hosts, err := partialHosts(xml[:cut], st.hosts)
	if err != nil || len(hosts) != 2 {
		t.Fatalf("partialHosts: %d hosts, %v", len(hosts), err)
	}
	set := fixtureTargets(t)
	got, up, down := convertHosts(hosts, set)
	if up != 1 || down != 1 || len(got) != 2 {
		t.Errorf("up %d down %d kept %d, want 1, 1, 2", up, down, len(got))
	}
}

func TestConvertRecorded(t *testing.T) {
	var run nmapxml.Run
	if err := nmapxml.Parse(readFixture(t, "netns-scan.xml"), &run); err != nil {
		t.Fatal(err)
	}
	hosts, up, down := convertHosts(run.Hosts, fixtureTargets(t))
	if up != 2 || down != 1 || len(hosts) != 3 {
		t.Fatalf("up %d down %d kept %d, want 2, 1, 3", up, down, len(hosts))
	}
	tests := []struct {
		name   string
		host   discovery.Host
		addr   string
		status discovery.HostStatus
		reason string
		mac    string
		vendor string
		ports  int
	}{
		{name: "self", host: hosts[0], addr: "192.0.2.1", status: discovery.HostUp, reason: "localhost-response", ports: 2},
		{name: "down", host: hosts[1], addr: "192.0.2.3", status: discovery.HostDown, reason: "no-response"},
		{name: "peer", host: hosts[2], addr: "192.0.2.2", status: discovery.HostUp, reason: "arp-response",
			mac: "00:50:56:12:34:56", vendor: "VMware", ports: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.host
			if len(h.Addresses) != 1 || h.Addresses[0] != netip.MustParseAddr(tt.addr) || h.Status != tt.status ||
				h.Reason != tt.reason || h.MAC != tt.mac || h.MACVendor != tt.vendor || len(h.Services) != tt.ports {
				t.Errorf("host = %+v, want %s %s (%s) mac %q %q with %d ports", h, tt.addr, tt.status, tt.reason, tt.mac, tt.vendor, tt.ports)
			}
			for _, s := range h.Services {
				if s.State != "closed" || s.Method != "table" || s.Confidence != 3 {
					t.Errorf("service %+v, want closed, named from the port table (conf 3)", s)
				}
			}
		})
	}
}

// TestConvertDropsDownHostsOfPrefixes keeps a down host only when it was named on its own.
func TestConvertDropsDownHostsOfPrefixes(t *testing.T) {
	var run nmapxml.Run
	if err := nmapxml.Parse(readFixture(t, "netns-scan.xml"), &run); err != nil {
		t.Fatal(err)
	}
	set, err := resolveTargets(context.Background(), Options{Targets: []string{"192.0.2.0/30"}})
	if err != nil {
		t.Fatal(err)
	}
	hosts, up, down := convertHosts(run.Hosts, set)
	if up != 2 || down != 1 || len(hosts) != 2 {
		t.Errorf("up %d down %d kept %d, want the down host of a prefix counted, not listed", up, down, len(hosts))
	}
}

func TestConvertOSAndServices(t *testing.T) {
	const hostXML = `<host><status state="up" reason="syn-ack"/>
<address addr="127.0.0.1" addrtype="ipv4"/>
<ports><port protocol="tcp" portid="8080"><state state="open" reason="syn-ack"/>
<service name="http" product="nginx" version="1.18.0" extrainfo="Ubuntu" method="probed" conf="10"><cpe>cpe:/a:igor_sysoev:nginx:1.18.0</cpe></service></port>
<port protocol="tcp" portid="9999"><state state="open" reason="syn-ack"/>
<service name="abyss" method="table" conf="3" servicefp="SF-Port9999-TCP:V=7.93%I=2%D=11/22%Time=1%P=x86_64-pc-linux-gnu;"/></port></ports>
<os><osmatch name="Linux 5.0 - 5.5" accuracy="97" line="1"><osclass type="general purpose" vendor="Linux" osfamily="Linux" osgen="5.X" accuracy="97"><cpe>cpe:/o:linux:linux_kernel:5</cpe></osclass></osmatch>
<osmatch name="Linux 4.15" accuracy="90" line="2"/></os></host>`
	var h nmapxml.Host
	if err := xml.Unmarshal([]byte(hostXML), &h); err != nil {
		t.Fatal(err)
	}
	got := convertHost(h)
	want := &discovery.OSGuess{Name: "Linux 5.0 - 5.5", Accuracy: 97, Vendor: "Linux", Family: "Linux", Generation: "5.X",
		Type: "general purpose", CPEs: []string{"cpe:/o:linux:linux_kernel:5"}}
	if got.OS == nil || got.OS.Name != want.Name || got.OS.Accuracy != want.Accuracy || got.OS.Generation != want.Generation ||
		strings.Join(got.OS.CPEs, ",") != strings.Join(want.CPEs, ",") {
		t.Errorf("OS = %+v, want the best match %+v", got.OS, want)
	}
	if len(got.Services) != 2 {
		t.Fatalf("services = %+v", got.Services)
	}
	s := got.Services[0]
	if s.Product != "nginx" || s.Version != "1.18.0" || s.ExtraInfo != "Ubuntu" || s.CPEs[0] != "cpe:/a:igor_sysoev:nginx:1.18.0" {
		t.Errorf("service = %+v", s)
	}
	if fp := got.Services[1].Fingerprint; !strings.HasPrefix(fp, "SF-Port9999") {
		t.Errorf("fingerprint = %q, want nmap's service fingerprint", fp)
	}
}
