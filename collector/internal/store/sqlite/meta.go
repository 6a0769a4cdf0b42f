package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// GetMeta implements store.Meta.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("meta %q: %w", key, store.ErrNotFound)
	}
	return v, s.wrap(fmt.Sprintf("get meta %q", key), err)
}

// SetMeta implements store.Meta.
func (s *Store) SetMeta(ctx context.Context, key string, value []byte) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, nonNil(value))
	return s.wrap(fmt.Sprintf("set meta %q", key), err)
}

// InitMeta implements store.Meta.
func (s *Store) InitMeta(ctx context.Context, key string, value []byte) ([]byte, error) {
	var v []byte
	op := fmt.Sprintf("init meta %q", key)
	err := s.tx(ctx, op, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, nonNil(value)); err != nil {
			return s.wrap(op, err)
		}
		return s.wrap(op, tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v))
	})
	return v, err
}

// nonNil keeps an empty value from being stored as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
