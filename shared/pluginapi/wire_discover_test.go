package pluginapi

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/proto"

	"github.com/ceplus/ceplus/shared/discovery"
	pb "github.com/ceplus/ceplus/shared/pluginapi/proto/ceplus/plugin/v1"
)

// fullResult sets every field of a discovery result.
func fullResult() discovery.Result {
	return discovery.Result{SchemaVersion: discovery.SchemaVersion, Run: discovery.Run{
		Source: "nmap", Scanner: "nmap 7.93", Targets: []string{"127.0.0.1", "::1"},
		Scanned: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/30"), netip.MustParsePrefix("::1/128")},
		Args:    []string{"nmap", "-n"}, Start: time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC),
		End: time.Date(2026, 11, 22, 10, 0, 7, 0, time.UTC), Privileged: true, ScanType: "syn", ServiceDetection: "light",
		Outcome: discovery.Partial, Errors: []string{"e"}, Warnings: []string{"w"}, HostsUp: 1, HostsDown: 2, HostsTotal: 3,
	}, Hosts: []discovery.Host{{
		Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}, MAC: "00:50:56:00:00:01",
		MACVendor: "VMware", Hostnames: []string{"h.example"}, Status: discovery.HostUp, Reason: "localhost-response",
		TimedOut: true, OS: &discovery.OSGuess{Name: "Linux 5.0 - 5.2", Accuracy: 97, Vendor: "Linux", Family: "Linux",
			Generation: "5.X", Type: "general purpose", CPEs: []string{"cpe:/o:linux:linux_kernel:5"}},
		Services: []discovery.Service{{Port: 65535, Protocol: "tcp", State: "open", Reason: "syn-ack", Name: "ssh",
			Product: "OpenSSH", Version: "9.2p1 Debian 2+deb12u3", ExtraInfo: "protocol 2.0", OSType: "Linux", Tunnel: "ssl",
			CPEs: []string{"cpe:/a:openbsd:openssh:9.2p1"}, Method: "probed", Confidence: 10, Fingerprint: "SF-Port22"}},
	}, {Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.2")}, Status: discovery.HostDown}}}
}

func TestDiscoverWireRoundTrip(t *testing.T) {
	in := fullResult()
	got := discovery.Result{}
	for _, h := range in.Hosts {
		b, err := proto.Marshal(hostToWire(h))
		if err != nil {
			t.Fatal(err)
		}
		var w pb.Host
		if err := proto.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		h2, err := hostFromWire(&w)
		if err != nil {
			t.Fatal(err)
		}
		got.Hosts = append(got.Hosts, h2)
	}
	schema, run, err := runFromWire(runToWire(in.SchemaVersion, in.Run))
	if err != nil {
		t.Fatal(err)
	}
	got.SchemaVersion, got.Run = schema, run
	if diff := cmp.Diff(in, got, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); diff != "" {
		t.Errorf("result round trip (-want +got):\n%s", diff)
	}

	req := DiscoveryRequest{Targets: []string{"127.0.0.1"}, Ports: "22", TopPorts: 7, Service: "intensity", Intensity: 4,
		HostTimeout: 3 * time.Second, Timeout: time.Minute, AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Timing: 5, OSDetection: true, HostGroup: 2, AllowNames: true, Unprivileged: true, MaxAddresses: 9, ScannerPath: "/usr/bin/nmap"}
	req2, err := discoveryRequestFromWire(discoveryRequestToWire(req))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(req, req2, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
		t.Errorf("request round trip (-want +got):\n%s", diff)
	}
	p := discovery.Progress{Task: "Service scan", Percent: 66.7, Remaining: 75 * time.Second, Done: true, HostsDone: 3}
	if diff := cmp.Diff(p, progressFromWire(progressToWire(p))); diff != "" {
		t.Errorf("progress round trip (-want +got):\n%s", diff)
	}
}

func TestDiscoverWireRejectsBadValues(t *testing.T) {
	tests := []struct {
		name string
		conv func() error
		want string
	}{
		{"host address", func() error { _, err := hostFromWire(&pb.Host{Addresses: []string{"127.0.0.300"}}); return err }, `"127.0.0.300"`},
		{"service port", func() error {
			_, err := hostFromWire(&pb.Host{Services: []*pb.Service{{Port: 70000}}})
			return err
		}, "70000"},
		{"scanned prefix", func() error { _, _, err := runFromWire(&pb.DiscoverRun{Scanned: []string{"192.0.2.0/33"}}); return err }, "192.0.2.0/33"},
		{"start time", func() error { _, _, err := runFromWire(&pb.DiscoverRun{Start: "yesterday"}); return err }, "yesterday"},
		{"allowed prefix", func() error {
			_, err := discoveryRequestFromWire(&pb.DiscoverRequest{AllowedPrefixes: []string{"nope"}})
			return err
		}, `"nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.conv()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %s", err, tt.want)
			}
		})
	}
}
