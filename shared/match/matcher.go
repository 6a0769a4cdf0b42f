package match

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// Matcher matches inventories against one loaded snapshot. It is safe for concurrent use.
type Matcher struct {
	snap  *vulndb.Snapshot
	facts *facts
	cache *lru
	runs  atomic.Int64
}

// New returns a Matcher for snap that remembers the results of the last cacheSize distinct
// inventories (by content hash); cacheSize 0 disables the cache. It reads what findings need
// from every record once (ids, dates, severities), in time linear in the snapshot's size.
func New(snap *vulndb.Snapshot, cacheSize int) *Matcher {
	return &Matcher{snap: snap, facts: newFacts(snap), cache: newLRU(cacheSize)}
}

// Runs returns how many inventories were actually matched (cache misses).
func (m *Matcher) Runs() int64 { return m.runs.Load() }

// Match matches inv against the snapshot and classifies the findings for a test on the date
// now. The matching itself is cached per (snapshot hash, inv.ContentHash()); classification
// is redone per call because it depends on now. An error wrapping ErrEcosystem means the
// snapshot cannot answer for the device: its result would be falsely clean.
func (m *Matcher) Match(ctx context.Context, inv *inventory.Inventory, now time.Time) (*Result, error) {
	key := cacheKey{snapshot: m.snap.Manifest.Hash, inventory: inv.ContentHash()}
	r, ok := m.cache.get(key)
	if !ok {
		m.runs.Add(1)
		r = m.matchInventory(ctx, inv)
		if ctx.Err() == nil {
			m.cache.put(key, r)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	res := &Result{Snapshot: key.snapshot, Inventory: key.inventory, Findings: r.findings,
		Problems: append([]Problem{}, r.problems...)}
	if !ok && m.cache.size <= 0 {
		// Nobody else holds this result: classify it in place.
	} else {
		// The cached result is shared: classify copies.
		res.Findings = make([]Finding, len(r.findings))
		n := 0
		for _, f := range r.findings {
			n += len(f.Evidence)
		}
		slab := make([]Evidence, 0, n)
		for i, f := range r.findings {
			start := len(slab)
			slab = append(slab, f.Evidence...)
			f.Evidence = slab[start:len(slab):len(slab)]
			res.Findings[i] = f
		}
	}
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	// Group the missing updates while the findings are classified: grouping reads only fields
	// classification does not write; the groups' classes are taken after.
	var updates []MissingUpdate
	var group []int32
	var wg sync.WaitGroup
	wg.Go(func() { updates, group = groupUpdates(res.Findings) })
	classifyAll(res.Findings, now)
	wg.Wait()
	res.MissingUpdates = finishUpdates(updates, group, res.Findings)
	if f := addOSSupport(res, inv.Device, now); f != nil {
		res.Findings = append([]Finding{*f}, res.Findings...)
	}
	if res.MissingUpdates == nil {
		res.MissingUpdates = []MissingUpdate{}
	}
	return res, nil
}

// sortFindings orders the findings by ecosystem, package, architecture, first id and
// installed version, the input order breaking ties (the result of a stable sort). The
// matcher produces them in inventory order, usually sorted already: that is checked first.
// Otherwise it sorts indices and applies the permutation in place, moving each finding once.
func sortFindings(fs []Finding) {
	sorted := true
	for i := 1; i < len(fs) && sorted; i++ {
		sorted = compareFindings(&fs[i-1], &fs[i]) <= 0
	}
	if sorted {
		return
	}
	idx := make([]int32, len(fs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(x, y int32) int {
		if c := compareFindings(&fs[x], &fs[y]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	// Position i receives fs[idx[i]]: follow each cycle once.
	for i := range idx {
		if idx[i] < 0 {
			continue
		}
		tmp := fs[i]
		j := i
		for {
			k := int(idx[j])
			idx[j] = -1
			if k == i {
				fs[j] = tmp
				break
			}
			fs[j] = fs[k]
			j = k
		}
	}
}

func compareFindings(a, b *Finding) int {
	if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
		return c
	}
	if c := strings.Compare(a.Package, b.Package); c != 0 {
		return c
	}
	if c := strings.Compare(a.Arch, b.Arch); c != 0 {
		return c
	}
	if c := strings.Compare(firstID(*a), firstID(*b)); c != 0 {
		return c
	}
	return strings.Compare(a.Installed, b.Installed)
}

func firstID(f Finding) string {
	if len(f.IDs) == 0 {
		return ""
	}
	return f.IDs[0]
}

// classifyAll classifies the findings for a test at now, in chunks on up to GOMAXPROCS
// goroutines for a large host.
func classifyAll(fs []Finding, now time.Time) {
	workers := min(runtime.GOMAXPROCS(0), 8, 1+len(fs)/4096)
	chunk := (len(fs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min(len(fs), (w+1)*chunk)
		wg.Go(func() {
			cl := newClassifier(now)
			for i := lo; i < hi; i++ {
				cl.classify(&fs[i])
			}
		})
	}
	wg.Wait()
}

// addOSSupport records the OS release's support status and returns the unsupported finding
// when it is out of support (the caller puts it first); it has no fix, so it is in no
// missing update.
func addOSSupport(res *Result, d inventory.Device, now time.Time) *Finding {
	var f *Finding
	res.OSSupport, res.OSSupportUnknown, f = osSupport(d, now)
	return f
}
