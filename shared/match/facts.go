package match

import (
	"slices"

	"github.com/ceplus/ceplus/shared/vulndb"
)

// facts is what findings need from each record and entry of the snapshot, computed once per
// Matcher so that building a finding copies values instead of parsing dates, scoring CVSS
// vectors and merging id lists for every hit.
type facts struct {
	recs []recFacts
	// affOff[rec] is the index in entries of the record's first affected[] entry.
	affOff  []int32
	entries []entryFacts
	// numIDs is the number of distinct ids in the snapshot (the range of recFacts.idNums).
	numIDs int
}

type recFacts struct {
	id string
	// ids is the record's alias group plus its upstream and related ids, sorted, without
	// duplicates: a finding of this record alone lists exactly these. Shared, read-only.
	ids []string
	// idNums numbers the same ids for merging records per package.
	idNums []int32
	// withFix is the record's evidence when it names a fix (evidence(r, fixed) with Fixed unset).
	withFix Evidence
}

type entryFacts struct {
	// cvss is the higher of the record's and the entry's CVSS v3 score (as mergeSeverity
	// combines them); vendor the entry's vendor severity. nil when absent.
	cvss   *vulndb.CVSS3
	vendor *vulndb.Vendor
}

func newFacts(snap *vulndb.Snapshot) *facts {
	n := snap.Len()
	fs := &facts{recs: make([]recFacts, n), affOff: make([]int32, n+1)}
	nums := map[string]int32{}
	total := 0
	for i := range n {
		fs.affOff[i] = int32(total)
		total += len(snap.Record(int32(i)).Affected)
	}
	fs.affOff[n] = int32(total)
	fs.entries = make([]entryFacts, total)
	for i := range n {
		ri := int32(i)
		r := snap.Record(ri)
		rf := &fs.recs[i]
		rf.id = r.ID
		ids := append(append([]string(nil), snap.Group(ri)...), vulndb.Links(r)...)
		slices.Sort(ids)
		rf.ids = slices.Clip(slices.Compact(ids))
		rf.idNums = make([]int32, len(rf.ids))
		for k, id := range rf.ids {
			num, ok := nums[id]
			if !ok {
				num = int32(len(nums))
				nums[id] = num
			}
			rf.idNums[k] = num
		}
		rf.withFix = evidence(r, "x")
		rf.withFix.Fixed = ""
		for ai := range r.Affected {
			aff := &r.Affected[ai]
			ef := &fs.entries[fs.affOff[i]+int32(ai)]
			c := snap.CVSS3(ri)
			if ac, err := maxEntryCVSS(aff); err == nil && ac != nil && (c == nil || ac.Score > c.Score) {
				c = ac
			}
			ef.cvss = c
			if v, ok := vulndb.VendorSeverity(r, aff); ok {
				ef.vendor = &v
			}
		}
	}
	fs.numIDs = len(nums)
	return fs
}

// entry returns the facts of affected[aff] of record rec.
func (fs *facts) entry(rec, aff int32) *entryFacts { return &fs.entries[fs.affOff[rec]+aff] }

// evidence returns what record rec says about the fix: evidence(r, fixed) from the facts.
func (fs *facts) evidence(rec int32, fixed string) Evidence {
	if fixed == "" {
		return Evidence{Record: fs.recs[rec].id}
	}
	e := fs.recs[rec].withFix
	e.Fixed = fixed
	return e
}
