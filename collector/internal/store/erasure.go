package store

import (
	"context"
	"fmt"
	"time"
)

// Erasures removes register records whose retention period has ended. It is the only way to
// remove anything from an event stream: the erased record leaves a tombstone, and the database
// guard lets events be deleted only for a stream that has a tombstone and no header.
type Erasures interface {
	// EraseRecord deletes the register record e.ID (its header and its whole event stream) in one
	// transaction and keeps e, with Events and LastHash filled in, as the tombstone. The store
	// does not judge retention: the caller (collector/internal/register) checks it first and
	// records RetainedUntil. ErrNotFound when no header has that ID; ErrInvalid for an
	// assessment, which is never erased.
	EraseRecord(ctx context.Context, e Erasure) (Erasure, error)
	// GetErasure returns the tombstone of an erased record, or ErrNotFound.
	GetErasure(ctx context.Context, id string) (Erasure, error)
}

// Erasure is the tombstone of an erased register record.
type Erasure struct {
	ID string
	// Kind is the erased header's kind (always KindRegisterRecord).
	Kind string
	// At is when it was erased, By who erased it and Reason why.
	At     time.Time
	By     string
	Reason string
	// RetainedUntil is the end of the retention period the caller checked.
	RetainedUntil time.Time
	// Events is how many events the stream had and LastHash the hash of the last one, so the
	// tombstone still pins the history that was removed.
	Events   int64
	LastHash string
}

// Validate checks an erasure request and returns the form to store.
func (e Erasure) Validate() (Erasure, error) {
	switch {
	case e.ID == "":
		return e, fmt.Errorf("erase record: id is empty: %w", ErrInvalid)
	case e.At.IsZero():
		return e, fmt.Errorf("erase record %q: time is zero: the caller passes the erasure time: %w", e.ID, ErrInvalid)
	case e.RetainedUntil.IsZero() || e.At.Before(e.RetainedUntil):
		return e, fmt.Errorf("erase record %q at %s: retained until %s: the retention period has not ended: %w",
			e.ID, e.At.UTC().Format(time.RFC3339), e.RetainedUntil.UTC().Format(time.RFC3339), ErrInvalid)
	case e.Reason == "":
		return e, fmt.Errorf("erase record %q: reason is empty: say why it is erased: %w", e.ID, ErrInvalid)
	}
	e.At, e.RetainedUntil = Instant(e.At), Instant(e.RetainedUntil)
	return e, nil
}
