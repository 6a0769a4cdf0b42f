// Package assesstest gives the assessment tests a fresh store on every backend: SQLite in a
// temporary directory and PostgreSQL in a schema of its own (the storetest conformance
// approach), so that one test body runs against both. PostgreSQL is at
// postgres://postgres@127.0.0.1:5432/test unless CEPLUS_TEST_POSTGRES says otherwise; when it
// does not answer, its tests are skipped loudly (or fail when CEPLUS_REQUIRE_POSTGRES is set).
package assesstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/postgres"
	"github.com/ceplus/ceplus/collector/internal/store/sqlite"
	"github.com/jackc/pgx/v5"
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

// PostgresURL is the test server's URL.
func PostgresURL() string {
	if u := os.Getenv("CEPLUS_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var (
	reachOnce sync.Once
	reachErr  error
)

// RequirePostgres skips the test loudly when PostgreSQL does not answer (fails instead when
// CEPLUS_REQUIRE_POSTGRES is set).
func RequirePostgres(t testing.TB) {
	t.Helper()
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, PostgresURL())
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		reachErr = err
	})
	if reachErr == nil {
		return
	}
	u, _ := url.Parse(PostgresURL())
	where := "PostgreSQL not reachable at " + u.Redacted()
	if os.Getenv("CEPLUS_REQUIRE_POSTGRES") != "" {
		t.Fatalf("%s (%v): CEPLUS_REQUIRE_POSTGRES is set, so the PostgreSQL variant must run", where, reachErr)
	}
	t.Skipf("!!! %s: the PostgreSQL variant of this test is SKIPPED (%v); start a server or set CEPLUS_TEST_POSTGRES !!!", where, reachErr)
}

// PostgresSchemaURL creates a schema of its own for one test, dropped at cleanup, and returns
// the URL whose connections use it.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	RequirePostgres(t)
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "ceplus_assess_" + hex.EncodeToString(b)
	ctx := context.Background()
	exec := func(q string) error {
		c, err := pgx.Connect(ctx, PostgresURL())
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, q)
		return err
	}
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openPostgres(t testing.TB) store.Store {
	t.Helper()
	u := PostgresSchemaURL(t)
	s, err := postgres.Open(context.Background(), u)
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
