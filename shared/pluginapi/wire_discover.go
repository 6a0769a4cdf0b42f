package pluginapi

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	pb "github.com/ceplus/ceplus/shared/pluginapi/proto/ceplus/plugin/v1"
)

// The converters below are the only place where generated protobuf types meet the domain types
// of shared/discovery. Each pair must round-trip every field (wire_discover_test.go checks it).
// The fromWire side parses what a plugin sent and says which value was wrong.

func discoveryRequestToWire(r DiscoveryRequest) *pb.DiscoverRequest {
	return &pb.DiscoverRequest{Targets: r.Targets, Ports: r.Ports, TopPorts: uint32(r.TopPorts),
		ServiceDetection: r.Service, Intensity: uint32(r.Intensity), HostTimeoutMs: r.HostTimeout.Milliseconds(),
		TimeoutMs: r.Timeout.Milliseconds(), AllowedPrefixes: prefixStrings(r.AllowedPrefixes), Timing: uint32(r.Timing),
		OsDetection: r.OSDetection, HostGroup: uint32(r.HostGroup), AllowNames: r.AllowNames, Unprivileged: r.Unprivileged,
		MaxAddresses: uint32(r.MaxAddresses), ScannerPath: r.ScannerPath}
}

func discoveryRequestFromWire(w *pb.DiscoverRequest) (DiscoveryRequest, error) {
	allowed, err := parsePrefixes("allowed prefix", w.GetAllowedPrefixes())
	if err != nil {
		return DiscoveryRequest{}, err
	}
	return DiscoveryRequest{Targets: w.GetTargets(), Ports: w.GetPorts(), TopPorts: int(w.GetTopPorts()),
		Service: w.GetServiceDetection(), Intensity: int(w.GetIntensity()),
		HostTimeout: time.Duration(w.GetHostTimeoutMs()) * time.Millisecond, Timeout: time.Duration(w.GetTimeoutMs()) * time.Millisecond,
		AllowedPrefixes: allowed, Timing: int(w.GetTiming()), OSDetection: w.GetOsDetection(), HostGroup: int(w.GetHostGroup()),
		AllowNames: w.GetAllowNames(), Unprivileged: w.GetUnprivileged(), MaxAddresses: int(w.GetMaxAddresses()),
		ScannerPath: w.GetScannerPath()}, nil
}

func progressToWire(p discovery.Progress) *pb.DiscoverProgress {
	return &pb.DiscoverProgress{Task: p.Task, Percent: p.Percent, RemainingMs: p.Remaining.Milliseconds(), Done: p.Done,
		HostsDone: uint32(p.HostsDone)}
}

func progressFromWire(w *pb.DiscoverProgress) discovery.Progress {
	return discovery.Progress{Task: w.GetTask(), Percent: w.GetPercent(), Remaining: time.Duration(w.GetRemainingMs()) * time.Millisecond,
		Done: w.GetDone(), HostsDone: int(w.GetHostsDone())}
}

func runToWire(schema int, r discovery.Run) *pb.DiscoverRun {
	return &pb.DiscoverRun{SchemaVersion: uint32(schema), Source: r.Source, Scanner: r.Scanner, Targets: r.Targets,
		Scanned: prefixStrings(r.Scanned), Args: r.Args, Start: timeToWire(r.Start), End: timeToWire(r.End),
		Privileged: r.Privileged, ScanType: r.ScanType, ServiceDetection: r.ServiceDetection, Outcome: string(r.Outcome),
		Errors: r.Errors, Warnings: r.Warnings, HostsUp: uint32(r.HostsUp), HostsDown: uint32(r.HostsDown),
		HostsTotal: uint32(r.HostsTotal)}
}

func runFromWire(w *pb.DiscoverRun) (schema int, r discovery.Run, err error) {
	scanned, err := parsePrefixes("scanned prefix", w.GetScanned())
	if err != nil {
		return 0, discovery.Run{}, err
	}
	start, err := timeFromWire("start", w.GetStart())
	if err != nil {
		return 0, discovery.Run{}, err
	}
	end, err := timeFromWire("end", w.GetEnd())
	if err != nil {
		return 0, discovery.Run{}, err
	}
	return int(w.GetSchemaVersion()), discovery.Run{Source: w.GetSource(), Scanner: w.GetScanner(), Targets: w.GetTargets(),
		Scanned: scanned, Args: w.GetArgs(), Start: start, End: end, Privileged: w.GetPrivileged(), ScanType: w.GetScanType(),
		ServiceDetection: w.GetServiceDetection(), Outcome: discovery.Outcome(w.GetOutcome()), Errors: w.GetErrors(),
		Warnings: w.GetWarnings(), HostsUp: int(w.GetHostsUp()), HostsDown: int(w.GetHostsDown()),
		HostsTotal: int(w.GetHostsTotal())}, nil
}

func hostToWire(h discovery.Host) *pb.Host {
	w := &pb.Host{Mac: h.MAC, MacVendor: h.MACVendor, Hostnames: h.Hostnames, Status: string(h.Status),
		Reason: h.Reason, TimedOut: h.TimedOut}
	for _, a := range h.Addresses {
		w.Addresses = append(w.Addresses, a.String())
	}
	if h.OS != nil {
		w.Os = &pb.OSGuess{Name: h.OS.Name, Accuracy: uint32(h.OS.Accuracy), Vendor: h.OS.Vendor, Family: h.OS.Family,
			Generation: h.OS.Generation, Type: h.OS.Type, Cpes: h.OS.CPEs}
	}
	for _, s := range h.Services {
		w.Services = append(w.Services, serviceToWire(s))
	}
	return w
}

func hostFromWire(w *pb.Host) (discovery.Host, error) {
	h := discovery.Host{MAC: w.GetMac(), MACVendor: w.GetMacVendor(), Hostnames: w.GetHostnames(),
		Status: discovery.HostStatus(w.GetStatus()), Reason: w.GetReason(), TimedOut: w.GetTimedOut()}
	for _, s := range w.GetAddresses() {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return discovery.Host{}, fmt.Errorf("host address %q: %w", s, err)
		}
		h.Addresses = append(h.Addresses, a)
	}
	if o := w.GetOs(); o != nil {
		h.OS = &discovery.OSGuess{Name: o.GetName(), Accuracy: int(o.GetAccuracy()), Vendor: o.GetVendor(),
			Family: o.GetFamily(), Generation: o.GetGeneration(), Type: o.GetType(), CPEs: o.GetCpes()}
	}
	for _, s := range w.GetServices() {
		svc, err := serviceFromWire(s)
		if err != nil {
			return discovery.Host{}, fmt.Errorf("host %v: %w", w.GetAddresses(), err)
		}
		h.Services = append(h.Services, svc)
	}
	return h, nil
}

func serviceToWire(s discovery.Service) *pb.Service {
	return &pb.Service{Port: uint32(s.Port), Protocol: s.Protocol, State: s.State, Reason: s.Reason, Name: s.Name,
		Product: s.Product, Version: s.Version, ExtraInfo: s.ExtraInfo, OsType: s.OSType, Tunnel: s.Tunnel, Cpes: s.CPEs,
		Method: s.Method, Confidence: uint32(s.Confidence), Fingerprint: s.Fingerprint}
}

func serviceFromWire(w *pb.Service) (discovery.Service, error) {
	if w.GetPort() > 65535 {
		return discovery.Service{}, fmt.Errorf("service port %d is out of range", w.GetPort())
	}
	return discovery.Service{Port: uint16(w.GetPort()), Protocol: w.GetProtocol(), State: w.GetState(), Reason: w.GetReason(),
		Name: w.GetName(), Product: w.GetProduct(), Version: w.GetVersion(), ExtraInfo: w.GetExtraInfo(), OSType: w.GetOsType(),
		Tunnel: w.GetTunnel(), CPEs: w.GetCpes(), Method: w.GetMethod(), Confidence: int(w.GetConfidence()),
		Fingerprint: w.GetFingerprint()}, nil
}

func prefixStrings(ps []netip.Prefix) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func parsePrefixes(what string, ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", what, s, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func timeToWire(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func timeFromWire(what, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("run %s time %q: %w", what, s, err)
	}
	return t, nil
}
