package vulndb

import (
	"fmt"

	"github.com/google/osv-scalibr/semantic"
)

// Hit is one index entry whose ranges affect an installed version, with the missing update
// (the smallest `fixed` above the installed version; empty when none is recorded).
type Hit struct {
	Rec   int32
	Aff   int32
	Fixed string
}

// Affecting returns the entries for package name of ecosystem eco (as Lookup selects them)
// that affect the installed version, in index order (ascending record, then entry), with the
// result of Affected.Evaluate for each, and the reasons why the package or some records could not be evaluated. It uses the
// versions ranked at Open, so it costs a binary search per package rather than a version
// comparison per event.
func (s *Snapshot) Affecting(eco Eco, name, version string) (hits []Hit, problems []string) {
	return s.AppendAffecting(nil, eco, name, version)
}

// AppendAffecting is Affecting appending the hits to dst.
func (s *Snapshot) AppendAffecting(dst []Hit, eco Eco, name, version string) (hits []Hit, problems []string) {
	hits = dst
	bk := s.index[indexKey{eco.Base, NormName(eco.Base, name)}]
	if bk == nil {
		return hits, nil
	}
	iv, err := semantic.Parse(version, eco.Base)
	if err != nil {
		return hits, []string{fmt.Sprintf("installed version %q does not parse in %s order (%v); the package cannot be checked", version, eco.Base, err)}
	}
	var pos [2]position
	var posOK [2]bool
	for t, table := range bk.tables {
		if table == nil {
			continue
		}
		v := iv
		if t == tableSEMVER {
			v = semantic.ParseSemverVersion(version)
		}
		if p, err := bk.locate(t, version, v); err == nil {
			pos[t], posOK[t] = p, true
		}
	}
	rel, known := s.rels[eco]
	for i := range bk.compiled {
		ce := &bk.compiled[i]
		if ce.rel != 0 && (!known || ce.rel != rel) {
			continue // the entry names another release (Eco.Covers)
		}
		e := &bk.entries[i]
		affected, fixed, ok := false, "", false
		if !ce.slow && (posOK[ce.table] || bk.tables[ce.table] == nil) {
			var versions []string
			if ce.versions {
				versions = s.records[e.Rec].Affected[e.Aff].Versions
			}
			affected, fixed, ok = bk.eval(ce, versions, version, pos[ce.table])
		}
		if !ok {
			r := &s.records[e.Rec]
			affected, fixed, err = r.Affected[e.Aff].Evaluate(eco.Base, version, iv)
			if err != nil {
				problems = append(problems, fmt.Sprintf("record %s: %v; the package is not checked against it", r.ID, err))
				continue
			}
		}
		if affected {
			hits = append(hits, Hit{Rec: e.Rec, Aff: e.Aff, Fixed: fixed})
		}
	}
	return hits, problems
}
