package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// AppendEvent implements store.Events. The writer's IMMEDIATE transaction holds the database
// write lock from the read of the stream's head to the commit, so appends, from this process
// or another, are serialised; the (stream, seq) primary key backs that up.
func (s *Store) AppendEvent(ctx context.Context, stream, kind string, payload json.RawMessage, at time.Time) (store.Event, error) {
	if err := store.ValidateEvent(stream, kind, payload, at); err != nil {
		return store.Event{}, err
	}
	var e store.Event
	op := fmt.Sprintf("append %q event to stream %q", kind, stream)
	err := s.tx(ctx, op, func(tx *sql.Tx) error {
		prev, err := scanEvent(tx.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream = ? ORDER BY seq DESC LIMIT 1`, stream))
		var head *store.Event
		switch {
		case err == nil:
			head = &prev
		case !errors.Is(err, sql.ErrNoRows):
			return s.wrap(op, err)
		}
		e = store.NextEvent(stream, head, kind, at, append([]byte(nil), payload...))
		_, err = tx.ExecContext(ctx, `INSERT INTO events (`+eventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.Stream, e.Seq, e.Kind, e.At.UnixMicro(), []byte(e.Payload), e.PrevHash, e.Hash)
		return s.wrap(op, err)
	})
	return e, err
}

const eventColumns = `stream, seq, kind, at, payload, prev_hash, hash`

func scanEvent(row interface{ Scan(...any) error }) (store.Event, error) {
	var (
		e       store.Event
		at      sql.NullInt64
		payload []byte
	)
	err := row.Scan(&e.Stream, &e.Seq, &e.Kind, &at, &payload, &e.PrevHash, &e.Hash)
	e.At, e.Payload = fromMicros(at), payload
	return e, err
}

// ListEvents implements store.Events.
func (s *Store) ListEvents(ctx context.Context, stream string, afterSeq int64) ([]store.Event, error) {
	op := fmt.Sprintf("list events of stream %q", stream)
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream = ? AND seq > ? ORDER BY seq`, stream, afterSeq)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := scanEvent(rows)
		if err != nil {
			return nil, s.wrap(op, err)
		}
		out = append(out, e)
	}
	return out, s.wrap(op, rows.Err())
}

// VerifyChain implements store.Events.
func (s *Store) VerifyChain(ctx context.Context, stream string) error {
	events, err := s.ListEvents(ctx, stream, 0)
	if err != nil {
		return err
	}
	return store.VerifyEvents(stream, events)
}
