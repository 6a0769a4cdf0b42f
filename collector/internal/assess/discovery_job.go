package assess

import (
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// DiscoveryJob is what an assessor asks a scanner agent to discover; it is recorded as asked.
type DiscoveryJob struct {
	// Agent is the scanner agent's id or a unique prefix; empty when the assessment has one
	// scanner.
	Agent string `json:"agent,omitempty"`
	// Targets are IP addresses or CIDR prefixes, each inside the scanner's allow-list. Names
	// are refused: the agent would resolve them, outside the allow-list's control.
	Targets []string `json:"targets"`
	// Ports is a port list ("22,80,8000-8100"); TopPorts the N most common ports instead;
	// neither: nmap's top 1,000.
	Ports    string `json:"ports,omitempty"`
	TopPorts int    `json:"top_ports,omitempty"`
	// Service is the service-detection level: off, light (the default), default, all, or
	// intensity with Intensity 0-9.
	Service   string `json:"service_detection,omitempty"`
	Intensity int    `json:"intensity,omitempty"`
	// HostTimeout gives up on a host after this long (a Go duration, "30s"); Timeout bounds
	// the whole run ("10m", the default; at most 1h) and keeps the hosts completed by then.
	HostTimeout string `json:"host_timeout,omitempty"`
	Timeout     string `json:"timeout,omitempty"`
	// Timing is nmap's timing template 0-5; nil leaves nmap's default (3).
	Timing *int `json:"timing,omitempty"`
}

// ScanJob is a checked discovery job as the runner sends it to the agent.
type ScanJob struct {
	Targets     []string
	Ports       string
	TopPorts    int
	Service     string
	Intensity   int
	HostTimeout time.Duration
	Timeout     time.Duration
	// Timing is nmap's timing template plus one: 0 leaves nmap's default.
	Timing int
	// Allowed is the scanner's allow-list: the agent's plugin refuses any target outside it.
	Allowed      []netip.Prefix
	MaxAddresses int
}

// Limits of a discovery job.
const (
	defaultJobTimeout = 10 * time.Minute
	maxJobTimeout     = time.Hour
	// MaxJobAddresses is the most addresses one job may cover: a /16.
	MaxJobAddresses = 1 << 16
	maxJobTargets   = 1024
)

var serviceLevels = []string{"off", "light", "default", "all", "intensity"}

// check validates the job against the scanner's allow-list and returns what is sent. Every
// refusal is ErrInvalid naming the field; a target outside the allow-list is
// target_not_allowed.
func (j DiscoveryJob) check(sc ScannerAgent) (ScanJob, error) {
	bad := func(format string, args ...any) (ScanJob, error) {
		return ScanJob{}, fail(ErrInvalid, "invalid_job", "discovery job: "+format, args...)
	}
	out := ScanJob{Ports: j.Ports, TopPorts: j.TopPorts, Service: j.Service, Intensity: j.Intensity, Allowed: sc.Allow,
		Timeout: defaultJobTimeout, MaxAddresses: MaxJobAddresses}
	if out.Service == "" {
		out.Service = "light"
	}
	switch {
	case len(j.Targets) == 0:
		return bad("no targets: give IP addresses or CIDR prefixes inside the scanner's allow-list %s", prefixList(sc.Allow))
	case len(j.Targets) > maxJobTargets:
		return bad("%d targets, at most %d: give CIDR prefixes", len(j.Targets), maxJobTargets)
	case j.Ports != "" && j.TopPorts != 0:
		return bad("give ports or top_ports, not both")
	case j.TopPorts < 0 || j.TopPorts > 65535:
		return bad("top_ports %d: want 1 to 65535", j.TopPorts)
	case !slices.Contains(serviceLevels, out.Service):
		return bad("service_detection %q: want %s", j.Service, strings.Join(serviceLevels, ", "))
	case j.Intensity < 0 || j.Intensity > 9 || (j.Intensity != 0 && out.Service != "intensity"):
		return bad("intensity %d: want 0 to 9, with service_detection intensity", j.Intensity)
	case j.Timing != nil && (*j.Timing < 0 || *j.Timing > 5):
		return bad("timing %d: want 0 to 5", *j.Timing)
	}
	if j.Timing != nil {
		out.Timing = *j.Timing + 1
	}
	for _, f := range []struct {
		name, v string
		dst     *time.Duration
	}{{"host_timeout", j.HostTimeout, &out.HostTimeout}, {"timeout", j.Timeout, &out.Timeout}} {
		if f.v == "" {
			continue
		}
		d, err := time.ParseDuration(f.v)
		if err != nil || d <= 0 || d > maxJobTimeout {
			return bad("%s %q: want a duration such as 30s or 10m, at most %s", f.name, f.v, maxJobTimeout)
		}
		*f.dst = d
	}
	total := new(big.Int)
	for _, t := range j.Targets {
		p, err := parseTarget(t)
		if err != nil {
			return bad("target %q: %v", t, err)
		}
		if !within(p, sc.Allow) {
			return ScanJob{}, fail(ErrInvalid, "target_not_allowed", "discovery job: target %s is outside the allow-list %s of scanner %s: the job was not sent; scan only inside the allow-list, or widen it with 'assessment scanner add'",
				t, prefixList(sc.Allow), short(sc.Agent))
		}
		total.Add(total, new(big.Int).Lsh(big.NewInt(1), uint(p.Addr().BitLen()-p.Bits())))
		out.Targets = append(out.Targets, p.String())
	}
	if total.Cmp(big.NewInt(MaxJobAddresses)) > 0 {
		return bad("the targets cover %s addresses, at most %d (a /16) per job: split the range", total, MaxJobAddresses)
	}
	return out, nil
}

// parseTarget parses an address (as a single-address prefix) or a CIDR prefix; names and
// nmap ranges are refused.
func parseTarget(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("an address with a zone cannot be checked against the allow-list")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("not an IP address or CIDR prefix (host names and nmap ranges are refused)")
	}
	return p.Masked(), nil
}

// within reports whether prefix p lies entirely inside one of the prefixes of set.
func within(p netip.Prefix, set []netip.Prefix) bool {
	for _, q := range set {
		if q.Addr().Is4() == p.Addr().Is4() && q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// parseAllowList parses a scanner's allow-list: addresses or CIDR prefixes, none covering a
// whole address family.
func parseAllowList(ss []string) ([]netip.Prefix, error) {
	if len(ss) == 0 {
		return nil, fail(ErrInvalid, "invalid_allow_list", "the allow-list is empty: name the applicant's networks the scanner may scan, for example --allow 10.1.0.0/16")
	}
	var out []netip.Prefix
	for _, s := range ss {
		p, err := parseTarget(s)
		if err != nil {
			return nil, fail(ErrInvalid, "invalid_allow_list", "allow-list entry %q: %v", s, err)
		}
		if p.Bits() == 0 {
			return nil, fail(ErrInvalid, "invalid_allow_list", "allow-list entry %q covers every address: name the applicant's networks", s)
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func prefixList(ps []netip.Prefix) string {
	ss := make([]string, len(ps))
	for i, p := range ps {
		ss[i] = p.String()
	}
	return "[" + strings.Join(ss, " ") + "]"
}

func short(agent string) string {
	if len(agent) > 12 {
		return agent[:12]
	}
	return agent
}
