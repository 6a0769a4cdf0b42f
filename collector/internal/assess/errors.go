package assess

import (
	"errors"
	"fmt"
)

// Error kinds, checked with errors.Is; the API maps them to HTTP statuses.
var (
	// ErrInvalid: the request is malformed (a bad CSV line, an unknown device type…).
	ErrInvalid = errors.New("invalid request")
	// ErrNotFound: no such assessment, sample, device or scan.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the assessment is not in a state that allows the step (drawing before the
	// freeze, declaring an undrawn Sample 2…).
	ErrConflict = errors.New("not allowed in the assessment's current state")
	// ErrUnavailable: the collector lacks what the step needs (no scanner, no vulnerability
	// database).
	ErrUnavailable = errors.New("unavailable")
)

// Error is a workflow error with a stable code for API clients and a message that says what to
// do. It wraps one of the kinds above.
type Error struct {
	Kind    error
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the error's kind.
func (e *Error) Unwrap() error { return e.Kind }

func fail(kind error, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}
