package discovery

import (
	"net/netip"
	"sort"
	"strings"
)

// ScopeDevice is one device the assessment declared: an enrolled agent or an imported device.
type ScopeDevice struct {
	ID    string `json:"id"`
	Build string `json:"build"`
	// Addresses are the device's known IP addresses.
	Addresses []netip.Addr `json:"addresses,omitempty"`
	Hostname  string       `json:"hostname,omitempty"`
	MAC       string       `json:"mac,omitempty"`
}

// MatchBy is the evidence that tied a discovered host to a scope device, strongest first.
type MatchBy string

// Match evidence. A MAC address beats an IP address, which beats a host name: addresses are
// reassigned by DHCP, and names are only as good as the caller's targets.
const (
	ByMAC      MatchBy = "mac"
	ByAddress  MatchBy = "address"
	ByHostname MatchBy = "hostname"
)

// UnknownBuild is the build reported for discovered hosts that match no scope device: the scan
// alone cannot tell which CE+ build they belong to, so they are counted apart, never folded into
// a declared build.
const UnknownBuild = "(unknown: not in scope)"

// Match ties one discovered host to one scope device.
type Match struct {
	DeviceID string     `json:"device_id"`
	Build    string     `json:"build"`
	Host     netip.Addr `json:"host"`
	By       MatchBy    `json:"by"`
}

// Ambiguous is a discovered host that matches several scope devices with equally strong
// evidence; it is not counted as any of them and needs the assessor's decision.
type Ambiguous struct {
	Host      netip.Addr `json:"host"`
	By        MatchBy    `json:"by"`
	DeviceIDs []string   `json:"device_ids"`
}

// BuildCount compares, for one build, the devices declared with the devices the scan found.
type BuildCount struct {
	Build    string `json:"build"`
	Declared int    `json:"declared"`
	Found    int    `json:"found"`
	// NotSeen counts declared devices inside the scanned range that no up host matched.
	NotSeen int `json:"not_seen"`
	// NotScanned counts declared devices none of whose addresses was in the scanned range.
	NotScanned int `json:"not_scanned"`
}

// Report is the outcome of Reconcile.
type Report struct {
	Matches []Match `json:"matches"`
	// Unknown are up hosts that match no scope device: in neither the scope nor the agents.
	Unknown []Host `json:"unknown"`
	// NotSeen are scope devices inside the scanned range that no up host matched (including
	// devices whose only matching host was down).
	NotSeen []ScopeDevice `json:"not_seen"`
	// NotScanned are scope devices with addresses, none of them in the scanned range: their
	// absence says nothing.
	NotScanned []ScopeDevice `json:"not_scanned,omitempty"`
	Ambiguous  []Ambiguous   `json:"ambiguous,omitempty"`
	// Builds has one row per declared build, sorted by name, and a last row UnknownBuild whose
	// Found is the number of Unknown hosts (Declared is always 0 there).
	Builds []BuildCount `json:"builds"`
}

// Reconcile compares discovered hosts with the scope as if the scan had covered every scope
// device's addresses. Use ReconcileScanned when the scanned range is known.
func Reconcile(scope []ScopeDevice, hosts []Host) Report {
	return ReconcileScanned(scope, hosts, nil)
}

// ReconcileScanned compares discovered hosts with the scope devices. scanned is the range the scan
// covered (Run.Scanned); nil means everything. Only up hosts count as seen. A host matching one
// device by its strongest evidence is a Match; several devices with equal strongest evidence
// make it Ambiguous; none makes it Unknown. A device with no addresses (only a name or a MAC)
// is assumed to be in range.
func ReconcileScanned(scope []ScopeDevice, hosts []Host, scanned []netip.Prefix) Report {
	idx := newScopeIndex(scope)
	rep := Report{Matches: []Match{}, Unknown: []Host{}, NotSeen: []ScopeDevice{}}
	seen := make([]bool, len(scope))
	for _, h := range hosts {
		if !h.Up() {
			continue
		}
		by, devs := idx.match(h)
		primary := primaryAddr(h)
		switch {
		case len(devs) == 0:
			rep.Unknown = append(rep.Unknown, h)
		case len(devs) == 1:
			d := scope[devs[0]]
			seen[devs[0]] = true
			rep.Matches = append(rep.Matches, Match{DeviceID: d.ID, Build: d.Build, Host: primary, By: by})
		default:
			ids := make([]string, len(devs))
			for i, di := range devs {
				ids[i] = scope[di].ID
			}
			sort.Strings(ids)
			rep.Ambiguous = append(rep.Ambiguous, Ambiguous{Host: primary, By: by, DeviceIDs: ids})
		}
	}
	builds := map[string]*BuildCount{}
	for i, d := range scope {
		bc := builds[d.Build]
		if bc == nil {
			bc = &BuildCount{Build: d.Build}
			builds[d.Build] = bc
		}
		bc.Declared++
		switch {
		case seen[i]:
			bc.Found++
		case !inRange(d, scanned):
			bc.NotScanned++
			rep.NotScanned = append(rep.NotScanned, d)
		default:
			bc.NotSeen++
			rep.NotSeen = append(rep.NotSeen, d)
		}
	}
	names := make([]string, 0, len(builds))
	for b := range builds {
		names = append(names, b)
	}
	sort.Strings(names)
	for _, b := range names {
		rep.Builds = append(rep.Builds, *builds[b])
	}
	rep.Builds = append(rep.Builds, BuildCount{Build: UnknownBuild, Found: len(rep.Unknown)})
	return rep
}

// inRange reports whether any of d's addresses lies in scanned (nil: everything).
func inRange(d ScopeDevice, scanned []netip.Prefix) bool {
	if scanned == nil || len(d.Addresses) == 0 {
		return true
	}
	for _, a := range d.Addresses {
		for _, p := range scanned {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
	}
	return false
}

func primaryAddr(h Host) netip.Addr {
	if len(h.Addresses) == 0 {
		return netip.Addr{}
	}
	return h.Addresses[0]
}

// scopeIndex looks scope devices up by MAC, address and host name.
type scopeIndex struct {
	byMAC  map[string][]int
	byAddr map[netip.Addr][]int
	byName map[string][]int
}

func newScopeIndex(scope []ScopeDevice) scopeIndex {
	idx := scopeIndex{byMAC: map[string][]int{}, byAddr: map[netip.Addr][]int{}, byName: map[string][]int{}}
	for i, d := range scope {
		if m := NormalizeMAC(d.MAC); m != "" {
			idx.byMAC[m] = appendUnique(idx.byMAC[m], i)
		}
		for _, a := range d.Addresses {
			if a.IsValid() {
				idx.byAddr[a.Unmap()] = appendUnique(idx.byAddr[a.Unmap()], i)
			}
		}
		if n := normalizeName(d.Hostname); n != "" {
			idx.byName[n] = appendUnique(idx.byName[n], i)
		}
	}
	return idx
}

// match returns the strongest evidence that ties h to scope devices and the devices it ties.
func (idx scopeIndex) match(h Host) (MatchBy, []int) {
	if m := NormalizeMAC(h.MAC); m != "" {
		if devs := idx.byMAC[m]; len(devs) > 0 {
			return ByMAC, devs
		}
	}
	var devs []int
	for _, a := range h.Addresses {
		for _, i := range idx.byAddr[a.Unmap()] {
			devs = appendUnique(devs, i)
		}
	}
	if len(devs) > 0 {
		return ByAddress, devs
	}
	for _, n := range h.Hostnames {
		for _, i := range idx.byName[normalizeName(n)] {
			devs = appendUnique(devs, i)
		}
	}
	if len(devs) > 0 {
		return ByHostname, devs
	}
	return "", nil
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// NormalizeMAC returns mac as lower-case hex pairs joined by ':' ("00:1a:2b:3c:4d:5e"), accepting
// ':', '-' and '.' separators or none; it returns "" for anything that is not 6 bytes of hex.
func NormalizeMAC(mac string) string {
	hex := make([]byte, 0, 12)
	for i := 0; i < len(mac); i++ {
		c := mac[i]
		switch {
		case c == ':' || c == '-' || c == '.':
			continue
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			hex = append(hex, c)
		case c >= 'A' && c <= 'F':
			hex = append(hex, c+'a'-'A')
		default:
			return ""
		}
	}
	if len(hex) != 12 {
		return ""
	}
	var b strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.Write(hex[i : i+2])
	}
	return b.String()
}

func normalizeName(n string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".")
}
