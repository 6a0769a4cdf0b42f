package match

import (
	"cmp"
	"context"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// Matcher matches inventories against one loaded snapshot. It is safe for concurrent use.
type Matcher struct {
	snap  *vulndb.Snapshot
	cache *lru
	runs  atomic.Int64
}

// New returns a Matcher for snap that remembers the results of the last cacheSize distinct
// inventories (by content hash); cacheSize 0 disables the cache.
func New(snap *vulndb.Snapshot, cacheSize int) *Matcher {
	return &Matcher{snap: snap, cache: newLRU(cacheSize)}
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
		r = matchInventory(ctx, m.snap, inv)
		if r.err == nil {
			r.findings = append(r.findings, pendingFindings(inv, r.findings)...)
			sortFindings(r.findings)
		}
		if ctx.Err() == nil {
			m.cache.put(key, r)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	res := &Result{Snapshot: key.snapshot, Inventory: key.inventory, Findings: make([]Finding, len(r.findings)),
		Problems: append([]Problem{}, r.problems...)}
	for i, f := range r.findings {
		f.Evidence = slices.Clone(f.Evidence)
		classify(&f, now)
		res.Findings[i] = f
	}
	res.MissingUpdates = missingUpdates(res.Findings)
	if res.MissingUpdates == nil {
		res.MissingUpdates = []MissingUpdate{}
	}
	return res, nil
}

func sortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Package, b.Package),
			cmp.Compare(a.Arch, b.Arch), cmp.Compare(firstID(a), firstID(b)))
	})
}

func firstID(f Finding) string {
	if len(f.IDs) == 0 {
		return ""
	}
	return f.IDs[0]
}
