package vulndb

import (
	"slices"
	"strings"
)

// aliasGroups computes the alias closure over the records with union-find: a record's id is
// joined with its aliases, and with its upstream and related ids when they name a single
// vulnerability: the one CVE among them (an UBUNTU-CVE record for its CVE, a DSA for one CVE),
// or the one id when there is a single link (a USN for one UBUNTU-CVE record). Records
// that list several upstream or related ids (an advisory fixing many CVEs) are not joined to
// them here, or every kernel advisory would fuse hundreds of CVEs into one; the matcher merges
// such an advisory with the CVE records it names per package instead. It returns, for each
// record, the sorted ids of its group.
func aliasGroups(recs []Record) [][]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		p, ok := parent[x]
		if !ok {
			parent[x] = x
			return x
		}
		if p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	for i := range recs {
		r := &recs[i]
		find(r.ID)
		for _, a := range r.Aliases {
			union(r.ID, a)
		}
		links := Links(r)
		var cves []string
		for _, l := range links {
			if strings.HasPrefix(l, "CVE-") {
				cves = append(cves, l)
			}
		}
		switch {
		case len(cves) == 1:
			union(r.ID, cves[0])
		case len(links) == 1:
			union(r.ID, links[0])
		}
	}
	members := map[string][]string{}
	for id := range parent {
		root := find(id)
		members[root] = append(members[root], id)
	}
	for _, m := range members {
		slices.Sort(m)
	}
	out := make([][]string, len(recs))
	for i := range recs {
		out[i] = members[find(recs[i].ID)]
	}
	return out
}

// Links returns the record's upstream and related ids, deduplicated and sorted.
func Links(r *Record) []string {
	var out []string
	for _, s := range append(append([]string(nil), r.Upstream...), r.Related...) {
		if s = strings.TrimSpace(s); s != "" && s != r.ID && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
