package match

import (
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/osv-scalibr/semantic"
)

// scratch is the per-Match working memory of buildFindings: id ownership marks (stamped per
// package so they need no clearing) and a slab the findings' evidence is cut from.
type scratch struct {
	stamp  []int32
	owner  []int32
	gen    int32
	parent []int
	slot   []int
	recs   []vulndb.Hit
	slab   []Evidence
}

func newScratch(numIDs int) *scratch {
	return &scratch{stamp: make([]int32, numIDs), owner: make([]int32, numIDs)}
}

// evidenceSlice returns an empty evidence slice of capacity n cut from the slab.
func (sc *scratch) evidenceSlice(n int) []Evidence {
	if len(sc.slab)+n > cap(sc.slab) {
		sc.slab = make([]Evidence, 0, max(4096, n))
	}
	out := sc.slab[len(sc.slab) : len(sc.slab) : len(sc.slab)+n]
	sc.slab = sc.slab[:len(sc.slab)+n]
	return out
}

// buildFindings turns the records matching one package into findings. Records are merged into
// one finding when they are the same vulnerability (same alias group) or when one names the
// other (a DSA, USN or RLSA whose upstream/related CVEs have their own records): one missing
// update, one finding, every id listed. hits are in index order (ascending record, then
// entry), as Snapshot.Affecting returns them.
// The findings are appended to out.
func (m *Matcher) buildFindings(out []Finding, sc *scratch, eco vulndb.Eco, p inventory.Package, hits []vulndb.Hit) []Finding {
	fs := m.facts
	// One hit per record: an advisory may list the package under several entries (Red Hat
	// appstream and baseos); keep the smallest fix that applies.
	recs := sc.recs[:0]
	for _, h := range hits {
		if n := len(recs); n > 0 && recs[n-1].Rec == h.Rec {
			if h.Fixed != "" && (recs[n-1].Fixed == "" || cmpVersion(eco.Base, h.Fixed, recs[n-1].Fixed) < 0) {
				recs[n-1].Fixed, recs[n-1].Aff = h.Fixed, h.Aff
			}
			continue
		}
		recs = append(recs, h)
	}
	// Union-find over the records of this package, joined by any shared id.
	sc.gen++
	parent := slices.Grow(sc.parent[:0], len(recs))[:len(recs)]
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
	merged := false
	for i, h := range recs {
		for _, id := range fs.recs[h.Rec].idNums {
			if sc.stamp[id] == sc.gen {
				a, b := find(i), find(int(sc.owner[id]))
				if a != b {
					parent[max(a, b)] = min(a, b)
					merged = true
				}
				continue
			}
			sc.stamp[id], sc.owner[id] = sc.gen, int32(i)
		}
	}
	sc.parent, sc.recs = parent, recs
	if !merged {
		for _, h := range recs {
			out = append(out, Finding{Kind: KindAdvisory, Package: p.Name, SourcePackage: p.SourceName, Ecosystem: p.Ecosystem,
				Arch: p.Arch, Installed: p.Version, IDs: fs.recs[h.Rec].ids, Fixed: h.Fixed})
			f := &out[len(out)-1]
			f.Evidence = append(sc.evidenceSlice(1), fs.evidence(h.Rec, h.Fixed))
			mergeSeverity(&f.Severity, fs, h)
		}
		return out
	}
	// Clusters in the order of their first member, members ascending.
	slot := slices.Grow(sc.slot[:0], len(recs))[:len(recs)]
	for i := range recs {
		slot[i] = -1
	}
	var members [][]int
	for i := range recs {
		r := find(i)
		if slot[r] < 0 {
			slot[r] = len(members)
			members = append(members, nil)
		}
		members[slot[r]] = append(members[slot[r]], i)
	}
	sc.slot = slot
	for _, ms := range members {
		f := Finding{Kind: KindAdvisory, Package: p.Name, SourcePackage: p.SourceName, Ecosystem: p.Ecosystem,
			Arch: p.Arch, Installed: p.Version}
		if len(ms) == 1 {
			f.IDs = fs.recs[recs[ms[0]].Rec].ids
		}
		f.Evidence = sc.evidenceSlice(len(ms))
		for _, i := range ms {
			h := recs[i]
			if len(ms) > 1 {
				f.IDs = append(f.IDs, fs.recs[h.Rec].ids...)
			}
			f.Evidence = append(f.Evidence, fs.evidence(h.Rec, h.Fixed))
			if h.Fixed != "" && h.Fixed != f.Fixed && (f.Fixed == "" || cmpVersion(eco.Base, h.Fixed, f.Fixed) > 0) {
				f.Fixed = h.Fixed
			}
			mergeSeverity(&f.Severity, fs, h)
		}
		if len(ms) > 1 {
			slices.Sort(f.IDs)
			f.IDs = slices.Clip(slices.Compact(f.IDs))
			slices.SortFunc(f.Evidence, func(a, b Evidence) int { return strings.Compare(a.Record, b.Record) })
		}
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
func mergeSeverity(s *Severity, fs *facts, h vulndb.Hit) {
	ef := fs.entry(h.Rec, h.Aff)
	if c := ef.cvss; c != nil && (s.CVSS3 == nil || c.Score > s.CVSS3.Score) {
		s.CVSS3, s.CVSS3Record = c, fs.recs[h.Rec].id
	}
	if v := ef.vendor; v != nil && (s.Vendor == nil || vendorRank(v.Severity) > vendorRank(s.Vendor.Severity)) {
		s.Vendor, s.VendorRecord = v, fs.recs[h.Rec].id
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
