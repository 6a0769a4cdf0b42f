package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

const tokenColumns = `hash, role, uses, expires_at, assessment_id, scope_entry, created_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (store.Token, error) {
	var (
		t                         store.Token
		role                      string
		expires, created, revoked sql.NullInt64
		assessment, scope         sql.NullString
	)
	if err := row.Scan(&t.Hash, &role, &t.Uses, &expires, &assessment, &scope, &created, &revoked); err != nil {
		return t, err
	}
	t.Role = store.Role(role)
	t.ExpiresAt, t.CreatedAt, t.RevokedAt = fromMicros(expires), fromMicros(created), fromMicros(revoked)
	t.AssessmentID, t.ScopeEntry = assessment.String, scope.String
	return t, nil
}

// PutToken implements store.Tokens.
func (s *Store) PutToken(ctx context.Context, t store.Token) error {
	t, err := t.Validate()
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Hash, string(t.Role), t.Uses, micros(t.ExpiresAt), nullString(t.AssessmentID), nullString(t.ScopeEntry),
		micros(t.CreatedAt), micros(t.RevokedAt))
	if isUnique(err) {
		return fmt.Errorf("put token %s…: %w", t.Hash[:12], store.ErrExists)
	}
	return s.wrap("put token", err)
}

// GetToken implements store.Tokens.
func (s *Store) GetToken(ctx context.Context, hash string) (store.Token, error) {
	return s.getToken(ctx, s.r, hash)
}

func (s *Store) getToken(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, hash string) (store.Token, error) {
	t, err := scanToken(db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("token is not known to this collector (check it was copied whole, or ask for a new one): %w", store.ErrTokenUnknown)
	}
	return t, s.wrap("get token", err)
}

// ListTokens implements store.Tokens.
func (s *Store) ListTokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at DESC, hash`)
	if err != nil {
		return nil, s.wrap("list tokens", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, s.wrap("list tokens", err)
		}
		out = append(out, t)
	}
	return out, s.wrap("list tokens", rows.Err())
}

// ConsumeToken implements store.Tokens. The decrement is one conditional UPDATE, so it is
// atomic whichever connection or process runs it.
func (s *Store) ConsumeToken(ctx context.Context, hash string, at time.Time) (store.Token, error) {
	at = store.Instant(at)
	t, err := s.getToken(ctx, s.r, hash)
	if err != nil {
		return t, err
	}
	if err := t.Check(at); err != nil || t.Uses == store.Unlimited {
		return t, err
	}
	t, err = scanToken(s.w.QueryRowContext(ctx, `
		UPDATE tokens SET uses = uses - 1
		WHERE hash = ? AND uses > 0 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
		RETURNING `+tokenColumns, hash, at.UnixMicro()))
	if errors.Is(err, sql.ErrNoRows) {
		// Someone else took the last use (or revoked it) since we looked: say which.
		t, err := s.getToken(ctx, s.w, hash)
		if err != nil {
			return t, err
		}
		if err := t.Check(at); err != nil {
			return t, err
		}
		return t, fmt.Errorf("consume token: it changed while in use; try again: %w", store.ErrTokenExhausted)
	}
	return t, s.wrap("consume token", err)
}

// RevokeToken implements store.Tokens.
func (s *Store) RevokeToken(ctx context.Context, hash string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE hash = ?`,
		micros(store.Instant(at)), hash)
	return s.affected(res, err, "revoke token", fmt.Errorf("revoke token: %w", store.ErrTokenUnknown))
}
