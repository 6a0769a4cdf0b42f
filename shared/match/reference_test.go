package match

// The reference matcher: the straightforward implementation (a parse and comparison per event,
// per-finding allocation) that the optimised path must agree with, finding for finding.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/osv-scalibr/semantic"
)

// refMatchInventory does the matching proper; it never reads the clock.
func refMatchInventory(ctx context.Context, snap *vulndb.Snapshot, inv *inventory.Inventory) raw {
	var out raw
	ecos := map[string]vulndb.Eco{}
	var ecoErrs []string
	for _, p := range inv.Packages {
		if _, seen := ecos[p.Ecosystem]; seen || p.Ecosystem == "" {
			continue
		}
		eco, err := vulndb.ParseEco(p.Ecosystem)
		if err != nil {
			continue // reported per package below
		}
		ecos[p.Ecosystem] = eco
		switch {
		case vulndb.IsOSDistro(eco.Base) && eco.Release == "":
			ecoErrs = append(ecoErrs, fmt.Sprintf("package ecosystem %q names no release; the agent must report it as, for example, %s:12", p.Ecosystem, eco.Base))
		default:
			if err := snap.Check(eco); err != nil {
				ecoErrs = append(ecoErrs, err.Error())
			}
		}
	}
	if len(ecoErrs) > 0 {
		slices.Sort(ecoErrs)
		out.err = fmt.Errorf("%w: %s", ErrEcosystem, strings.Join(ecoErrs, "; "))
		return out
	}
	type evalKey struct{ eco, name, version string }
	type evalResult struct {
		hits     []hit
		problems []string
	}
	memo := map[evalKey]evalResult{}
	for i, p := range inv.Packages {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				out.err = err
				return out
			}
		}
		eco, ok := ecos[p.Ecosystem]
		if !ok {
			reason := "package has no ecosystem; it cannot be checked against advisories"
			if p.Ecosystem != "" {
				reason = fmt.Sprintf("ecosystem %q is not an OSV ecosystem; the package cannot be checked", p.Ecosystem)
			}
			out.problems = append(out.problems, Problem{Package: p.Name, Ecosystem: p.Ecosystem, Version: p.Version, Reason: reason})
			continue
		}
		name := lookupName(eco.Base, p)
		k := evalKey{p.Ecosystem, name, p.Version}
		r, done := memo[k]
		if !done {
			r.hits, r.problems = refEvaluate(snap, eco, name, p.Version)
			memo[k] = r
		}
		for _, reason := range r.problems {
			out.problems = append(out.problems, Problem{Package: p.Name, Ecosystem: p.Ecosystem, Version: p.Version, Reason: reason})
		}
		if len(r.hits) > 0 {
			out.findings = append(out.findings, refBuildFindings(snap, eco, p, r.hits)...)
		}
	}
	return out
}

// evaluate returns the records whose entries for (eco, name) affect version, and why some
// could not be evaluated.
func refEvaluate(snap *vulndb.Snapshot, eco vulndb.Eco, name, version string) (hits []hit, problems []string) {
	entries := snap.Lookup(eco, name)
	if len(entries) == 0 {
		return nil, nil
	}
	iv, err := semantic.Parse(version, eco.Base)
	if err != nil {
		return nil, []string{fmt.Sprintf("installed version %q does not parse in %s order (%v); the package cannot be checked", version, eco.Base, err)}
	}
	for _, e := range entries {
		aff := &snap.Record(e.Rec).Affected[e.Aff]
		affected, fixed, err := aff.Evaluate(eco.Base, version, iv)
		if err != nil {
			problems = append(problems, fmt.Sprintf("record %s: %v; the package is not checked against it", snap.Record(e.Rec).ID, err))
			continue
		}
		if affected {
			hits = append(hits, hit{rec: e.Rec, aff: e.Aff, fixed: fixed})
		}
	}
	return hits, problems
}

// refBuildFindings turns the records matching one package into findings. Records are merged into
// one finding when they are the same vulnerability (same alias group) or when one names the
// other (a DSA, USN or RLSA whose upstream/related CVEs have their own records): one missing
// update, one finding, every id listed.
func refBuildFindings(snap *vulndb.Snapshot, eco vulndb.Eco, p inventory.Package, hits []hit) []Finding {
	// One hit per record: an advisory may list the package under several entries (Red Hat
	// appstream and baseos); keep the smallest fix that applies.
	var recs []hit
	byRec := map[int32]int{}
	for _, h := range hits {
		i, ok := byRec[h.rec]
		if !ok {
			byRec[h.rec] = len(recs)
			recs = append(recs, h)
			continue
		}
		if h.fixed != "" && (recs[i].fixed == "" || cmpVersion(eco.Base, h.fixed, recs[i].fixed) < 0) {
			recs[i].fixed, recs[i].aff = h.fixed, h.aff
		}
	}
	parent := make([]int, len(recs))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	ids := make([][]string, len(recs))
	owner := map[string]int{}
	for i, h := range recs {
		r := snap.Record(h.rec)
		ids[i] = append(append([]string(nil), snap.Group(h.rec)...), vulndb.Links(r)...)
		for _, id := range ids[i] {
			if j, ok := owner[id]; ok {
				a, b := find(i), find(j)
				parent[max(a, b)] = min(a, b)
			} else {
				owner[id] = i
			}
		}
	}
	clusters := map[int][]int{}
	var roots []int
	for i := range recs {
		r := find(i)
		if _, ok := clusters[r]; !ok {
			roots = append(roots, r)
		}
		clusters[r] = append(clusters[r], i)
	}
	out := make([]Finding, 0, len(roots))
	for _, root := range roots {
		f := Finding{Kind: KindAdvisory, Package: p.Name, SourcePackage: p.SourceName, Ecosystem: p.Ecosystem,
			Arch: p.Arch, Installed: p.Version}
		for _, i := range clusters[root] {
			h := recs[i]
			r := snap.Record(h.rec)
			f.IDs = append(f.IDs, ids[i]...)
			f.Evidence = append(f.Evidence, evidence(r, h.fixed))
			if h.fixed != "" && h.fixed != f.Fixed && (f.Fixed == "" || cmpVersion(eco.Base, h.fixed, f.Fixed) > 0) {
				f.Fixed = h.fixed
			}
			refMergeSeverity(&f.Severity, snap, h)
		}
		slices.Sort(f.IDs)
		f.IDs = slices.Compact(f.IDs)
		slices.SortFunc(f.Evidence, func(a, b Evidence) int { return strings.Compare(a.Record, b.Record) })
		out = append(out, f)
	}
	return out
}

// refMergeSeverity folds one record's severity into the finding's: the highest CVSS v3 score and
// the highest-ranked vendor word across the merged records.
func refMergeSeverity(s *Severity, snap *vulndb.Snapshot, h hit) {
	r := snap.Record(h.rec)
	aff := &r.Affected[h.aff]
	c := snap.CVSS3(h.rec)
	if ac, err := maxEntryCVSS(aff); err == nil && ac != nil && (c == nil || ac.Score > c.Score) {
		c = ac
	}
	if c != nil && (s.CVSS3 == nil || c.Score > s.CVSS3.Score) {
		s.CVSS3, s.CVSS3Record = c, r.ID
	}
	if v, ok := vulndb.VendorSeverity(r, aff); ok && (s.Vendor == nil || vendorRank(v.Severity) > vendorRank(s.Vendor.Severity)) {
		s.Vendor, s.VendorRecord = &v, r.ID
	}
}

// refMissingUpdates groups the findings that have a fix by (ecosystem, source package): one line
// per update to install, with the highest fixed version, every id and the worst class.
func refMissingUpdates(findings []Finding) []MissingUpdate {
	type key struct{ eco, src string }
	idx := map[key]int{}
	var out []MissingUpdate
	for _, f := range findings {
		if f.Fixed == "" {
			continue
		}
		src := cmp.Or(f.SourcePackage, f.Package)
		k := key{f.Ecosystem, src}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, MissingUpdate{Ecosystem: f.Ecosystem, SourcePackage: src, Installed: f.Installed, Fixed: f.Fixed, Class: f.Class})
			i = len(out) - 1
		}
		m := &out[i]
		m.Packages = append(m.Packages, f.Package)
		m.IDs = append(m.IDs, f.IDs...)
		if f.Fixed != m.Fixed {
			if base, err := vulndb.ParseEco(f.Ecosystem); err == nil && cmpVersion(base.Base, f.Fixed, m.Fixed) > 0 {
				m.Fixed = f.Fixed
			}
		}
		if classRank(f.Class) > classRank(m.Class) {
			m.Class = f.Class
		}
	}
	for i := range out {
		slices.Sort(out[i].Packages)
		out[i].Packages = slices.Compact(out[i].Packages)
		slices.Sort(out[i].IDs)
		out[i].IDs = slices.Compact(out[i].IDs)
	}
	slices.SortFunc(out, func(a, b MissingUpdate) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.SourcePackage, b.SourcePackage))
	})
	return out
}

// hit is one matched record for one package.
type hit struct {
	rec   int32
	aff   int32
	fixed string
}

// refMatch is Matcher.Match without cache, done the straightforward way.
func refMatch(ctx context.Context, snap *vulndb.Snapshot, inv *inventory.Inventory, now time.Time) (*Result, error) {
	r := refMatchInventory(ctx, snap, inv)
	if r.err != nil {
		return nil, r.err
	}
	explained := map[string]bool{}
	for _, f := range r.findings {
		explained[f.Package] = true
	}
	r.findings = append(r.findings, pendingFindings(inv, explained)...)
	slices.SortStableFunc(r.findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Package, b.Package),
			cmp.Compare(a.Arch, b.Arch), cmp.Compare(firstID(a), firstID(b)), cmp.Compare(a.Installed, b.Installed))
	})
	res := &Result{Snapshot: snap.Manifest.Hash, Inventory: inv.ContentHash(), Problems: append([]Problem{}, r.problems...)}
	for _, f := range r.findings {
		f.Evidence = slices.Clone(f.Evidence)
		classify(&f, now)
		res.Findings = append(res.Findings, f)
	}
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	res.MissingUpdates = refMissingUpdates(res.Findings)
	if f := addOSSupport(res, inv.Device, now); f != nil {
		res.Findings = append([]Finding{*f}, res.Findings...)
	}
	if res.MissingUpdates == nil {
		res.MissingUpdates = []MissingUpdate{}
	}
	return res, nil
}
