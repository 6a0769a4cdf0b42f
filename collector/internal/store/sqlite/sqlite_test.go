package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/storetest"
)

func harness() storetest.Harness {
	return storetest.Harness{
		New: func(t testing.TB) func(context.Context) (store.Store, error) {
			path := filepath.Join(t.TempDir(), FileName)
			return func(ctx context.Context) (store.Store, error) { return Open(ctx, path) }
		},
		Unguard: []string{`DROP TRIGGER events_no_update`, `DROP TRIGGER events_no_delete`},
	}
}

func TestConformance(t *testing.T) { storetest.Run(t, harness()) }

func BenchmarkStore(b *testing.B) { storetest.Bench(b, harness()) }
