package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/jackc/pgx/v5"
)

// AppendEvent implements store.Events. A transaction-scoped advisory lock per stream
// serialises appends to one stream across every collector replica, so the head read inside it
// is the true head; the (stream, seq) primary key backs that up.
func (s *Store) AppendEvent(ctx context.Context, stream, kind string, payload json.RawMessage, at time.Time) (store.Event, error) {
	if err := store.ValidateEvent(stream, kind, payload, at); err != nil {
		return store.Event{}, err
	}
	var e store.Event
	op := fmt.Sprintf("append %q event to stream %q", kind, stream)
	err := s.tx(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('ceplus.events'), hashtext($1))`, stream); err != nil {
			return s.wrap(op, err)
		}
		prev, err := scanEvent(tx.QueryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1`, stream))
		var head *store.Event
		switch {
		case err == nil:
			head = &prev
		case !errors.Is(err, pgx.ErrNoRows):
			return s.wrap(op, err)
		}
		e = store.NextEvent(stream, head, kind, at, append([]byte(nil), payload...))
		_, err = tx.Exec(ctx, `INSERT INTO events (`+eventColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			e.Stream, e.Seq, e.Kind, e.At, []byte(e.Payload), e.PrevHash, e.Hash)
		return s.wrap(op, err)
	})
	return e, err
}

const eventColumns = `stream, seq, kind, at, payload, prev_hash, hash`

func scanEvent(row pgx.Row) (store.Event, error) {
	var (
		e       store.Event
		at      *time.Time
		payload []byte
	)
	err := row.Scan(&e.Stream, &e.Seq, &e.Kind, &at, &payload, &e.PrevHash, &e.Hash)
	e.At, e.Payload = fromTS(at), payload
	return e, err
}

// ListEvents implements store.Events.
func (s *Store) ListEvents(ctx context.Context, stream string, afterSeq int64) ([]store.Event, error) {
	op := fmt.Sprintf("list events of stream %q", stream)
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE stream = $1 AND seq > $2 ORDER BY seq`, stream, afterSeq)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Event, error) { return scanEvent(r) })
	return out, s.wrap(op, err)
}

// VerifyChain implements store.Events.
func (s *Store) VerifyChain(ctx context.Context, stream string) error {
	events, err := s.ListEvents(ctx, stream, 0)
	if err != nil {
		return err
	}
	return store.VerifyEvents(stream, events)
}
