// Package backend opens the store the collector's flags ask for: SQLite in the data directory
// by default, or PostgreSQL when a postgres:// URL is given (--store).
package backend

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/postgres"
	"github.com/ceplus/ceplus/collector/internal/store/sqlite"
)

// Open returns the store for --data dataDir and --store storeURL: an empty storeURL means the
// SQLite file dataDir/ceplus.db (created when absent); a postgres:// or postgresql:// URL the
// PostgreSQL database it names. Either way the schema is brought up to date.
func Open(ctx context.Context, dataDir, storeURL string) (store.Store, error) {
	if storeURL == "" {
		if dataDir == "" {
			return nil, fmt.Errorf("open store: neither --data nor --store is set: give the data directory (SQLite) or a postgres:// URL")
		}
		return sqlite.Open(ctx, filepath.Join(dataDir, sqlite.FileName))
	}
	u, err := url.Parse(storeURL)
	if err != nil {
		return nil, fmt.Errorf("open store: --store is not a URL (want postgres://user@host:5432/database): %w", err)
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		return postgres.Open(ctx, storeURL)
	}
	return nil, fmt.Errorf("open store: --store %s: scheme %q is not supported: use postgres://user@host:5432/database, or leave --store out for SQLite in --data", u.Redacted(), u.Scheme)
}
