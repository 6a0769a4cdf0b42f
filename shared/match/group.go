package match

import (
	"cmp"
	"slices"

	"github.com/ceplus/ceplus/shared/vulndb"
)

// missingUpdates groups the findings that have a fix by (ecosystem, source package): one line
// per update to install, with the highest fixed version, every id and the worst class.
func missingUpdates(findings []Finding) []MissingUpdate {
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
