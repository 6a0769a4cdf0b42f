package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/ceplus/ceplus/collector/internal/store/migrate"
	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the pending migrations in one transaction that first takes an advisory lock
// keyed on the schema: of several replicas starting at once, one migrates and the others wait,
// then find nothing left to do. PostgreSQL DDL is transactional, so a failure leaves nothing.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	return s.tx(ctx, "migrate store", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('ceplus.migrate.' || current_schema(), 0))`); err != nil {
			return s.wrap("migrate store: lock", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return s.wrap("migrate store: create schema_migrations", err)
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return s.wrap("migrate store: read schema_migrations", err)
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return s.wrap("migrate store: read schema_migrations", err)
		}
		pending, err := migrate.Pending("PostgreSQL "+s.where, all, applied)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return s.wrap(fmt.Sprintf("migrate store: apply %s", m.Name), err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return s.wrap(fmt.Sprintf("migrate store: record %s", m.Name), err)
			}
		}
		return nil
	})
}
