package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/jackc/pgx/v5"
)

// GetMeta implements store.Meta.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("meta %q: %w", key, store.ErrNotFound)
	}
	return v, s.wrap(fmt.Sprintf("get meta %q", key), err)
}

// SetMeta implements store.Meta.
func (s *Store) SetMeta(ctx context.Context, key string, value []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, nonNil(value))
	return s.wrap(fmt.Sprintf("set meta %q", key), err)
}

// InitMeta implements store.Meta. The INSERT waits for a concurrent one to commit and then
// does nothing, so the SELECT after it (a new snapshot) reads the winner's value.
func (s *Store) InitMeta(ctx context.Context, key string, value []byte) ([]byte, error) {
	op := fmt.Sprintf("init meta %q", key)
	if _, err := s.pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, nonNil(value)); err != nil {
		return nil, s.wrap(op, err)
	}
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	return v, s.wrap(op, err)
}

// nonNil keeps an empty value from being stored as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
