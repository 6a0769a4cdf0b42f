package pluginapi

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
)

// Plugin is what Serve serves: a Source (Info says KindPackages) or a DiscoverySource (Info says
// KindDiscovery).
type Plugin interface {
	Info() Info
}

// DiscoveryRequest is what the agent asks of a discovery source: the targets, the depth of the
// scan and the policy it must stay within.
type DiscoveryRequest struct {
	// Targets are IP addresses, CIDR prefixes, or host names (only with AllowNames).
	Targets []string `json:"targets"`
	// Ports is a port list ("22,80,8000-8100"); TopPorts scans the N most common ports instead.
	Ports    string `json:"ports,omitempty"`
	TopPorts int    `json:"top_ports,omitempty"`
	// Service is the service-detection level: "off", "light", "default", "all", or "intensity"
	// with Intensity 0-9.
	Service   string `json:"service_detection"`
	Intensity int    `json:"intensity,omitempty"`
	// HostTimeout gives up on one host after this long; zero: no limit.
	HostTimeout time.Duration `json:"host_timeout,omitempty"`
	// Timeout bounds the whole run inside the plugin, which then stops the scanner and returns the
	// hosts completed so far (outcome partial). Zero: no limit other than the caller's context.
	Timeout time.Duration `json:"timeout,omitempty"`
	// AllowedPrefixes is the policy every target must lie in; empty: no policy.
	AllowedPrefixes []netip.Prefix `json:"allowed_prefixes,omitempty"`
	// Timing is the timing template plus one: 0 leaves the scanner's default, 1-6 are -T0 to -T5.
	Timing       int  `json:"timing,omitempty"`
	OSDetection  bool `json:"os_detection,omitempty"`
	HostGroup    int  `json:"host_group,omitempty"`
	AllowNames   bool `json:"allow_names,omitempty"`
	Unprivileged bool `json:"unprivileged,omitempty"`
	MaxAddresses int  `json:"max_addresses,omitempty"`
	// ScannerPath is the scanner binary, a path or a name in PATH; empty: the source's default.
	ScannerPath string `json:"scanner_path,omitempty"`
}

// ErrInvalidRequest is returned (wrapped) by a discovery source that refuses a request before it
// scans anything: a bad target or option. The agent reports it as a usage error.
var ErrInvalidRequest = errors.New("discovery request refused")

// DiscoverySource is one network discovery source. Discover validates req, runs the scan, calls
// progress (never nil) as the scanner reports, and returns hosts and services, never packages.
// A run cut by ctx or req.Timeout returns the hosts completed so far with outcome Partial and a
// nil error; a failed run returns its summary (outcome Failed) and an error. A refused request
// returns an error wrapping ErrInvalidRequest. Discover must honour ctx.
type DiscoverySource interface {
	Info() Info
	Discover(ctx context.Context, req DiscoveryRequest, progress func(discovery.Progress)) (discovery.Result, error)
}
