package register

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// RetentionYears is how long a record is kept after its closure (RULES.md §2; EUCC guidelines
// §3.3 and §3.4: "at least 5 years").
const RetentionYears = 5

// ErrRetention is matched by every *RetentionError.
var ErrRetention = errors.New("retention period not over")

// RetentionError refuses the deletion of a record that must still be kept.
type RetentionError struct {
	ID string
	// Closed is when the record was closed; nil when it is still open.
	Closed *time.Time
	// RetainUntil is the first moment it may be deleted (zero when still open).
	RetainUntil time.Time
	Now         time.Time
}

func (e *RetentionError) Error() string {
	if e.Closed == nil {
		return fmt.Sprintf("delete register record %s: refused: the record is still open; records are kept at least %d years from their closure (RULES.md §2): close it (report then close, or exit) and delete it %d years later",
			e.ID, RetentionYears, RetentionYears)
	}
	return fmt.Sprintf("delete register record %s: refused: it was closed on %s and must be kept at least %d years from closure (RULES.md §2), until %s; it is %s now: try again on or after %s",
		e.ID, e.Closed.Format(time.RFC3339), RetentionYears, e.RetainUntil.Format(time.RFC3339), e.Now.Format(time.RFC3339), e.RetainUntil.Format("2006-01-02"))
}

// Is makes errors.Is(err, ErrRetention) true.
func (e *RetentionError) Is(target error) bool { return target == ErrRetention }

// RetainUntil returns the first moment the record may be deleted: its closure plus
// RetentionYears, on the same local date and time in the record's time zone. ok is false while
// the record is open.
func (r *Record) RetainUntil() (until time.Time, ok bool) {
	if r.Closed == nil {
		return time.Time{}, false
	}
	cal, err := r.Calendar()
	loc := time.UTC
	if err == nil {
		loc = cal.Location()
	}
	return r.Closed.At.In(loc).AddDate(RetentionYears, 0, 0).UTC(), true
}

// Delete erases record id, by who for reason, when its retention period is over at now, and
// returns the tombstone the store keeps. Before that it returns a *RetentionError explaining
// until when the record must be kept.
func (g *Register) Delete(ctx context.Context, id, who, reason string, now time.Time) (store.Erasure, error) {
	switch {
	case who == "":
		return store.Erasure{}, invalidError{fmt.Errorf("delete register record %s: who is empty: say who deletes it", id)}
	case reason == "":
		return store.Erasure{}, invalidError{fmt.Errorf("delete register record %s: reason is empty: say why it is deleted", id)}
	case now.IsZero():
		return store.Erasure{}, fmt.Errorf("delete register record %s: time is zero: the caller passes the moment", id)
	}
	rec, err := g.load(ctx, id)
	if err != nil {
		return store.Erasure{}, err
	}
	until, ok := rec.RetainUntil()
	if !ok || now.Before(until) {
		e := &RetentionError{ID: id, RetainUntil: until, Now: now.UTC()}
		if ok {
			closed := rec.Closed.At.UTC()
			e.Closed = &closed
		}
		return store.Erasure{}, e
	}
	return g.st.EraseRecord(ctx, store.Erasure{ID: id, At: now, By: who, Reason: reason, RetainedUntil: until})
}
