package vulndb

import (
	"cmp"
	"slices"

	"github.com/google/osv-scalibr/semantic"
)

// The matcher's fast path. Comparing versions is the cost of matching (osv-scalibr's Debian
// order splits strings and builds big.Ints on every comparison), so Open parses the event
// versions of each index bucket once, sorts the distinct ones in the ecosystem's order and
// stores each event's rank. Matching a package then costs one binary search per bucket (a
// few comparisons) and integer comparisons per event, instead of a parse and a comparison
// per event. The results are those of Affected.Evaluate, which stays the reference: entries
// the fast path cannot decide exactly (mixed range types, a version list that decides the
// match, a version that does not parse or compare) are evaluated with it.

const (
	evIntroduced uint8 = iota + 1
	evFixed
	evLastAffected
	evLimit
)

// tableECO and tableSEMVER index a bucket's two version tables: ECOSYSTEM ranges are ordered
// in the base ecosystem's order, SEMVER ranges in semantic versioning.
const (
	tableECO = iota
	tableSEMVER
)

// cEvent is one range event with the rank of its version in the bucket's table.
type cEvent struct {
	kind uint8
	zero bool // the version is "0": below every version
	rank int32
	s    string
}

// cRange is one ECOSYSTEM or SEMVER range: its events, in evaluation order, are
// bucket.events[start:end].
type cRange struct {
	start, end int32
	multi      bool // several introduced events: the events are sorted, walked as in evalSorted
}

// cEntry is one index entry in compiled form; its ranges are bucket.ranges[start:end]. The
// compiled data of a bucket is contiguous, so that scanning a large bucket (linux) does not
// chase a pointer into the records per entry.
type cEntry struct {
	start, end int32
	rel        int32 // the entry's release number (Snapshot.rels); 0 when it names none
	table      int8  // tableECO or tableSEMVER: the one table all its ranges use
	slow       bool  // evaluate with Affected.Evaluate
	versions   bool  // the entry lists versions
}

// bucket holds the entries of one (base, name) index key and their compiled ranges.
type bucket struct {
	entries  []Entry
	compiled []cEntry
	ranges   []cRange
	events   []cEvent
	tables   [2][]semantic.Version // distinct versions, sorted, one per rank
	// strs[t] are the event version strings of table t sorted as strings, with their ranks in
	// ranks[t]: an installed version spelled like an event version (the usual case: the host
	// has some advisory's fixed version) is located without comparing versions.
	strs  [2][]string
	ranks [2][]int32
}

// evRef locates one event of a bucket: its entry and its index in bucket.events.
type evRef struct{ entry, ev int }

// compile parses the bucket's event versions once and ranks them. Entries it cannot rank
// exactly are marked slow.
func (b *bucket) compile(base string, recs []Record, rels map[Eco]int32) {
	var distinct [2]map[string][]evRef
	b.compiled = make([]cEntry, len(b.entries))
	for i, e := range b.entries {
		a := &recs[e.Rec].Affected[e.Aff]
		ce := &b.compiled[i]
		ce.table, ce.versions, ce.rel = -1, len(a.Versions) > 0, rels[e.Eco]
		ce.start = int32(len(b.ranges))
		for _, r := range a.Ranges {
			t := int8(tableECO)
			switch r.Type {
			case "ECOSYSTEM":
			case "SEMVER":
				t = tableSEMVER
			default:
				continue
			}
			if ce.table >= 0 && ce.table != t {
				ce.slow = true // Evaluate compares fixes across range types by parsing: keep it
			}
			ce.table = t
			cr := cRange{start: int32(len(b.events))}
			intros := 0
			for _, ev := range r.Events {
				s, _ := ev.value()
				c := cEvent{kind: ev.kind(), zero: s == "0", s: s, rank: -1}
				if c.kind == evIntroduced {
					intros++
				}
				if !c.zero {
					if distinct[t] == nil {
						distinct[t] = map[string][]evRef{}
					}
					distinct[t][s] = append(distinct[t][s], evRef{i, len(b.events)})
				}
				b.events = append(b.events, c)
			}
			cr.end, cr.multi = int32(len(b.events)), intros > 1
			b.ranges = append(b.ranges, cr)
		}
		ce.end = int32(len(b.ranges))
		if ce.table < 0 {
			ce.table = tableECO // a versions list only
		}
	}
	for t := range distinct {
		if distinct[t] != nil && !b.rank(base, t, distinct[t]) {
			for _, refs := range distinct[t] {
				for _, r := range refs {
					b.compiled[r.entry].slow = true
				}
			}
		}
	}
	for _, cr := range b.ranges {
		if cr.multi {
			// The order evalSorted gives: "0" first, then by version, stable.
			slices.SortStableFunc(b.events[cr.start:cr.end], func(x, y cEvent) int { return int(x.sortKey()) - int(y.sortKey()) })
		}
	}
}

func (e cEvent) sortKey() int32 {
	if e.zero {
		return -1
	}
	return e.rank
}

// kind returns which field of the event is set (exactly one is, checked at import).
func (e Event) kind() uint8 {
	switch {
	case e.Introduced != "":
		return evIntroduced
	case e.Fixed != "":
		return evFixed
	case e.LastAffected != "":
		return evLastAffected
	}
	return evLimit
}

// rank parses and sorts the distinct versions of table t and writes every event's rank;
// versions that compare equal share a rank. It reports false when a version does not parse
// or two versions do not compare.
func (b *bucket) rank(base string, t int, distinct map[string][]evRef) bool {
	rangeType := "ECOSYSTEM"
	if t == tableSEMVER {
		rangeType = "SEMVER"
	}
	type pv struct {
		s string
		v semantic.Version
	}
	vs := make([]pv, 0, len(distinct))
	strs := make([]string, 0, len(distinct))
	for s := range distinct {
		strs = append(strs, s)
		v, err := parseVersion(s, base, rangeType)
		if err != nil {
			return false
		}
		vs = append(vs, pv{s, v})
	}
	var cmpErr error
	slices.SortFunc(vs, func(x, y pv) int {
		c, err := x.v.Compare(y.v)
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		if c == 0 {
			return cmp.Compare(x.s, y.s) // a fixed order among equal versions
		}
		return c
	})
	if cmpErr != nil {
		return false
	}
	table := make([]semantic.Version, 0, len(vs))
	for i, x := range vs {
		if i == 0 {
			table = append(table, x.v)
		} else if c, err := x.v.Compare(table[len(table)-1]); err != nil {
			return false
		} else if c != 0 {
			table = append(table, x.v)
		}
		r := int32(len(table) - 1)
		for _, ref := range distinct[x.s] {
			b.events[ref.ev].rank = r
		}
	}
	b.tables[t] = table
	slices.Sort(strs)
	b.strs[t], b.ranks[t] = strs, make([]int32, len(strs))
	for i, s := range strs {
		b.ranks[t][i] = b.events[distinct[s][0].ev].rank
	}
	return true
}

// locate returns where the installed version v, spelled s, falls in table t.
func (b *bucket) locate(t int, s string, v semantic.Version) (position, error) {
	if i, ok := slices.BinarySearch(b.strs[t], s); ok {
		return position{pos: b.ranks[t][i], eq: true}, nil
	}
	return locate(b.tables[t], v)
}

// position is where an installed version falls in a version table: pos versions are below it,
// and eq says whether it equals the version of rank pos.
type position struct {
	pos int32
	eq  bool
}

// locate binary-searches v in table.
func locate(table []semantic.Version, v semantic.Version) (position, error) {
	lo, hi := 0, len(table)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c, err := v.Compare(table[mid])
		if err != nil {
			return position{}, err
		}
		switch {
		case c == 0:
			return position{pos: int32(mid), eq: true}, nil
		case c > 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return position{pos: int32(lo)}, nil
}

// cmp compares the installed version at p with the event, as cmpStr does.
func (p position) cmp(e *cEvent) int {
	switch {
	case e.zero:
		return 1
	case e.rank < p.pos:
		return 1
	case e.rank == p.pos && p.eq:
		return 0
	}
	return -1
}

// eval is Affected.Evaluate on ranks. ok is false when the result needs Affected.Evaluate
// (a version list matched and the ranges name no fix above it). versions is the entry's
// versions list; the caller reads it from the record only when c.versions is set.
func (b *bucket) eval(c *cEntry, versions []string, installed string, p position) (affected bool, fixed string, ok bool) {
	affected = slices.Contains(versions, installed)
	fixRank := int32(-1)
	for _, cr := range b.ranges[c.start:c.end] {
		evs := b.events[cr.start:cr.end]
		var hit bool
		var fix string
		var rank int32
		if cr.multi {
			hit, fix, rank = evalSortedRanks(evs, p)
		} else {
			hit, fix, rank = evalRanks(evs, p)
		}
		if !hit {
			continue
		}
		affected = true
		if fix != "" && (fixed == "" || rank < fixRank) {
			fixed, fixRank = fix, rank
		}
	}
	if affected && fixed == "" && c.versions {
		return false, "", false
	}
	return affected, fixed, true
}

func evalRanks(evs []cEvent, p position) (bool, string, int32) {
	fixed, fixRank := "", int32(-1)
	for i := range evs {
		e := &evs[i]
		c := p.cmp(e)
		switch e.kind {
		case evIntroduced:
			if c < 0 {
				return false, "", -1
			}
		case evFixed:
			if c >= 0 {
				return false, "", -1
			}
			if fixed == "" || e.rank < fixRank {
				fixed, fixRank = e.s, e.rank
			}
		case evLastAffected:
			if c > 0 {
				return false, "", -1
			}
		case evLimit:
			if c >= 0 {
				return false, "", -1
			}
		}
	}
	return true, fixed, fixRank
}

func evalSortedRanks(evs []cEvent, p position) (bool, string, int32) {
	affected, fixed, fixRank := false, "", int32(-1)
	for i := range evs {
		e := &evs[i]
		c := p.cmp(e)
		switch e.kind {
		case evIntroduced:
			if c >= 0 {
				affected, fixed = true, ""
			}
		case evFixed:
			if c >= 0 {
				affected = false
			} else if affected && fixed == "" {
				fixed, fixRank = e.s, e.rank
			}
		case evLastAffected:
			if c > 0 {
				affected = false
			}
		case evLimit:
			if c >= 0 {
				affected = false
			}
		}
		if c < 0 && e.kind == evIntroduced {
			break
		}
	}
	return affected, fixed, fixRank
}
