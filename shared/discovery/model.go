package discovery

import (
	"net/netip"
	"time"
)

// SchemaVersion is the version of the Result JSON layout.
const SchemaVersion = 1

// HostStatus is whether a host answered the scan.
type HostStatus string

// Host states as nmap reports them.
const (
	HostUp   HostStatus = "up"
	HostDown HostStatus = "down"
)

// Outcome is how a discovery run ended.
type Outcome string

// Run outcomes. A Partial run stopped early (a timeout or a cancellation) and holds the hosts
// nmap had completed by then; hosts still being scanned are missing, never reported as down.
const (
	Succeeded Outcome = "succeeded"
	Partial   Outcome = "partial"
	Failed    Outcome = "failed"
)

// Result is one discovery run: its summary and the hosts it found.
type Result struct {
	SchemaVersion int    `json:"schema_version"`
	Run           Run    `json:"run"`
	Hosts         []Host `json:"hosts"`
}

// Run summarises a discovery run.
type Run struct {
	// Source names the discovery source, for example "nmap".
	Source string `json:"source"`
	// Scanner is the scanner and its version as it reports itself, for example "nmap 7.93".
	Scanner string `json:"scanner,omitempty"`
	// Targets are the targets as the caller gave them (addresses, CIDR prefixes, host names).
	Targets []string `json:"targets"`
	// Scanned are the prefixes actually handed to the scanner after validation (a single address
	// is a /32 or /128): the range within which an absent device counts as "not seen".
	Scanned []netip.Prefix `json:"scanned"`
	// Args is the scanner's full command line.
	Args []string `json:"args"`
	// Start and End come from the caller's clock, not from the scanner.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Privileged is true when the scan ran with raw-socket rights (SYN scan, OS detection
	// possible); false means a TCP connect scan without OS detection.
	Privileged bool `json:"privileged"`
	// ScanType is the port-scan technique used: "syn" or "connect"; empty when ports were not scanned.
	ScanType string `json:"scan_type,omitempty"`
	// ServiceDetection is the service-version detection level: "off", "light", "default", "all"
	// or "intensity-N".
	ServiceDetection string `json:"service_detection"`
	// Outcome is how the run ended; Errors says why when it is not Succeeded.
	Outcome Outcome  `json:"outcome"`
	Errors  []string `json:"errors,omitempty"`
	// Warnings are the scanner's own warnings and the degradations the source applied (for
	// example "not root: connect scan, OS detection dropped").
	Warnings []string `json:"warnings,omitempty"`
	// HostsUp, HostsDown and HostsTotal are the scanner's counts (for a partial run, the counts
	// of the hosts completed so far).
	HostsUp    int `json:"hosts_up"`
	HostsDown  int `json:"hosts_down"`
	HostsTotal int `json:"hosts_total"`
}

// Host is one scanned host. Down hosts are listed only when they were named as single targets;
// a down address inside a scanned prefix is counted in Run.HostsDown only.
type Host struct {
	// Addresses are the host's IP addresses (normally one).
	Addresses []netip.Addr `json:"addresses"`
	// MAC and MACVendor are visible only for hosts on the scanner's own link segment.
	MAC       string `json:"mac,omitempty"`
	MACVendor string `json:"mac_vendor,omitempty"`
	// Hostnames are only the names the caller gave as targets: the scan never does reverse DNS.
	Hostnames []string   `json:"hostnames,omitempty"`
	Status    HostStatus `json:"status"`
	// Reason is why the scanner decided the status, for example "localhost-response",
	// "arp-response", "conn-refused" or "no-response".
	Reason string `json:"reason,omitempty"`
	// TimedOut is true when the host hit the host timeout: its services are then missing.
	TimedOut bool      `json:"timed_out,omitempty"`
	OS       *OSGuess  `json:"os,omitempty"`
	Services []Service `json:"services,omitempty"`
}

// OSGuess is the scanner's best operating-system match.
type OSGuess struct {
	Name string `json:"name"`
	// Accuracy is the scanner's confidence in percent.
	Accuracy   int      `json:"accuracy"`
	Vendor     string   `json:"vendor,omitempty"`
	Family     string   `json:"family,omitempty"`
	Generation string   `json:"generation,omitempty"`
	Type       string   `json:"type,omitempty"`
	CPEs       []string `json:"cpes,omitempty"`
}

// Service is one port of a host and what listens on it.
type Service struct {
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
	// State is the port state: "open", "closed", "filtered", "open|filtered", …
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	// Name is the service name ("http", "ssh"); with Method "table" it is only a guess from the
	// port number.
	Name      string `json:"name,omitempty"`
	Product   string `json:"product,omitempty"`
	Version   string `json:"version,omitempty"`
	ExtraInfo string `json:"extra_info,omitempty"`
	OSType    string `json:"os_type,omitempty"`
	Tunnel    string `json:"tunnel,omitempty"`
	// CPEs are CPE 2.2 URIs as nmap reports them, for example "cpe:/a:igor_sysoev:nginx:1.18.0".
	CPEs []string `json:"cpes,omitempty"`
	// Method is "probed" (the service answered a probe that matched) or "table" (named from the
	// port number only).
	Method string `json:"method,omitempty"`
	// Confidence is nmap's confidence, 0–10 (10: probed and matched; 3: port table).
	Confidence int `json:"confidence"`
	// Fingerprint is nmap's service fingerprint, present when the service answered but matched
	// nothing; it is the evidence to submit to nmap or to read by hand.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Up reports whether the host answered.
func (h Host) Up() bool { return h.Status == HostUp }
