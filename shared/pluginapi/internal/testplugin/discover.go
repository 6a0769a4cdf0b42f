package main

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// discoverSource is a discovery source that scans nothing. For every target address it reports
// one up host with an open 22/tcp service, after a progress event. The request chooses special
// behaviours:
//
//	target "refuse"        the request is refused (pluginapi.ErrInvalidRequest)
//	ports "wait"           waits for ctx (or req.Timeout) after the first host, then returns
//	                       that host as a partial result
//	ports "fail"           returns a failed run with an error
type discoverSource struct{ name string }

func (s *discoverSource) Info() pluginapi.Info {
	return pluginapi.Info{Name: s.name, Version: "0.0.1-test", Kind: pluginapi.KindDiscovery,
		OS: []string{runtime.GOOS}, Description: "test discovery plugin"}
}

func (s *discoverSource) Discover(ctx context.Context, req pluginapi.DiscoveryRequest, progress func(discovery.Progress)) (discovery.Result, error) {
	if s.name == "test-discover-hang" {
		time.Sleep(time.Hour)
	}
	res := discovery.Result{SchemaVersion: discovery.SchemaVersion, Hosts: []discovery.Host{}, Run: discovery.Run{
		Source: s.name, Scanner: "test 1.0", Targets: req.Targets, ServiceDetection: req.Service, Outcome: discovery.Succeeded,
		Start: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 22, 10, 0, 1, 0, time.UTC)}}
	for i, t := range req.Targets {
		if t == "refuse" {
			return res, fmt.Errorf("target %q: %w: not an address", t, pluginapi.ErrInvalidRequest)
		}
		a, err := netip.ParseAddr(t)
		if err != nil {
			return res, fmt.Errorf("target %q: %w: %v", t, pluginapi.ErrInvalidRequest, err)
		}
		progress(discovery.Progress{Task: "Test Scan", Percent: float64(100 * i / len(req.Targets)), HostsDone: i})
		res.Run.Scanned = append(res.Run.Scanned, netip.PrefixFrom(a, a.BitLen()))
		res.Hosts = append(res.Hosts, discovery.Host{Addresses: []netip.Addr{a}, Status: discovery.HostUp, Reason: "test",
			Services: []discovery.Service{{Port: 22, Protocol: "tcp", State: "open", Name: "ssh", Product: "OpenSSH",
				Version: "9.2p1", CPEs: []string{"cpe:/a:openbsd:openssh:9.2p1"}, Method: "probed", Confidence: 10}}})
		res.Run.HostsUp++
		res.Run.HostsTotal++
		if req.Ports == "wait" {
			<-ctx.Done()
			res.Run.Outcome = discovery.Partial
			res.Run.Errors = append(res.Run.Errors, fmt.Sprintf("scan stopped early (%v)", ctx.Err()))
			return res, nil
		}
	}
	progress(discovery.Progress{Task: "Test Scan", Percent: 100, Done: true, HostsDone: len(res.Hosts)})
	if req.Ports == "fail" {
		res.Run.Outcome = discovery.Failed
		res.Run.Errors = append(res.Run.Errors, "test scanner failed on purpose")
		return res, fmt.Errorf("test scanner failed on purpose")
	}
	return res, nil
}
