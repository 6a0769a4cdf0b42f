// Package pgtest gives tests a PostgreSQL schema of their own. The server is
// postgres://postgres@127.0.0.1:5432/test unless CEPLUS_TEST_POSTGRES says otherwise; when it
// does not answer, the tests that need it are skipped loudly, or fail when
// CEPLUS_REQUIRE_POSTGRES is set (CI).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URL is the test server's URL: CEPLUS_TEST_POSTGRES, else the local default.
func URL() string {
	if u := os.Getenv("CEPLUS_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var (
	reachOnce sync.Once
	reachErr  error
)

// Require skips the test loudly when the test server does not answer (once per process), and
// fails it instead when CEPLUS_REQUIRE_POSTGRES is set.
func Require(t testing.TB) {
	t.Helper()
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, URL())
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		reachErr = err
	})
	if reachErr == nil {
		return
	}
	where := "PostgreSQL NOT REACHABLE at " + redact(URL())
	if os.Getenv("CEPLUS_REQUIRE_POSTGRES") != "" {
		t.Fatalf("%s (%v): CEPLUS_REQUIRE_POSTGRES is set, so %s must run on PostgreSQL", where, reachErr, t.Name())
	}
	t.Skipf("!!! %s: %s on PostgreSQL SKIPPED (%v); start a server or set CEPLUS_TEST_POSTGRES !!!", where, t.Name(), reachErr)
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(malformed URL)"
	}
	return p.Redacted()
}

// Schema creates a schema of its own for one test, dropped at cleanup, and returns the URL
// whose connections use it. It calls Require first.
func Schema(t testing.TB) string {
	t.Helper()
	Require(t)
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "ceplus_test_" + hex.EncodeToString(b)
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(URL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec runs one statement on a connection of its own.
func exec(query string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, URL())
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, query)
	return err
}
