package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// EraseRecord implements store.Erasures.
func (s *Store) EraseRecord(ctx context.Context, e store.Erasure) (store.Erasure, error) {
	e, err := e.Validate()
	if err != nil {
		return e, err
	}
	op := fmt.Sprintf("erase register record %q", e.ID)
	err = s.tx(ctx, op, func(tx *sql.Tx) error {
		h, err := scanHeader(tx.QueryRowContext(ctx, `SELECT `+headerColumns+` FROM headers WHERE id = ?`, e.ID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%s: %w: no register record has that ID", op, store.ErrNotFound)
		case err != nil:
			return s.wrap(op, err)
		case h.Kind != store.KindRegisterRecord:
			return fmt.Errorf("%s: it is an %s, and assessments are never erased: %w", op, h.Kind, store.ErrInvalid)
		}
		e.Kind = h.Kind
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), (SELECT hash FROM events WHERE stream = ? ORDER BY seq DESC LIMIT 1) FROM events WHERE stream = ?`,
			e.ID, e.ID).Scan(&e.Events, &last); err != nil {
			return s.wrap(op, err)
		}
		e.LastHash = last.String
		if _, err := tx.ExecContext(ctx, `INSERT INTO erasures (id, kind, erased_at, erased_by, reason, retained_until, events, last_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Kind, micros(e.At), e.By, e.Reason, micros(e.RetainedUntil), e.Events, e.LastHash); err != nil {
			if isUnique(err) {
				return fmt.Errorf("%s: %w: a record with that ID was erased before", op, store.ErrExists)
			}
			return s.wrap(op, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM headers WHERE id = ?`, e.ID); err != nil {
			return s.wrap(op, err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM events WHERE stream = ?`, e.ID)
		return s.wrap(op, err)
	})
	return e, err
}

// GetErasure implements store.Erasures.
func (s *Store) GetErasure(ctx context.Context, id string) (store.Erasure, error) {
	var (
		e               store.Erasure
		at, retainedTil sql.NullInt64
	)
	err := s.r.QueryRowContext(ctx, `SELECT id, kind, erased_at, erased_by, reason, retained_until, events, last_hash FROM erasures WHERE id = ?`, id).
		Scan(&e.ID, &e.Kind, &at, &e.By, &e.Reason, &retainedTil, &e.Events, &e.LastHash)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("%q: %w: no erased record has that ID", id, store.ErrNotFound)
	}
	e.At, e.RetainedUntil = fromMicros(at), fromMicros(retainedTil)
	return e, s.wrap(fmt.Sprintf("get erasure %q", id), err)
}
