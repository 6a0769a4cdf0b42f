package match

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// job is the evaluation of one distinct (ecosystem, lookup name, version): its hits, and the
// findings built for its first package (pkg) at all[off : off+count].
type job struct {
	pkg      int
	eco      vulndb.Eco
	name     string
	hits     []vulndb.Hit
	problems []string
	count    int
	sorted   bool // its findings are in firstID order
}

// runJobs evaluates the jobs and returns the findings of every package, in inventory order,
// and whether they are sorted as sortFindings orders them (packages in (ecosystem, name,
// architecture) order, no two alike, and each package's findings in first-id order).
// The work is split over up to GOMAXPROCS goroutines for a large inventory (each with its own
// scratch memory; the snapshot and facts are read-only). Findings are built in place in one
// array: each package gets a region of one slot per hit (a finding merges one or more hits),
// then the regions are closed up.
func (m *Matcher) runJobs(ctx context.Context, inv *inventory.Inventory, jobs []job, which []int32) ([]Finding, bool, error) {
	workers := min(runtime.GOMAXPROCS(0), 8, 1+len(jobs)/512)
	// Hits.
	err := parallel(workers, len(jobs), func(lo, hi int) error {
		var slab []vulndb.Hit
		for ji := lo; ji < hi; ji++ {
			if (ji-lo)%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			j := &jobs[ji]
			start := len(slab)
			slab, j.problems = m.snap.AppendAffecting(slab, j.eco, j.name, inv.Packages[j.pkg].Version)
			j.hits = slab[start:len(slab):len(slab)]
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	// Regions.
	off := make([]int, len(inv.Packages)+1)
	for i := range inv.Packages {
		n := 0
		if which[i] >= 0 {
			n = len(jobs[which[i]].hits)
		}
		off[i+1] = off[i] + n
	}
	all := make([]Finding, off[len(inv.Packages)])
	// Findings of each job's first package.
	err = parallel(workers, len(jobs), func(lo, hi int) error {
		sc := newScratch(m.facts.numIDs)
		for ji := lo; ji < hi; ji++ {
			j := &jobs[ji]
			if len(j.hits) == 0 {
				continue
			}
			region := all[off[j.pkg]:off[j.pkg]:off[j.pkg+1]]
			built := m.buildFindings(region, sc, j.eco, inv.Packages[j.pkg], j.hits)
			j.count, j.sorted = len(built), true
			for k := 1; k < len(built) && j.sorted; k++ {
				j.sorted = firstID(built[k-1]) <= firstID(built[k])
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	// Copies for the other binaries of a source at one version; each copy gets its own
	// evidence, since classification writes into it.
	for i, p := range inv.Packages {
		if which[i] < 0 {
			continue
		}
		j := &jobs[which[i]]
		if j.pkg == i || j.count == 0 {
			continue
		}
		src := all[off[j.pkg] : off[j.pkg]+j.count]
		for k, f := range src {
			f.Package, f.SourcePackage, f.Arch, f.Installed = p.Name, p.SourceName, p.Arch, p.Version
			f.Evidence = slices.Clone(f.Evidence)
			all[off[i]+k] = f
		}
	}
	// Close up the regions.
	w := 0
	sorted, prev := true, -1
	for i := range inv.Packages {
		if which[i] < 0 {
			continue
		}
		j := &jobs[which[i]]
		n := j.count
		if n > 0 {
			sorted = sorted && j.sorted && (prev < 0 || packageBefore(&inv.Packages[prev], &inv.Packages[i]))
			prev = i
		}
		if off[i] != w {
			copy(all[w:], all[off[i]:off[i]+n])
		}
		w += n
	}
	clear(all[w:])
	return all[:w], sorted, nil
}

// packageBefore reports whether the findings of a all come before those of b in
// sortFindings' order whatever their ids: a is before b in (ecosystem, name, architecture).
func packageBefore(a, b *inventory.Package) bool {
	if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c < 0
	}
	return a.Arch < b.Arch
}

// parallel runs fn over [0, n) split into one contiguous chunk per worker and returns the
// first error.
func parallel(workers, n int, fn func(lo, hi int) error) error {
	if workers <= 1 {
		return fn(0, n)
	}
	chunk := (n + workers - 1) / workers
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		if lo >= hi {
			continue
		}
		wg.Go(func() { errs[w] = fn(lo, hi) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
