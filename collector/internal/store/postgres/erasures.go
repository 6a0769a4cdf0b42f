package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/jackc/pgx/v5"
)

// EraseRecord implements store.Erasures. The header row is locked first, so a concurrent
// append to the same stream either lands before (and is counted) or fails after.
func (s *Store) EraseRecord(ctx context.Context, e store.Erasure) (store.Erasure, error) {
	e, err := e.Validate()
	if err != nil {
		return e, err
	}
	op := fmt.Sprintf("erase register record %q", e.ID)
	err = s.tx(ctx, op, func(tx pgx.Tx) error {
		h, err := scanHeader(tx.QueryRow(ctx, `SELECT `+headerColumns+` FROM headers WHERE id = $1 FOR UPDATE`, e.ID))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("%s: %w: no register record has that ID", op, store.ErrNotFound)
		case err != nil:
			return s.wrap(op, err)
		case h.Kind != store.KindRegisterRecord:
			return fmt.Errorf("%s: it is an %s, and assessments are never erased: %w", op, h.Kind, store.ErrInvalid)
		}
		e.Kind = h.Kind
		var last *string
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), (SELECT hash FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1) FROM events WHERE stream = $1`,
			e.ID).Scan(&e.Events, &last); err != nil {
			return s.wrap(op, err)
		}
		if last != nil {
			e.LastHash = *last
		}
		if _, err := tx.Exec(ctx, `INSERT INTO erasures (id, kind, erased_at, erased_by, reason, retained_until, events, last_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			e.ID, e.Kind, e.At, e.By, e.Reason, e.RetainedUntil, e.Events, e.LastHash); err != nil {
			if isUnique(err) {
				return fmt.Errorf("%s: %w: a record with that ID was erased before", op, store.ErrExists)
			}
			return s.wrap(op, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM headers WHERE id = $1`, e.ID); err != nil {
			return s.wrap(op, err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM events WHERE stream = $1`, e.ID)
		return s.wrap(op, err)
	})
	return e, err
}

// GetErasure implements store.Erasures.
func (s *Store) GetErasure(ctx context.Context, id string) (store.Erasure, error) {
	var (
		e               store.Erasure
		at, retainedTil *time.Time
	)
	err := s.pool.QueryRow(ctx, `SELECT id, kind, erased_at, erased_by, reason, retained_until, events, last_hash FROM erasures WHERE id = $1`, id).
		Scan(&e.ID, &e.Kind, &at, &e.By, &e.Reason, &retainedTil, &e.Events, &e.LastHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, fmt.Errorf("%q: %w: no erased record has that ID", id, store.ErrNotFound)
	}
	e.At, e.RetainedUntil = fromTS(at), fromTS(retainedTil)
	return e, s.wrap(fmt.Sprintf("get erasure %q", id), err)
}
