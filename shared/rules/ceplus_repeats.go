package rules

import (
	"hash/maphash"
	"slices"
	"sort"
	"time"
)

// repeatResult is what the Sample 2 tests in a time range repeat of Sample 1.
type repeatResult struct {
	list    []Repeat
	ids     []string  // every id of each repeated Sample 1 finding, sorted
	firstAt time.Time // the earliest Sample 2 test that found a repeat
}

// sample1Failures indexes the distinct failing Sample 1 findings (of every Sample 1 test at or
// before now) by vulnerability id and by missing update (package and fixed version).
type sample1Failures struct {
	findings []*Finding
	byID     map[string][]int32
	byUpdate map[string][]int32
}

func updateKey(f *Finding) string {
	if f.Package == "" || f.Fixed == "" {
		return ""
	}
	return f.Package + "\x00" + f.Fixed
}

func (h *history) sample1Failures() *sample1Failures {
	idx := &sample1Failures{byID: map[string][]int32{}, byUpdate: map[string][]int32{}}
	seen := map[uint64][]int32{} // hash of ids, package and fixed → distinct findings with it
	var hash maphash.Hash
	for i := range h.tests {
		t := &h.tests[i]
		if t.sample != 1 || !t.fails {
			continue
		}
		for j, c := range t.classes {
			if !c.fails() {
				continue
			}
			f := &t.findings[j]
			hash.Reset()
			for _, id := range f.IDs {
				hash.WriteString(id)
				hash.WriteByte(0)
			}
			hash.WriteByte(1)
			hash.WriteString(f.Package)
			hash.WriteByte(0)
			hash.WriteString(f.Fixed)
			sum, dup := hash.Sum64(), false
			for _, n := range seen[sum] {
				if sameFailure(idx.findings[n], f) {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			n := int32(len(idx.findings))
			seen[sum] = append(seen[sum], n)
			idx.findings = append(idx.findings, f)
			for _, id := range f.IDs {
				idx.byID[id] = append(idx.byID[id], n)
			}
			if u := updateKey(f); u != "" {
				idx.byUpdate[u] = append(idx.byUpdate[u], n)
			}
		}
	}
	return idx
}

// sameFailure reports whether a and b name the same ids, package and fixed version.
func sameFailure(a, b *Finding) bool {
	return a.Package == b.Package && a.Fixed == b.Fixed && slices.Equal(a.IDs, b.IDs)
}

// repeats finds the failing Sample 2 findings of tests in [from, to) that repeat a failing
// Sample 1 finding: they share any id (alias-aware), or name the same package and fixed version.
func (h *history) repeats(from, to time.Time) repeatResult {
	res := repeatResult{ids: []string{}}
	var s1 *sample1Failures
	repeated := map[string]bool{}
	for i := range h.tests {
		t := &h.tests[i]
		if t.sample != 2 || !t.fails || t.at.Before(from) || !t.at.Before(to) {
			continue
		}
		if s1 == nil {
			s1 = h.sample1Failures()
		}
		for j, c := range t.classes {
			if !c.fails() {
				continue
			}
			f := &t.findings[j]
			match, hits := "id", map[int32]bool{}
			for _, id := range f.IDs {
				for _, n := range s1.byID[id] {
					hits[n] = true
				}
			}
			if len(hits) == 0 {
				match = "update"
				for _, n := range s1.byUpdate[updateKey(f)] {
					hits[n] = true
				}
				if updateKey(f) == "" {
					continue
				}
			}
			if len(hits) == 0 {
				continue
			}
			ids := map[string]bool{}
			for n := range hits {
				for _, id := range s1.findings[n].IDs {
					ids[id] = true
					repeated[id] = true
				}
			}
			if len(res.list) == 0 {
				res.firstAt = t.at
			}
			res.list = append(res.list, Repeat{Device: h.in.Devices[t.dev].ID, TestedAt: t.at, IDs: f.IDs, Sample1IDs: sortedKeys(ids), Match: match})
		}
	}
	res.ids = sortedKeys(repeated)
	return res
}

// lateRepeats lists the Sample 1 ids repeated by Sample 2 tests at or after end, or "".
func (h *history) lateRepeats(end time.Time) string {
	r := h.repeats(end, h.in.Now.Add(time.Nanosecond))
	return joinLimited(r.ids)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
