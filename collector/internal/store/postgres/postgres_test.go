package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/pgtest"
	"github.com/ceplus/ceplus/collector/internal/store/storetest"
)

func harness() storetest.Harness {
	return storetest.Harness{
		New: func(t testing.TB) func(context.Context) (store.Store, error) {
			u := pgtest.Schema(t)
			return func(ctx context.Context) (store.Store, error) { return Open(ctx, u) }
		},
		Unguard: []string{`ALTER TABLE events DISABLE TRIGGER events_append_only`},
	}
}

func TestConformance(t *testing.T) {
	pgtest.Require(t)
	storetest.Run(t, harness())
}

func BenchmarkStore(b *testing.B) {
	pgtest.Require(b)
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
