package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/jackc/pgx/v5"
)

const headerColumns = `id, kind, title, organisation, created_at, settings`

func scanHeader(row pgx.Row) (store.Header, error) {
	var (
		h        store.Header
		created  *time.Time
		settings []byte
	)
	err := row.Scan(&h.ID, &h.Kind, &h.Title, &h.Organisation, &created, &settings)
	h.CreatedAt, h.Settings = fromTS(created), settings
	return h, err
}

// CreateHeader implements store.Headers.
func (s *Store) CreateHeader(ctx context.Context, h store.Header) error {
	h, err := h.Validate()
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO headers (`+headerColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		h.ID, h.Kind, h.Title, h.Organisation, h.CreatedAt, []byte(h.Settings))
	if isUnique(err) {
		return fmt.Errorf("create %s %q: %w: choose another ID", h.Kind, h.ID, store.ErrExists)
	}
	return s.wrap(fmt.Sprintf("create %s %q", h.Kind, h.ID), err)
}

// GetHeader implements store.Headers.
func (s *Store) GetHeader(ctx context.Context, id string) (store.Header, error) {
	h, err := scanHeader(s.pool.QueryRow(ctx, `SELECT `+headerColumns+` FROM headers WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return h, fmt.Errorf("%q: %w: no assessment or register record has that ID", id, store.ErrNotFound)
	}
	return h, s.wrap(fmt.Sprintf("get %q", id), err)
}

// ListHeaders implements store.Headers.
func (s *Store) ListHeaders(ctx context.Context, kind string) ([]store.Header, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+headerColumns+` FROM headers WHERE $1 = '' OR kind = $1 ORDER BY created_at, id`, kind)
	if err != nil {
		return nil, s.wrap("list headers", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Header, error) { return scanHeader(r) })
	return out, s.wrap("list headers", err)
}
