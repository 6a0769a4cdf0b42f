package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/jackc/pgx/v5"
)

const tokenColumns = `hash, role, uses, expires_at, assessment_id, scope_entry, created_at, revoked_at`

func scanToken(row pgx.Row) (store.Token, error) {
	var (
		t                         store.Token
		role                      string
		expires, created, revoked *time.Time
		assessment, scope         *string
	)
	if err := row.Scan(&t.Hash, &role, &t.Uses, &expires, &assessment, &scope, &created, &revoked); err != nil {
		return t, err
	}
	t.Role = store.Role(role)
	t.ExpiresAt, t.CreatedAt, t.RevokedAt = fromTS(expires), fromTS(created), fromTS(revoked)
	t.AssessmentID, t.ScopeEntry = deref(assessment), deref(scope)
	return t, nil
}

// PutToken implements store.Tokens.
func (s *Store) PutToken(ctx context.Context, t store.Token) error {
	t, err := t.Validate()
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.Hash, string(t.Role), t.Uses, ts(t.ExpiresAt), nullString(t.AssessmentID), nullString(t.ScopeEntry),
		ts(t.CreatedAt), ts(t.RevokedAt))
	if isUnique(err) {
		return fmt.Errorf("put token %s…: %w", t.Hash[:12], store.ErrExists)
	}
	return s.wrap("put token", err)
}

// GetToken implements store.Tokens.
func (s *Store) GetToken(ctx context.Context, hash string) (store.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("token is not known to this collector (check it was copied whole, or ask for a new one): %w", store.ErrTokenUnknown)
	}
	return t, s.wrap("get token", err)
}

// ListTokens implements store.Tokens.
func (s *Store) ListTokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at DESC, hash`)
	if err != nil {
		return nil, s.wrap("list tokens", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Token, error) { return scanToken(r) })
	return out, s.wrap("list tokens", err)
}

// ConsumeToken implements store.Tokens. The decrement is one conditional UPDATE: a concurrent
// one waits for the row lock, re-reads the row and no longer matches once the uses are spent.
func (s *Store) ConsumeToken(ctx context.Context, hash string, at time.Time) (store.Token, error) {
	at = store.Instant(at)
	t, err := s.GetToken(ctx, hash)
	if err != nil {
		return t, err
	}
	if err := t.Check(at); err != nil || t.Uses == store.Unlimited {
		return t, err
	}
	t, err = scanToken(s.pool.QueryRow(ctx, `
		UPDATE tokens SET uses = uses - 1
		WHERE hash = $1 AND uses > 0 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
		RETURNING `+tokenColumns, hash, at))
	if errors.Is(err, pgx.ErrNoRows) {
		// Someone else took the last use (or revoked it) since we looked: say which.
		t, err := s.GetToken(ctx, hash)
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
	tag, err := s.pool.Exec(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE hash = $2`, store.Instant(at), hash)
	if err != nil {
		return s.wrap("revoke token", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoke token: %w", store.ErrTokenUnknown)
	}
	return nil
}
