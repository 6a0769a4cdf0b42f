package exposure

import (
	"strconv"
	"strings"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
)

// Evidence is what nmap saw, kept with every assessment so a finding can show it.
type Evidence struct {
	Port      uint16 `json:"port"`
	Protocol  string `json:"protocol"`
	Name      string `json:"name,omitempty"`
	Product   string `json:"product"`
	Version   string `json:"version,omitempty"`
	ExtraInfo string `json:"extra_info,omitempty"`
	// CPE is the CPE the assessment used.
	CPE string `json:"cpe"`
	// Method and Confidence are nmap's: "probed" with 10 means a probe's answer matched.
	Method     string `json:"method"`
	Confidence int    `json:"confidence"`
	// Fingerprint is nmap's service fingerprint when it sent one.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Candidate is one product name to look up in advisories.
type Candidate struct {
	// Namespace is NamespaceCPE23 or an OSV ecosystem ("Debian", "Ubuntu", "Alpine", "Red Hat").
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Version is the upstream version nmap saw ("1.18.0", "9.2p1"). For an OS ecosystem it is not
	// the package version (the distribution's revision and the release are unknown), so matching
	// it against OS advisories can only be indicative.
	Version string `json:"version"`
	// Marker is the word in nmap's output that named the distribution, for OS ecosystems.
	Marker string `json:"marker,omitempty"`
}

// EOL is the lifecycle verdict for the service's release branch.
type EOL struct {
	Branch
	// Passed is true when the service's branch had no upstream support on the assessment date.
	Passed bool `json:"passed"`
	// Distro names the distribution marker when the software is a distribution's package, whose
	// maintainers may still backport fixes: the upstream end is then a lead, not a verdict.
	Distro string `json:"distro,omitempty"`
}

// Assessment is what the catalog knows about one service.
type Assessment struct {
	// Product is the CPE vendor:product ("igor_sysoev:nginx").
	Product    string      `json:"product"`
	Version    string      `json:"version"`
	Candidates []Candidate `json:"candidates"`
	// EOL is nil when the catalog has no lifecycle data for the product or the branch.
	EOL      *EOL     `json:"eol,omitempty"`
	Evidence Evidence `json:"evidence"`
}

// Finding reports whether the assessment is a finding by itself: the branch is past its end of life.
func (a Assessment) Finding() bool { return a.EOL != nil && a.EOL.Passed }

// Assess maps an open, probed service to the product names of advisories and lifecycle data and
// checks its branch's end of life on date today. ok is false when there is nothing to assess: the
// port is not open, nmap only guessed the service from the port number (method "table"), or none
// of its CPEs is in the catalog. Upstream (cpe23) candidates come first; OS-ecosystem candidates
// are added only when nmap's version or extra info names the distribution.
func (c *Catalog) Assess(s discovery.Service, today calendar.Date) (a Assessment, ok bool) {
	if s.State != "open" || s.Method != "probed" {
		return Assessment{}, false
	}
	var aliases []Alias
	var cpe, product, version string
	for _, uri := range s.CPEs {
		vp, v, isApp := parseCPE(uri)
		if !isApp {
			continue
		}
		if al := c.products[vp]; len(al) > 0 {
			aliases, cpe, product, version = al, uri, vp, v
			break
		}
	}
	if aliases == nil {
		return Assessment{}, false
	}
	if version == "" {
		version, _, _ = strings.Cut(strings.TrimSpace(s.Version), " ")
	}
	marker, eco := c.distro(s.Version + " " + s.ExtraInfo)
	a = Assessment{Product: product, Version: version, Candidates: []Candidate{}, Evidence: Evidence{
		Port: s.Port, Protocol: s.Protocol, Name: s.Name, Product: s.Product, Version: s.Version, ExtraInfo: s.ExtraInfo,
		CPE: cpe, Method: s.Method, Confidence: s.Confidence, Fingerprint: s.Fingerprint,
	}}
	for _, al := range aliases {
		switch al.Namespace {
		case NamespaceCPE23:
			a.Candidates = append(a.Candidates, Candidate{Namespace: al.Namespace, Name: al.Name, Version: version})
		case NamespaceEOL:
			if b, found := c.branchOf(al.Name, version); found {
				a.EOL = &EOL{Branch: b, Passed: !today.Before(b.EOL), Distro: marker}
			}
		}
	}
	for _, al := range aliases {
		if eco != "" && al.Namespace == eco {
			a.Candidates = append(a.Candidates, Candidate{Namespace: al.Namespace, Name: al.Name, Version: version, Marker: marker})
		}
	}
	return a, true
}

// distro finds the first distribution marker, as a whole word, in text.
func (c *Catalog) distro(text string) (marker, ecosystem string) {
	for _, d := range c.distros {
		for i := 0; ; {
			j := strings.Index(text[i:], d.marker)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(d.marker)
			if (start == 0 || !isWordByte(text[start-1])) && (end == len(text) || !isWordByte(text[end])) {
				return d.marker, d.ecosystem
			}
			i = end
		}
	}
	return "", ""
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// branchOf finds the lifecycle entry of version among product's branches.
func (c *Catalog) branchOf(product, version string) (Branch, bool) {
	v, ok := leadingNumbers(version)
	if !ok {
		return Branch{}, false
	}
	for _, b := range c.branches[product] {
		bv, _ := parseBranch(b.Branch)
		if strings.HasPrefix(b.Branch, "<") {
			if compareNumbers(v, bv) < 0 {
				return b, true
			}
			continue
		}
		if len(v) >= len(bv) && compareNumbers(v[:len(bv)], bv) == 0 {
			return b, true
		}
	}
	return Branch{}, false
}

// parseCPE splits a CPE 2.2 URI "cpe:/a:vendor:product:version…" into "vendor:product" and the
// version; isApp is false for anything but an application CPE.
func parseCPE(uri string) (vendorProduct, version string, isApp bool) {
	rest, found := strings.CutPrefix(uri, "cpe:/a:")
	if !found {
		return "", "", false
	}
	parts := strings.SplitN(rest, ":", 4)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	if len(parts) >= 3 {
		version = parts[2]
	}
	return parts[0] + ":" + parts[1], version, true
}

// parseBranch parses "X.Y" or "<X.Y" into its numbers.
func parseBranch(s string) ([]int, bool) {
	s = strings.TrimPrefix(s, "<")
	var out []int
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

// leadingNumbers reads the dotted numbers at the start of a version: "1.18.0" → [1 18 0],
// "9.2p1" → [9 2], "7.4" → [7 4].
func leadingNumbers(v string) ([]int, bool) {
	var out []int
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == 0 {
			break
		}
		n, err := strconv.Atoi(v[:i])
		if err != nil {
			return nil, false
		}
		out = append(out, n)
		if i < len(v) && v[i] == '.' {
			v = v[i+1:]
			continue
		}
		break
	}
	return out, len(out) > 0
}

// compareNumbers compares dotted numbers, a missing component counting as 0.
func compareNumbers(a, b []int) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
