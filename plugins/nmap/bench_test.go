package nmap

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	nmapxml "github.com/Ullaakut/nmap/v3"
)

// banners are what the benchmark's loopback services say first; nmap recognises each from its
// NULL probe, so the run measures discovery and fingerprinting, not probe timeouts.
var banners = []string{
	"SSH-2.0-OpenSSH_7.4",
	"220 (vsFTPd 3.0.3)",
	"220 mail.example.test ESMTP Postfix (Debian/GNU)",
	"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
}

// BenchmarkDiscoverLoopback times one nmap run (a scan of exactly the listening ports, light
// service detection) over N services on 127.0.0.1: services that talk first (banners, recognised
// from nmap's NULL probe) and HTTP servers announcing nginx (which nmap must probe after waiting
// for a banner that never comes).
func BenchmarkDiscoverLoopback(b *testing.B) {
	requireNmap(b)
	kinds := []struct {
		name  string
		start func(b *testing.B, i int) netip.AddrPort
	}{
		{name: "banner", start: func(b *testing.B, i int) netip.AddrPort {
			return listen(b, "127.0.0.1", sshBanner(banners[i%len(banners)])).addr
		}},
		{name: "http", start: func(b *testing.B, i int) netip.AddrPort {
			return httpServer(b, "127.0.0.1", "nginx/1.18.0")
		}},
	}
	for _, kind := range kinds {
		for _, n := range []int{10, 100} {
			b.Run(fmt.Sprintf("%s/services=%d", kind.name, n), func(b *testing.B) {
				var aps []netip.AddrPort
				for i := 0; i < n; i++ {
					aps = append(aps, kind.start(b, i))
				}
				o := Options{Targets: []string{"127.0.0.1"}, Ports: ports(aps...), Service: ServiceLight, AllowedPrefixes: loopback}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
					res, err := safeDiscover(b, ctx, o, nil)
					cancel()
					if err != nil {
						b.Fatalf("Discover: %v", err)
					}
					recognised := 0
					for _, s := range res.Hosts[0].Services {
						if s.Method == "probed" && s.Product != "" {
							recognised++
						}
					}
					if recognised != n {
						b.Fatalf("%d of %d services recognised", recognised, n)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(n), "ms/service")
			})
		}
	}
}

// generateXML writes an nmap 7.93-shaped XML result of hosts hosts in 198.18.0.0/15, the benchmarking range (numbers only:
// nothing is scanned), each with an SSH and an HTTP service with CPEs and a closed port.
func generateXML(hosts int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -n -v -oX - -sS -sV 198.18.0.0/16" start="1795315998" startstr="Sun Nov 22 02:53:18 2026" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="3" services="22,80,443"/>
<verbose level="1"/>
<debugging level="0"/>
`)
	for i := 0; i < hosts; i++ {
		if i%500 == 0 {
			fmt.Fprintf(&b, `<taskprogress task="Service scan" time="1795316000" percent="%.2f" remaining="100" etc="1795316100"/>`+"\n", float64(i)*100/float64(hosts))
		}
		fmt.Fprintf(&b, `<host starttime="1795315999" endtime="1795316000"><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="198.%d.%d.%d" addrtype="ipv4"/>
<address addr="00:50:56:%02X:%02X:%02X" addrtype="mac" vendor="VMware"/>
<hostnames>
</hostnames>
<ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2+deb12u3" extrainfo="protocol 2.0" ostype="Linux" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service></port>
<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" product="nginx" version="1.18.0" extrainfo="Ubuntu" method="probed" conf="10"><cpe>cpe:/a:igor_sysoev:nginx:1.18.0</cpe></service></port>
<port protocol="tcp" portid="443"><state state="closed" reason="reset" reason_ttl="64"/><service name="https" method="table" conf="3"/></port>
</ports>
<times srtt="67" rttvar="125" to="100000"/>
</host>
`, 18+(i>>16)&1, (i>>8)&255, i&255, (i>>16)&255, (i>>8)&255, i&255)
	}
	fmt.Fprintf(&b, `<runstats><finished time="1795316002" timestr="Sun Nov 22 02:53:22 2026" summary="x" elapsed="4.25" exit="success"/><hosts up="%d" down="0" total="%d"/>
</runstats>
</nmaprun>
`, hosts, hosts)
	return b.Bytes()
}

// BenchmarkParse10kHosts measures what Discover does with a finished run's XML: the streaming
// pass (progress, host boundaries), nmap.Parse of the whole document and the conversion.
func BenchmarkParse10kHosts(b *testing.B) {
	const hosts = 10000
	xml := generateXML(hosts)
	set, err := resolveTargets(context.Background(), Options{Targets: []string{"198.18.0.0/16"}})
	if err != nil {
		b.Fatal(err)
	}
	check := func(b *testing.B, n int) {
		if n != hosts {
			b.Fatalf("%d hosts, want %d", n, hosts)
		}
	}
	b.Run("stream+parse+convert", func(b *testing.B) {
		b.SetBytes(int64(len(xml)))
		for i := 0; i < b.N; i++ {
			st, err := decodeStream(bytes.NewReader(xml), func(Progress) {})
			if err != nil || !st.complete {
				b.Fatalf("decodeStream: %v", err)
			}
			var run nmapxml.Run
			if err := nmapxml.Parse(xml, &run); err != nil {
				b.Fatal(err)
			}
			out, _, _ := convertHosts(run.Hosts, set)
			check(b, len(out))
		}
	})
	b.Run("stream", func(b *testing.B) {
		b.SetBytes(int64(len(xml)))
		for i := 0; i < b.N; i++ {
			st, err := decodeStream(bytes.NewReader(xml), nil)
			if err != nil {
				b.Fatal(err)
			}
			check(b, len(st.hosts))
		}
	})
	b.Run("partial-decode", func(b *testing.B) {
		st, err := decodeStream(bytes.NewReader(xml), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(xml)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			hs, err := partialHosts(xml, st.hosts)
			if err != nil {
				b.Fatal(err)
			}
			check(b, len(hs))
		}
	})
}

// TestGeneratedXMLParses keeps the benchmark's generator honest: its output is what nmap.Parse
// and the stream decoder accept, with every host.
func TestGeneratedXMLParses(t *testing.T) {
	xml := generateXML(300)
	var run nmapxml.Run
	if err := nmapxml.Parse(xml, &run); err != nil {
		t.Fatal(err)
	}
	if len(run.Hosts) != 300 || run.Stats.Hosts.Total != 300 || run.Hosts[299].Addresses[1].Vendor != "VMware" {
		t.Fatalf("parsed %d hosts (total %d)", len(run.Hosts), run.Stats.Hosts.Total)
	}
	st, err := decodeStream(bytes.NewReader(xml), nil)
	if err != nil || len(st.hosts) != 300 || !st.complete {
		t.Fatalf("stream: %d hosts, complete %v, %v", len(st.hosts), st.complete, err)
	}
	if !strings.Contains(string(xml), `addr="198.18.1.43"`) {
		t.Errorf("host 299 should be 198.18.1.43")
	}
}
