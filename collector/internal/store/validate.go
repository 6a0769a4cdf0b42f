package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/identity"
)

// ValidateEvent checks the arguments of AppendEvent.
func ValidateEvent(stream, kind string, payload []byte, at time.Time) error {
	switch {
	case at.IsZero():
		return fmt.Errorf("append event %q to %q: time is zero: the caller passes the event time: %w", kind, stream, ErrInvalid)
	case stream == "":
		return fmt.Errorf("append event %q: stream id is empty: %w", kind, ErrInvalid)
	case kind == "":
		return fmt.Errorf("append event to %q: kind is empty: %w", stream, ErrInvalid)
	case !json.Valid(payload):
		return fmt.Errorf("append event %q to %q: payload is not valid JSON: %w", kind, stream, ErrInvalid)
	}
	return nil
}

// Validate checks a header before it is stored and returns the form to store.
func (h Header) Validate() (Header, error) {
	switch {
	case h.ID == "":
		return h, fmt.Errorf("header %q: id is empty: %w", h.Title, ErrInvalid)
	case h.Kind != KindAssessment && h.Kind != KindRegisterRecord:
		return h, fmt.Errorf("header %q: kind %q: want %q or %q: %w", h.ID, h.Kind, KindAssessment, KindRegisterRecord, ErrInvalid)
	case h.CreatedAt.IsZero():
		return h, fmt.Errorf("header %q: created_at is zero: the caller passes the creation time: %w", h.ID, ErrInvalid)
	case h.Settings != nil && !json.Valid(h.Settings):
		return h, fmt.Errorf("header %q: settings are not valid JSON: %w", h.ID, ErrInvalid)
	}
	h.CreatedAt = Instant(h.CreatedAt)
	return h, nil
}

// Validate checks an agent before it is stored and returns the form to store.
func (a Agent) Validate() (Agent, error) {
	switch {
	case a.ID.IsZero():
		return a, fmt.Errorf("agent %q: id is zero: %w", a.Hostname, ErrInvalid)
	case len(a.CertDER) == 0:
		return a, fmt.Errorf("agent %s: certificate is empty: %w", a.ID, ErrInvalid)
	case identity.AgentIDFromCert(a.CertDER) != a.ID:
		return a, fmt.Errorf("agent %s: id is not the SHA-256 of its certificate (that is %s): %w", a.ID, identity.AgentIDFromCert(a.CertDER), ErrInvalid)
	case a.EnrolledAt.IsZero():
		return a, fmt.Errorf("agent %s: enrolled_at is zero: the caller passes the enrolment time: %w", a.ID, ErrInvalid)
	}
	a.EnrolledAt, a.LastSeen, a.RevokedAt = Instant(a.EnrolledAt), Instant(a.LastSeen), Instant(a.RevokedAt)
	a.Latest = nil
	return a, nil
}
