package match

import (
	"cmp"
	"slices"

	"github.com/ceplus/ceplus/shared/vulndb"
)

// groupUpdates groups the findings that have a fix by (ecosystem, source package) into the
// missing updates: one line per update to install, with its packages, every id and the
// highest fixed version. It does not read the findings' classes, so it runs while they are
// classified; finishUpdates then gives each group its worst class. group[i] is finding i's
// group, -1 when it has no fix.
func groupUpdates(findings []Finding) ([]MissingUpdate, []int32) {
	type key struct{ eco, src string }
	idx := map[key]int{}
	var out []MissingUpdate
	var bases []string // per group: the base ecosystem; "" when the ecosystem does not parse
	var nIDs, nPkgs []int
	group := make([]int32, len(findings)) // per finding: its group, -1 without a fix
	last, lastKey := -1, key{}
	for fi := range findings {
		f := &findings[fi]
		group[fi] = -1
		if f.Fixed == "" {
			continue
		}
		src := cmp.Or(f.SourcePackage, f.Package)
		k := key{f.Ecosystem, src}
		i, ok := last, last >= 0 && k == lastKey // sorted findings come in runs of one source
		if !ok {
			i, ok = idx[k]
		}
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, MissingUpdate{Ecosystem: f.Ecosystem, SourcePackage: src, Installed: f.Installed, Fixed: f.Fixed})
			base := ""
			if e, err := vulndb.ParseEco(f.Ecosystem); err == nil {
				base = e.Base
			}
			bases, nIDs, nPkgs = append(bases, base), append(nIDs, 0), append(nPkgs, 0)
		}
		last, lastKey = i, k
		group[fi] = int32(i)
		nIDs[i] += len(f.IDs)
		nPkgs[i]++
	}
	for i := range out {
		if nIDs[i] > 0 { // a pending update without ids keeps nil, as appending nothing does
			out[i].IDs = make([]string, 0, nIDs[i])
		}
		out[i].Packages = make([]string, 0, nPkgs[i])
	}
	// cmpVersion parses both versions: remember its answers (a large host compares the same
	// few fixed versions thousands of times).
	cmps := map[[2]string]int{}
	cmpBase := ""
	for fi := range findings {
		if group[fi] < 0 {
			continue
		}
		f := &findings[fi]
		i := group[fi]
		m := &out[i]
		m.Packages = append(m.Packages, f.Package)
		m.IDs = append(m.IDs, f.IDs...)
		if f.Fixed != m.Fixed && bases[i] != "" {
			if bases[i] != cmpBase {
				clear(cmps)
				cmpBase = bases[i]
			}
			pair := [2]string{f.Fixed, m.Fixed}
			c, seen := cmps[pair]
			if !seen {
				c = cmpVersion(cmpBase, f.Fixed, m.Fixed)
				cmps[pair] = c
			}
			if c > 0 {
				m.Fixed = f.Fixed
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Packages)
		out[i].Packages = slices.Compact(out[i].Packages)
		slices.Sort(out[i].IDs)
		out[i].IDs = slices.Compact(out[i].IDs)
	}
	return out, group
}

// finishUpdates gives each group the worst class of its findings and sorts the groups.
func finishUpdates(out []MissingUpdate, group []int32, findings []Finding) []MissingUpdate {
	for fi, g := range group {
		if g < 0 {
			continue
		}
		if c := findings[fi].Class; out[g].Class == "" || classRank(c) > classRank(out[g].Class) {
			out[g].Class = c
		}
	}
	slices.SortFunc(out, func(a, b MissingUpdate) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.SourcePackage, b.SourcePackage))
	})
	return out
}
