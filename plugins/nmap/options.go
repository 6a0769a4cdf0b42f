package nmap

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ServiceMode is the depth of service-version detection (nmap -sV).
type ServiceMode string

// Service-detection modes. Light (intensity 2) is the practical default: at nmap's default
// intensity one service nmap does not recognise costs about 90 s per port (docs/discovery.md).
const (
	ServiceOff       ServiceMode = "off"       // ports only, no -sV
	ServiceLight     ServiceMode = "light"     // -sV --version-light (intensity 2)
	ServiceDefault   ServiceMode = "default"   // -sV (intensity 7)
	ServiceAll       ServiceMode = "all"       // -sV --version-all (intensity 9)
	ServiceIntensity ServiceMode = "intensity" // -sV --version-intensity Options.Intensity
)

// ParseServiceMode parses "off", "light", "default" or "all".
func ParseServiceMode(s string) (ServiceMode, error) {
	switch m := ServiceMode(s); m {
	case ServiceOff, ServiceLight, ServiceDefault, ServiceAll:
		return m, nil
	}
	return "", fmt.Errorf("%w: service detection %q: use off, light, default or all", ErrInvalidOptions, s)
}

// Timing is nmap's timing template; the zero value leaves nmap's default (T3, normal).
type Timing int

// Timing templates, -T0 to -T5.
const (
	TimingDefault Timing = iota
	TimingParanoid
	TimingSneaky
	TimingPolite
	TimingNormal
	TimingAggressive
	TimingInsane
)

// Resolver resolves host name targets; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DefaultMaxAddresses is the default limit on the number of addresses one run may cover.
const DefaultMaxAddresses = 65536

// Options configure one discovery run.
type Options struct {
	// Targets are IP addresses, CIDR prefixes, or host names (only with AllowNames). IPv4 and
	// IPv6 targets cannot be mixed in one run (nmap scans one family at a time).
	Targets []string
	// Ports is an nmap port list ("22,80,8000-8100"); TopPorts scans nmap's N most common ports
	// instead. With neither, nmap scans its default top 1,000.
	Ports    string
	TopPorts int
	// Service is the service-detection depth; the zero value is ServiceOff. Intensity (0–9) is
	// used with ServiceIntensity only.
	Service   ServiceMode
	Intensity int
	// HostTimeout gives up on a host after this long (nmap --host-timeout); nmap then drops all
	// of that host's ports, and the host is marked TimedOut. Zero: no limit.
	HostTimeout time.Duration
	Timing      Timing
	// OSDetection asks for nmap -O; it needs root and is dropped, with a warning, without it.
	OSDetection bool
	// HostGroup caps how many hosts nmap scans in parallel (--max-hostgroup); smaller groups
	// report hosts sooner. Zero: nmap's default.
	HostGroup int
	// AllowNames lets targets be host names, resolved here through Resolver; nmap itself only
	// ever receives addresses.
	AllowNames bool
	Resolver   Resolver
	// AllowedPrefixes, when not empty, is the policy: every target (every address of a name, the
	// whole of a prefix) must lie inside one of them, or the run is refused before nmap starts.
	AllowedPrefixes []netip.Prefix
	// MaxAddresses caps the addresses one run covers (DefaultMaxAddresses when zero).
	MaxAddresses int
	// Unprivileged forces the unprivileged scan (connect scan, no OS detection) even as root.
	Unprivileged bool
	// NmapPath is the nmap binary: a path, or a name looked up in PATH ("nmap" when empty).
	NmapPath string
	// StatsEvery is how often nmap reports progress (--stats-every); 2 s when zero.
	StatsEvery time.Duration
	// Now is the clock for Run.Start and Run.End; time.Now when nil.
	Now func() time.Time
}

// check validates the options other than targets.
func (o Options) check() error {
	if len(o.Targets) == 0 {
		return fmt.Errorf("%w: no targets: give at least one address, CIDR prefix or host name", ErrInvalidOptions)
	}
	if o.Ports != "" && o.TopPorts != 0 {
		return fmt.Errorf("%w: give ports %q or top ports %d, not both", ErrInvalidOptions, o.Ports, o.TopPorts)
	}
	if o.Ports != "" {
		if err := checkPorts(o.Ports); err != nil {
			return err
		}
	}
	if o.TopPorts < 0 || o.TopPorts > 65535 {
		return fmt.Errorf("%w: top ports %d: use 1 to 65535", ErrInvalidOptions, o.TopPorts)
	}
	switch o.Service {
	case "", ServiceOff, ServiceLight, ServiceDefault, ServiceAll:
	case ServiceIntensity:
		if o.Intensity < 0 || o.Intensity > 9 {
			return fmt.Errorf("%w: version intensity %d: use 0 to 9", ErrInvalidOptions, o.Intensity)
		}
	default:
		return fmt.Errorf("%w: service detection %q: use off, light, default, all or intensity", ErrInvalidOptions, o.Service)
	}
	if o.Timing < TimingDefault || o.Timing > TimingInsane {
		return fmt.Errorf("%w: timing %d: use a template T0 to T5", ErrInvalidOptions, int(o.Timing)-1)
	}
	if o.HostTimeout < 0 || o.StatsEvery < 0 || o.HostGroup < 0 || o.MaxAddresses < 0 {
		return fmt.Errorf("%w: host timeout, stats interval, host group and address limit cannot be negative", ErrInvalidOptions)
	}
	for _, p := range o.AllowedPrefixes {
		if !p.IsValid() {
			return fmt.Errorf("%w: allowed prefix %v is not valid", ErrInvalidOptions, p)
		}
	}
	return nil
}

// checkPorts accepts "N", "N-M" and comma lists of them, 1–65535, N ≤ M.
func checkPorts(s string) error {
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, errA := strconv.Atoi(lo)
		b := a
		var errB error
		if isRange {
			b, errB = strconv.Atoi(hi)
		}
		if errA != nil || errB != nil || a < 1 || b > 65535 || a > b {
			return fmt.Errorf("%w: ports %q: %q is not a port (1-65535) or a range N-M", ErrInvalidOptions, s, part)
		}
	}
	return nil
}

// serviceLabel is the Run.ServiceDetection value for the options.
func (o Options) serviceLabel() string {
	switch o.Service {
	case "", ServiceOff:
		return string(ServiceOff)
	case ServiceIntensity:
		return fmt.Sprintf("intensity-%d", o.Intensity)
	}
	return string(o.Service)
}
