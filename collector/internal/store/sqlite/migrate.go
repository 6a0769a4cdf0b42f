package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/ceplus/ceplus/collector/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the pending migrations in one IMMEDIATE transaction: a second process
// starting at the same moment waits for the lock, then finds nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	return s.tx(ctx, "migrate store", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
			return s.wrap("migrate store: create schema_migrations", err)
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return s.wrap("migrate store: read schema_migrations", err)
		}
		pending, err := migrate.Pending(s.path, all, applied)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return s.wrap(fmt.Sprintf("migrate store: apply %s", m.Name), err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
				return s.wrap(fmt.Sprintf("migrate store: record %s", m.Name), err)
			}
		}
		return nil
	})
}

func appliedVersions(ctx context.Context, tx *sql.Tx) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}
