package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ceplus/ceplus/collector/internal/store"
)

const headerColumns = `id, kind, title, organisation, created_at, settings`

func scanHeader(row interface{ Scan(...any) error }) (store.Header, error) {
	var (
		h        store.Header
		created  sql.NullInt64
		settings []byte
	)
	err := row.Scan(&h.ID, &h.Kind, &h.Title, &h.Organisation, &created, &settings)
	h.CreatedAt, h.Settings = fromMicros(created), settings
	return h, err
}

// CreateHeader implements store.Headers.
func (s *Store) CreateHeader(ctx context.Context, h store.Header) error {
	h, err := h.Validate()
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO headers (`+headerColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		h.ID, h.Kind, h.Title, h.Organisation, micros(h.CreatedAt), []byte(h.Settings))
	if isUnique(err) {
		return fmt.Errorf("create %s %q: %w: choose another ID", h.Kind, h.ID, store.ErrExists)
	}
	return s.wrap(fmt.Sprintf("create %s %q", h.Kind, h.ID), err)
}

// GetHeader implements store.Headers.
func (s *Store) GetHeader(ctx context.Context, id string) (store.Header, error) {
	h, err := scanHeader(s.r.QueryRowContext(ctx, `SELECT `+headerColumns+` FROM headers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("%q: %w: no assessment or register record has that ID", id, store.ErrNotFound)
	}
	return h, s.wrap(fmt.Sprintf("get %q", id), err)
}

// ListHeaders implements store.Headers.
func (s *Store) ListHeaders(ctx context.Context, kind string) ([]store.Header, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+headerColumns+` FROM headers WHERE ? = '' OR kind = ? ORDER BY created_at, id`, kind, kind)
	if err != nil {
		return nil, s.wrap("list headers", err)
	}
	defer rows.Close()
	var out []store.Header
	for rows.Next() {
		h, err := scanHeader(rows)
		if err != nil {
			return nil, s.wrap("list headers", err)
		}
		out = append(out, h)
	}
	return out, s.wrap("list headers", rows.Err())
}
