package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/storetest"
	"github.com/jackc/pgx/v5"
)

// defaultTestURL is the local test server; CEPLUS_TEST_POSTGRES overrides it.
const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func testURL() string {
	if u := os.Getenv("CEPLUS_TEST_POSTGRES"); u != "" {
		return u
	}
	return defaultTestURL
}

var (
	reachOnce sync.Once
	reachErr  error
)

// requireServer skips the test, loudly, when no PostgreSQL server answers, unless
// CEPLUS_REQUIRE_POSTGRES is set (CI), where it fails instead.
func requireServer(t testing.TB) {
	t.Helper()
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, testURL())
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		reachErr = err
	})
	if reachErr == nil {
		return
	}
	where := "PostgreSQL not reachable at " + redact(testURL())
	if os.Getenv("CEPLUS_REQUIRE_POSTGRES") != "" {
		t.Fatalf("%s (%v): CEPLUS_REQUIRE_POSTGRES is set, so the store conformance on PostgreSQL must run", where, reachErr)
	}
	t.Skipf("%s: store conformance on PostgreSQL SKIPPED (%v); start a server or set CEPLUS_TEST_POSTGRES", where, reachErr)
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(malformed URL)"
	}
	return p.Redacted()
}

// freshSchema creates a schema of its own for one test, dropped at cleanup, and returns the
// URL whose connections use it.
func freshSchema(t testing.TB) string {
	t.Helper()
	requireServer(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "ceplus_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, testURL())
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, testURL())
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(testURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func harness() storetest.Harness {
	return storetest.Harness{
		New: func(t testing.TB) func(context.Context) (store.Store, error) {
			u := freshSchema(t)
			return func(ctx context.Context) (store.Store, error) { return Open(ctx, u) }
		},
		Unguard: []string{`ALTER TABLE events DISABLE TRIGGER events_append_only`},
	}
}

func TestConformance(t *testing.T) {
	requireServer(t)
	storetest.Run(t, harness())
}

func BenchmarkStore(b *testing.B) {
	requireServer(b)
	storetest.Bench(b, harness())
}

func TestUnreachableServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens there.
	_, err := Open(ctx, "postgres://ceplus:secret-password@127.0.0.1:1/ceplus?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	for _, want := range []string{"127.0.0.1:1/ceplus", "--store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "secret-password") {
		t.Errorf("error %q shows the password", err)
	}
}
