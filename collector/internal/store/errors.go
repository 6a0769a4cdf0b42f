package store

import (
	"errors"
	"fmt"
)

// Sentinel errors, checked with errors.Is. Implementations wrap them with the input at fault.
var (
	// ErrNotFound: no agent, inventory, header or meta key with that key.
	ErrNotFound = errors.New("not found")
	// ErrExists: a token, header or other record with that key is already stored.
	ErrExists = errors.New("already exists")
	// ErrTokenUnknown: no token has that hash (a mistyped or made-up token).
	ErrTokenUnknown = errors.New("token unknown")
	// ErrTokenExpired: the token's expiry time has passed.
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenExhausted: every use of the token has been spent (a reused single-use token).
	ErrTokenExhausted = errors.New("token already used")
	// ErrTokenRevoked: the token was revoked.
	ErrTokenRevoked = errors.New("token revoked")
	// ErrUploadConflict: an agent reused an upload id for different content.
	ErrUploadConflict = errors.New("upload id reused for different content")
	// ErrChainBroken: an event stream does not verify (see ChainError).
	ErrChainBroken = errors.New("event chain broken")
	// ErrSchemaTooNew: the database was migrated by a newer ceplus than this one.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrNotDatabase: the file at the SQLite path is not an intact SQLite database.
	ErrNotDatabase = errors.New("not an intact SQLite database")
	// ErrInvalid: an argument is malformed (an empty ID, a payload that is not JSON…).
	ErrInvalid = errors.New("invalid argument")
)

// ChainError reports the first event of a stream that does not verify.
type ChainError struct {
	Stream string
	Seq    int64  // the first seq that is broken (or missing)
	Reason string // what does not match
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("event stream %q broken at seq %d: %s; the history was changed outside ceplus: restore the database from a backup", e.Stream, e.Seq, e.Reason)
}

// Is makes errors.Is(err, ErrChainBroken) true for a *ChainError.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }
