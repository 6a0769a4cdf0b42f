package exposure

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// Classes of exposure findings.
const (
	// ClassVulnerable: nmap's evidence names the distribution, its release and the package's
	// revision, and OSV records of that ecosystem affect that package version.
	ClassVulnerable = "vulnerable"
	// ClassUnverified: OSV records affect the version the banner shows, but the banner does not
	// pin the package (no distribution, release or revision): a lead to check, never a
	// confirmed vulnerability, because distributions backport fixes without changing the
	// upstream version a service announces.
	ClassUnverified = "unverified"
	// ClassUnsupported: the service's release branch is past its upstream end of life.
	ClassUnsupported = "unsupported"
)

// Advisory is one OSV record behind a vulnerable or unverified finding.
type Advisory struct {
	ID string `json:"id"`
	// Aliases are the other ids of the record's alias group (CVE, DSA, …).
	Aliases []string `json:"aliases,omitempty"`
	// Ecosystem and Package are where the record was found ("Debian:12", "openssh").
	Ecosystem string `json:"ecosystem"`
	Package   string `json:"package"`
	// Version is the version compared with the record; Fixed is the smallest fixed version above
	// it, empty when the record names none.
	Version string `json:"version"`
	Fixed   string `json:"fixed,omitempty"`
}

// Finding is one exposed-service finding for a host.
type Finding struct {
	Class string `json:"class"`
	// Product is the CPE vendor:product, Version the upstream version nmap saw.
	Product string `json:"product"`
	Version string `json:"version"`
	// Advisories are set for ClassVulnerable and ClassUnverified, EOL for ClassUnsupported.
	Advisories []Advisory `json:"advisories,omitempty"`
	EOL        *EOL       `json:"eol,omitempty"`
	// Why says what the finding rests on and, when it is not confirmed, what would confirm it.
	Why      string   `json:"why"`
	Evidence Evidence `json:"evidence"`
}

// HostFindings are the findings of one host.
type HostFindings struct {
	Addresses []netip.Addr `json:"addresses"`
	Hostnames []string     `json:"hostnames,omitempty"`
	Findings  []Finding    `json:"findings"`
}

// Report is the exposure findings of one discovery result.
type Report struct {
	// Snapshot is the hash of the advisory snapshot used; empty when none was given (lifecycle
	// findings only).
	Snapshot string `json:"snapshot,omitempty"`
	// Date is the assessment date the lifecycle verdicts use.
	Date  calendar.Date  `json:"date"`
	Hosts []HostFindings `json:"hosts"`
	// Problems are what prevented a complete lookup (an ecosystem the snapshot lacks, a version
	// the ecosystem cannot parse); a service with a problem was not found clean.
	Problems []string `json:"problems,omitempty"`
}

// Findings assesses every open service of the up hosts of res (see Assess) on date today and
// returns the hosts that have findings: end of life as ClassUnsupported, and, when snap is not
// nil, the OSV records affecting the service as ClassVulnerable (only when the evidence pins the
// distribution package: distribution, release and revision) or ClassUnverified (otherwise).
func (c *Catalog) Findings(res discovery.Result, snap *vulndb.Snapshot, today calendar.Date) Report {
	rep := Report{Date: today, Hosts: []HostFindings{}}
	if snap != nil {
		rep.Snapshot = snap.Manifest.Hash
	}
	for _, h := range res.Hosts {
		if !h.Up() {
			continue
		}
		hf := HostFindings{Addresses: h.Addresses, Hostnames: h.Hostnames, Findings: []Finding{}}
		for _, s := range h.Services {
			a, ok := c.Assess(s, today)
			if !ok {
				continue
			}
			if a.Finding() {
				hf.Findings = append(hf.Findings, eolFinding(a))
			}
			if snap != nil {
				f, problems := c.advisoryFinding(a, s, snap)
				for _, p := range problems {
					rep.Problems = append(rep.Problems, fmt.Sprintf("%s port %d/%s: %s", hostLabel(h), s.Port, s.Protocol, p))
				}
				if f != nil {
					hf.Findings = append(hf.Findings, *f)
				}
			}
		}
		if len(hf.Findings) > 0 {
			rep.Hosts = append(rep.Hosts, hf)
		}
	}
	return rep
}

func eolFinding(a Assessment) Finding {
	why := fmt.Sprintf("branch %s of %s ended upstream on %s (%s)", a.EOL.Branch.Branch, a.EOL.Product, a.EOL.EOL, a.EOL.Source)
	if a.EOL.Distro != "" {
		why += fmt.Sprintf("; nmap names %s, whose package may still get backported fixes: check the distribution's own support dates", a.EOL.Distro)
	}
	return Finding{Class: ClassUnsupported, Product: a.Product, Version: a.Version, EOL: a.EOL, Why: why, Evidence: a.Evidence}
}

// advisoryFinding looks the assessed service up in snap: in the named ecosystem at the pinned
// package version when the evidence allows it, else as unverified leads across the releases the
// snapshot holds.
func (c *Catalog) advisoryFinding(a Assessment, s discovery.Service, snap *vulndb.Snapshot) (*Finding, []string) {
	for _, cand := range a.Candidates {
		if cand.Namespace == NamespaceCPE23 {
			continue
		}
		pin, ok := pinPackage(cand.Namespace, cand.Marker, s.Version)
		if !ok {
			continue
		}
		eco := vulndb.Eco{Base: cand.Namespace, Release: pin.release}
		if err := snap.Check(eco); err != nil {
			return nil, []string{fmt.Sprintf("%s %s %s: not looked up: %v", cand.Name, pin.version, eco, err)}
		}
		version, problem := withEpoch(snap, eco, cand.Name, pin.version)
		if problem != "" {
			break // the package cannot be pinned after all: fall back to leads
		}
		hits, problems := snap.Affecting(eco, cand.Name, version)
		if len(hits) == 0 {
			return nil, problems
		}
		return &Finding{Class: ClassVulnerable, Product: a.Product, Version: a.Version, Evidence: a.Evidence,
			Advisories: advisories(snap, eco, cand.Name, version, hits),
			Why: fmt.Sprintf("nmap's version %q names %s %s and the package revision: package %s %s is affected",
				s.Version, cand.Marker, pin.release, cand.Name, version)}, problems
	}
	return c.leads(a, s, snap)
}

// leads looks the product up, with the version the banner shows, in every release of every OS
// ecosystem the catalog maps it to (only the named distribution's when nmap names one).
func (c *Catalog) leads(a Assessment, s discovery.Service, snap *vulndb.Snapshot) (*Finding, []string) {
	marker, named := c.distro(s.Version + " " + s.ExtraInfo)
	var out []Advisory
	var problems []string
	for _, al := range c.Aliases(a.Product) {
		if al.Namespace == NamespaceCPE23 || al.Namespace == NamespaceEOL || named != "" && al.Namespace != named {
			continue
		}
		version := a.Version
		if pin, ok := pinPackage(al.Namespace, marker, s.Version); ok {
			version = pin.version
		}
		ecos, ps := releases(snap, al.Namespace)
		problems = append(problems, ps...)
		for _, eco := range ecos {
			v, problem := withEpoch(snap, eco, al.Name, version)
			if problem != "" {
				problems = append(problems, problem)
			}
			hits, ps := snap.Affecting(eco, al.Name, v)
			problems = append(problems, ps...)
			out = append(out, advisories(snap, eco, al.Name, v, hits)...)
		}
	}
	if len(out) == 0 {
		return nil, problems
	}
	why := fmt.Sprintf("nmap shows %s %q without the distribution, release and package revision that would pin the package",
		s.Product, s.Version)
	if marker != "" {
		why = fmt.Sprintf("nmap's version %q names %s but not the release or the package revision", s.Version, marker)
	}
	why += "; distributions backport fixes without changing that version, so these records are leads: confirm them with an agent inventory of the host"
	return &Finding{Class: ClassUnverified, Product: a.Product, Version: a.Version, Advisories: out, Why: why, Evidence: a.Evidence}, problems
}

// releases returns the ecosystems of base that the snapshot has records for, sorted.
func releases(snap *vulndb.Snapshot, base string) ([]vulndb.Eco, []string) {
	var keys []string
	for k := range snap.Manifest.Releases {
		if k == base || strings.HasPrefix(k, base+":") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []vulndb.Eco
	var problems []string
	for _, k := range keys {
		eco, err := vulndb.ParseEco(k)
		if err != nil {
			problems = append(problems, fmt.Sprintf("snapshot release %q not looked up: %v", k, err))
			continue
		}
		out = append(out, eco)
	}
	return out, problems
}

func advisories(snap *vulndb.Snapshot, eco vulndb.Eco, name, version string, hits []vulndb.Hit) []Advisory {
	out := make([]Advisory, 0, len(hits))
	for _, h := range hits {
		rec := snap.Record(h.Rec)
		var aliases []string
		for _, id := range snap.Group(h.Rec) {
			if id != rec.ID {
				aliases = append(aliases, id)
			}
		}
		out = append(out, Advisory{ID: rec.ID, Aliases: aliases, Ecosystem: eco.String(), Package: name, Version: version, Fixed: h.Fixed})
	}
	return out
}

func hostLabel(h discovery.Host) string {
	if len(h.Addresses) > 0 {
		return h.Addresses[0].String()
	}
	return strings.Join(h.Hostnames, ",")
}
