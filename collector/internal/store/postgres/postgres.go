// Package postgres is the store on a PostgreSQL server (pgx, pgxpool), for several collector
// replicas sharing one database. Tables live in the current schema of the connection, so a
// `search_path` parameter in the URL gives each deployment (or test) its own. Migrations are
// serialised across replicas by a transaction-scoped advisory lock; event appends by one
// advisory lock per stream; token uses by a conditional UPDATE.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// connectTimeout bounds the first connection, so that a wrong URL fails fast.
const connectTimeout = 10 * time.Second

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool  *pgxpool.Pool
	where string // host:port/database (schema), never the password
	sh    shared // locks and notifications across processes (shared.go)
}

var _ store.Store = (*Store)(nil)

// Open connects to the PostgreSQL server at url (postgres://user@host:port/db?…) and brings
// the schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open store: PostgreSQL URL is malformed (want postgres://user@host:5432/database): %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	s := &Store{where: describe(cfg)}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("open store: PostgreSQL at %s: %w", s.where, err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("open store: cannot reach PostgreSQL at %s: %w: check --store and that the server runs", s.where, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	w := fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database)
	if sp := c.RuntimeParams["search_path"]; sp != "" {
		w += " (schema " + sp + ")"
	}
	return w
}

// Location returns host:port/database and the schema, never the password.
func (s *Store) Location() string { return "postgres " + s.where }

// Close closes the pool.
func (s *Store) Close() error {
	if s.sh.locks != nil {
		s.sh.locks.Close()
	}
	s.pool.Close()
	return nil
}

// RawExec runs a statement directly on the database, bypassing every guarantee of the store.
// It exists for tests (tampering with history to prove VerifyChain notices) and repair tools.
func (s *Store) RawExec(ctx context.Context, query string) error {
	_, err := s.pool.Exec(ctx, query)
	return s.wrap("raw exec", err)
}

// wrap adds what failed and where to err.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s (PostgreSQL %s): %w", op, s.where, err)
}

// tx runs fn in a transaction and commits it.
func (s *Store) tx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.wrap(op, err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback(ctx))
	}
	return s.wrap(op, tx.Commit(ctx))
}

// ts stores the zero time as NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// fromTS is the inverse of ts, in UTC.
func fromTS(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return store.Instant(*p)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isUnique reports a unique_violation; isForeignKey a foreign_key_violation.
func isUnique(err error) bool     { return pgCode(err) == "23505" }
func isForeignKey(err error) bool { return pgCode(err) == "23503" }
