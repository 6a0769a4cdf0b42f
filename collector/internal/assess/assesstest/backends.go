// Package assesstest gives the assessment and register tests a fresh store on every backend:
// SQLite in a temporary directory and PostgreSQL in a schema of its own (pgtest.Schema, the
// storetest conformance approach), so that one test body runs against both.
package assesstest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/pgtest"
	"github.com/ceplus/ceplus/collector/internal/store/postgres"
	"github.com/ceplus/ceplus/collector/internal/store/sqlite"
)

// Backend opens fresh stores of one kind.
type Backend struct {
	Name string
	// Open returns a fresh, empty store, closed and removed at the test's cleanup. It skips
	// the test when the backend is unavailable.
	Open func(t testing.TB) store.Store
	// Unguard lifts the append-only guard of the events table (for tamper tests).
	Unguard []string
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite", Open: openSQLite, Unguard: []string{`DROP TRIGGER events_no_update`, `DROP TRIGGER events_no_delete`}},
		{Name: "postgres", Open: openPostgres, Unguard: []string{`ALTER TABLE events DISABLE TRIGGER events_append_only`}},
	}
}

// Raw runs raw SQL on a store of either backend (the stores' test hook).
func Raw(t testing.TB, s store.Store, query string) {
	t.Helper()
	r, ok := s.(interface {
		RawExec(ctx context.Context, query string) error
	})
	if !ok {
		t.Fatalf("%T has no RawExec hook", s)
	}
	if err := r.RawExec(context.Background(), query); err != nil {
		t.Fatalf("raw SQL %q: %v", query, err)
	}
}

func openSQLite(t testing.TB) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t testing.TB) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.Schema(t))
	if err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Clock is a fake clock for tests: it only moves when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
