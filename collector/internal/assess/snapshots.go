package assess

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/match"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// Matcher matches one inventory against a loaded snapshot (match.Matcher implements it).
type Matcher interface {
	Match(ctx context.Context, inv *inventory.Inventory, now time.Time) (*match.Result, error)
}

// Matchers finds and loads the vulnerability snapshots an assessment pins.
type Matchers interface {
	// Resolve returns the full hash of the snapshot ref names: a hash, a unique prefix of one,
	// or "latest" (the newest imported).
	Resolve(ctx context.Context, ref string) (string, error)
	// Matcher returns the matcher of the snapshot with that hash.
	Matcher(ctx context.Context, hash string) (Matcher, error)
}

// SnapshotDir is Matchers over a vulndb directory (vulndb.Import writes it). Loaded snapshots
// are kept: an assessment pins one, so a collector rarely holds more than a few.
type SnapshotDir struct {
	Dir string

	mu     sync.Mutex
	loaded map[string]*match.Matcher
}

// Resolve implements Matchers.
func (d *SnapshotDir) Resolve(_ context.Context, ref string) (string, error) {
	ms, err := vulndb.List(d.Dir)
	if err != nil {
		return "", fmt.Errorf("list snapshots in %s: %w", d.Dir, err)
	}
	if len(ms) == 0 {
		return "", fmt.Errorf("no vulnerability snapshot is imported in %s", d.Dir)
	}
	if ref == "latest" {
		return ms[len(ms)-1].Hash, nil
	}
	var hit []string
	for _, m := range ms {
		if strings.HasPrefix(m.Hash, strings.ToLower(ref)) && ref != "" {
			hit = append(hit, m.Hash)
		}
	}
	switch len(hit) {
	case 0:
		return "", fmt.Errorf("no snapshot in %s has a hash starting with %q", d.Dir, ref)
	case 1:
		return hit[0], nil
	}
	return "", fmt.Errorf("%d snapshots in %s have a hash starting with %q: give more digits", len(hit), d.Dir, ref)
}

// Matcher implements Matchers.
func (d *SnapshotDir) Matcher(ctx context.Context, hash string) (Matcher, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if m, ok := d.loaded[hash]; ok {
		return m, nil
	}
	snap, err := vulndb.Open(ctx, d.Dir, hash)
	if err != nil {
		return nil, err
	}
	m := match.New(snap, 1024)
	if d.loaded == nil {
		d.loaded = map[string]*match.Matcher{}
	}
	d.loaded[hash] = m
	return m, nil
}
