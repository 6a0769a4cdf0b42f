package match

import (
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/osv-scalibr/semantic"
)

// buildFindings turns the records matching one package into findings. Records are merged into
// one finding when they are the same vulnerability (same alias group) or when one names the
// other (a DSA, USN or RLSA whose upstream/related CVEs have their own records): one missing
// update, one finding, every id listed.
func buildFindings(snap *vulndb.Snapshot, eco vulndb.Eco, p inventory.Package, hits []hit) []Finding {
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
	var find func(int) int
	find = func(x int) int {
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
			mergeSeverity(&f.Severity, snap, h)
		}
		slices.Sort(f.IDs)
		f.IDs = slices.Compact(f.IDs)
		slices.SortFunc(f.Evidence, func(a, b Evidence) int { return strings.Compare(a.Record, b.Record) })
		out = append(out, f)
	}
	return out
}

// cmpVersion compares two versions of an ecosystem; unparseable versions compare as strings
// (they were checked at import, so this only orders data the index already accepted).
func cmpVersion(base, a, b string) int {
	va, err := semantic.Parse(a, base)
	if err == nil {
		if c, err := va.CompareStr(b); err == nil {
			return c
		}
	}
	return strings.Compare(a, b)
}

// evidence records what one matched record says about the fix and its date. The fix release
// date is the record's `published` (UTC date): for an advisory (DSA, DLA, USN, RHSA, RLSA,
// ALSA, GHSA, GO) that is the date the fixed packages were released. A per-CVE record's
// `published` is the vulnerability's date, so it is flagged DateCVERecord; a missing,
// malformed or placeholder (before 1990) date is flagged and left empty, never guessed.
func evidence(r *vulndb.Record, fixed string) Evidence {
	e := Evidence{Record: r.ID, Fixed: fixed}
	if fixed == "" {
		return e
	}
	t, ok, why := vulndb.ParseTime(r.Published)
	if !ok {
		e.DateFlag = why
	} else {
		e.FixDate = t.Format(dateLayout)
		if isCVERecord(r.ID) {
			e.DateFlag = DateCVERecord
		}
	}
	if m, ok, _ := vulndb.ParseTime(r.Modified); ok {
		e.Modified = m.Format(dateLayout)
	}
	return e
}

const dateLayout = "2006-01-02"

func isCVERecord(id string) bool {
	for _, p := range []string{"CVE-", "DEBIAN-CVE-", "UBUNTU-CVE-", "ALPINE-CVE-"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// mergeSeverity folds one record's severity into the finding's: the highest CVSS v3 score and
// the highest-ranked vendor word across the merged records.
func mergeSeverity(s *Severity, snap *vulndb.Snapshot, h hit) {
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

func maxEntryCVSS(aff *vulndb.Affected) (*vulndb.CVSS3, error) {
	var best *vulndb.CVSS3
	for _, s := range aff.Severity {
		if s.Type != "CVSS_V3" {
			continue
		}
		c, err := vulndb.ScoreCVSS3(s.Score)
		if err != nil {
			return nil, err
		}
		if best == nil || c.Score > best.Score {
			best = &c
		}
	}
	return best, nil
}
