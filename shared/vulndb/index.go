package vulndb

import (
	"fmt"
	"slices"
)

// Snapshot is a loaded, verified snapshot with its index. It is read-only after Open and safe
// for concurrent use.
type Snapshot struct {
	Manifest Manifest
	records  []Record
	groups   [][]string
	cvss     []*CVSS3
	index    map[indexKey]*bucket
	// releases holds, per base ecosystem, the releases with matchable entries ("" for entries
	// that name no release and so cover every release).
	releases map[string]map[string]bool
	// rels numbers the releases (base and release) that entries name, from 1; an entry that
	// names no release has number 0 and covers every release of its base.
	rels     map[Eco]int32
	problems []Problem
}

type indexKey struct{ base, name string }

// Entry is one matchable affected[] entry: record index, entry index and its ecosystem.
type Entry struct {
	Rec int32
	Aff int32
	Eco Eco
}

func newSnapshot(m Manifest, recs []Record) *Snapshot {
	s := &Snapshot{Manifest: m, records: recs, cvss: make([]*CVSS3, len(recs)),
		index: map[indexKey]*bucket{}, releases: map[string]map[string]bool{}, rels: map[Eco]int32{}}
	s.groups = aliasGroups(recs)
	for i := range recs {
		r := &recs[i]
		best, bad := maxCVSS3(r.Severity)
		s.cvss[i] = best
		for _, err := range bad {
			s.problems = append(s.problems, Problem{ID: r.ID, Source: m.Hash, Level: LevelNotice, Reason: err.Error() + "; that severity is ignored"})
		}
		if r.Withdrawn != "" {
			continue // kept in the snapshot, out of matching
		}
		for ai := range r.Affected {
			c := checkEntry(&r.Affected[ai])
			if !c.usable {
				continue
			}
			k := indexKey{c.eco.Base, NormName(c.eco.Base, r.Affected[ai].Package.Name)}
			bk := s.index[k]
			if bk == nil {
				bk = &bucket{}
				s.index[k] = bk
			}
			bk.entries = append(bk.entries, Entry{Rec: int32(i), Aff: int32(ai), Eco: c.eco})
			if s.releases[c.eco.Base] == nil {
				s.releases[c.eco.Base] = map[string]bool{}
			}
			s.releases[c.eco.Base][c.eco.Release] = true
			if _, ok := s.rels[c.eco]; !ok && c.eco.Release != "" {
				s.rels[c.eco] = int32(len(s.rels) + 1)
			}
		}
	}
	for k, bk := range s.index {
		bk.compile(k.base, recs, s.rels)
	}
	return s
}

// Lookup returns the matchable entries for package name in ecosystem eco: same base, name
// equal after NormName, and a record release that covers eco's (see Eco.Covers).
func (s *Snapshot) Lookup(eco Eco, name string) []Entry {
	bk := s.index[indexKey{eco.Base, NormName(eco.Base, name)}]
	if bk == nil {
		return nil
	}
	out := make([]Entry, 0, len(bk.entries))
	for _, e := range bk.entries {
		if e.Eco.Covers(eco) {
			out = append(out, e)
		}
	}
	return out
}

// Check returns an error when the snapshot holds no matchable advisory for ecosystem eco:
// matching a package of that ecosystem would give a clean result that means nothing. A base
// whose entries name no release covers every release.
func (s *Snapshot) Check(eco Eco) error {
	rels, ok := s.releases[eco.Base]
	if !ok {
		return fmt.Errorf("snapshot %s has no advisories for ecosystem %s: import its OSV all.zip", short(s.Manifest.Hash), eco.Base)
	}
	if eco.Release != "" && !rels[eco.Release] && !rels[""] {
		have := make([]string, 0, len(rels))
		for r := range rels {
			have = append(have, Eco{eco.Base, r}.String())
		}
		slices.Sort(have)
		return fmt.Errorf("snapshot %s has no advisories for ecosystem %s (it has %v): import a newer OSV all.zip", short(s.Manifest.Hash), eco, have)
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// Record returns record i. The caller must not modify it.
func (s *Snapshot) Record(i int32) *Record { return &s.records[i] }

// Len returns the number of records, withdrawn ones included.
func (s *Snapshot) Len() int { return len(s.records) }

// Group returns the sorted ids of record i's alias group (see the alias closure rule in
// aliasGroups). The caller must not modify it.
func (s *Snapshot) Group(i int32) []string { return s.groups[i] }

// CVSS3 returns the highest CVSS v3 base score of record i's top-level severity, or nil.
func (s *Snapshot) CVSS3(i int32) *CVSS3 { return s.cvss[i] }

// Problems returns what loading found that the manifest does not already list (unparseable
// CVSS vectors).
func (s *Snapshot) Problems() []Problem { return s.problems }
