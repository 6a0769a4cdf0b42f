package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Role is what a token lets its holder do.
type Role string

// Token roles: RoleEnrol enrols an agent; the others authenticate API calls (issue 6).
const (
	RoleEnrol     Role = "enrol"
	RoleAssessor  Role = "assessor"
	RoleApplicant Role = "applicant"
	RoleViewer    Role = "viewer"
)

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool {
	switch r {
	case RoleEnrol, RoleAssessor, RoleApplicant, RoleViewer:
		return true
	}
	return false
}

// Unlimited as Token.Uses means the token can be used any number of times (API tokens).
const Unlimited = -1

// Token is an enrolment or API token. The secret itself is never stored: only its SHA-256.
type Token struct {
	// Hash is HashToken of the secret, and the token's key.
	Hash string
	Role Role
	// Uses is the number of uses left: 0 given to PutToken means 1 (single use), Unlimited
	// means no limit. ConsumeToken returns the count after the use.
	Uses int
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time
	// AssessmentID binds the token to an assessment, "" if none.
	AssessmentID string
	// ScopeEntry binds the token to one scope entry of that assessment, "" if none.
	ScopeEntry string
	CreatedAt  time.Time
	// RevokedAt is zero unless the token was revoked.
	RevokedAt time.Time
}

// HashToken returns the key under which a token secret is stored: its hex SHA-256.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Validate checks the token before it is stored and returns the form to store (Uses 0 → 1).
func (t Token) Validate() (Token, error) {
	if b, err := hex.DecodeString(t.Hash); err != nil || len(b) != sha256.Size {
		return t, fmt.Errorf("token hash %q: want the 64-hex-character SHA-256 of the secret (store.HashToken): %w", t.Hash, ErrInvalid)
	}
	if !t.Role.Valid() {
		return t, fmt.Errorf("token role %q: want enrol, assessor, applicant or viewer: %w", t.Role, ErrInvalid)
	}
	if t.Uses == 0 {
		t.Uses = 1
	}
	if t.Uses < Unlimited {
		return t, fmt.Errorf("token uses %d: want a positive count or store.Unlimited: %w", t.Uses, ErrInvalid)
	}
	if t.CreatedAt.IsZero() {
		return t, fmt.Errorf("token created_at is zero: the caller passes the creation time: %w", ErrInvalid)
	}
	t.ExpiresAt, t.CreatedAt, t.RevokedAt = Instant(t.ExpiresAt), Instant(t.CreatedAt), Instant(t.RevokedAt)
	return t, nil
}

// Check returns why the token cannot be used at `at` (ErrTokenRevoked, ErrTokenExpired,
// ErrTokenExhausted, wrapped with the token's hash prefix), or nil when it can.
func (t Token) Check(at time.Time) error {
	short := t.Hash
	if len(short) > 12 {
		short = short[:12]
	}
	switch {
	case !t.RevokedAt.IsZero():
		return fmt.Errorf("token %s… was revoked at %s: ask for a new token: %w", short, t.RevokedAt.Format(time.RFC3339), ErrTokenRevoked)
	case !t.ExpiresAt.IsZero() && !at.Before(t.ExpiresAt):
		return fmt.Errorf("token %s… expired at %s: ask for a new token: %w", short, t.ExpiresAt.Format(time.RFC3339), ErrTokenExpired)
	case t.Uses == 0:
		return fmt.Errorf("token %s… has no uses left (single-use tokens work once): ask for a new token: %w", short, ErrTokenExhausted)
	}
	return nil
}
