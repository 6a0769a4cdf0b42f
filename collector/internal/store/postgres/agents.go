package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/jackc/pgx/v5"
)

// PutAgent implements store.Agents.
func (s *Store) PutAgent(ctx context.Context, a store.Agent) error {
	a, err := a.Validate()
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO agents (id, cert_der, hostname, build, os_family, os_version, machine_id,
			enrolled_at, last_seen, revoked_at, revoke_reason, assessment_id, scope_entry)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (id) DO UPDATE SET
			hostname = excluded.hostname, build = excluded.build, os_family = excluded.os_family,
			os_version = excluded.os_version, machine_id = excluded.machine_id,
			assessment_id = COALESCE(excluded.assessment_id, agents.assessment_id),
			scope_entry = COALESCE(excluded.scope_entry, agents.scope_entry)`,
		a.ID.String(), a.CertDER, a.Hostname, a.Build, a.OSFamily, a.OSVersion, a.MachineID,
		ts(a.EnrolledAt), ts(a.LastSeen), ts(a.RevokedAt), a.RevokeReason,
		nullString(a.AssessmentID), nullString(a.ScopeEntry))
	return s.wrap(fmt.Sprintf("put agent %s", a.ID), err)
}

// agentSelect reads an agent with its latest upload; the caller appends WHERE and ORDER BY.
const agentSelect = `
	SELECT a.id, a.cert_der, a.hostname, a.build, a.os_family, a.os_version, a.machine_id,
		a.enrolled_at, a.last_seen, a.revoked_at, a.revoke_reason, a.assessment_id, a.scope_entry,
		u.upload_id, u.content_hash, d.packages, d.build, u.hostname, u.collected_at, u.received_at, u.meta
	FROM agents a
	LEFT JOIN LATERAL (
		SELECT l.upload_id, l.content_hash, l.hostname, l.collected_at, l.received_at, l.meta
		FROM inventory_uploads l WHERE l.agent_id = a.id
		ORDER BY l.collected_at DESC, l.seq DESC LIMIT 1) u ON true
	LEFT JOIN inventory_docs d ON d.content_hash = u.content_hash`

func scanAgent(row pgx.Row) (store.Agent, error) {
	var (
		a                           store.Agent
		id                          string
		enrolled, seen, revoked     *time.Time
		assessment, scope           *string
		uploadID, hash, build, host *string
		packages                    *int
		collected, received         *time.Time
		meta                        []byte
	)
	err := row.Scan(&id, &a.CertDER, &a.Hostname, &a.Build, &a.OSFamily, &a.OSVersion, &a.MachineID,
		&enrolled, &seen, &revoked, &a.RevokeReason, &assessment, &scope,
		&uploadID, &hash, &packages, &build, &host, &collected, &received, &meta)
	if err != nil {
		return a, err
	}
	if a.ID, err = identity.ParseAgentID(id); err != nil {
		return a, fmt.Errorf("stored agent: %w", err)
	}
	a.EnrolledAt, a.LastSeen, a.RevokedAt = fromTS(enrolled), fromTS(seen), fromTS(revoked)
	a.AssessmentID, a.ScopeEntry = deref(assessment), deref(scope)
	if uploadID != nil {
		a.Latest = &store.UploadSummary{UploadID: *uploadID, ContentHash: deref(hash),
			Packages: derefInt(packages), Build: deref(build), Hostname: deref(host),
			CollectedAt: fromTS(collected), ReceivedAt: fromTS(received), Meta: meta}
	}
	return a, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// GetAgent implements store.Agents.
func (s *Store) GetAgent(ctx context.Context, id identity.AgentID) (store.Agent, error) {
	a, err := scanAgent(s.pool.QueryRow(ctx, agentSelect+` WHERE a.id = $1`, id.String()))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("agent %s: %w: check the ID with 'ceplus-collector agents list'", id, store.ErrNotFound)
	}
	return a, s.wrap(fmt.Sprintf("get agent %s", id), err)
}

// ListAgents implements store.Agents.
func (s *Store) ListAgents(ctx context.Context, f store.AgentFilter) ([]store.Agent, error) {
	rows, err := s.pool.Query(ctx, agentSelect+`
		WHERE ($1 = '' OR a.assessment_id = $1) AND (NOT $2 OR a.revoked_at IS NULL)
		ORDER BY a.hostname, a.id`, f.AssessmentID, f.ExcludeRevoked)
	if err != nil {
		return nil, s.wrap("list agents", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Agent, error) { return scanAgent(r) })
	return out, s.wrap("list agents", err)
}

// RevokeAgent implements store.Agents.
func (s *Store) RevokeAgent(ctx context.Context, id identity.AgentID, reason string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE agents SET revoked_at = COALESCE(revoked_at, $1),
			revoke_reason = CASE WHEN revoked_at IS NULL THEN $2 ELSE revoke_reason END
		WHERE id = $3`, store.Instant(at), reason, id.String())
	if err != nil {
		return s.wrap(fmt.Sprintf("revoke agent %s", id), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoke agent %s: %w: check the ID with 'ceplus-collector agents list'", id, store.ErrNotFound)
	}
	return nil
}

// TouchAgent implements store.Agents.
func (s *Store) TouchAgent(ctx context.Context, id identity.AgentID, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE agents SET last_seen = GREATEST(last_seen, $1) WHERE id = $2`, store.Instant(at), id.String())
	if err != nil {
		return s.wrap(fmt.Sprintf("touch agent %s", id), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("touch agent %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// IsRevoked implements store.Agents.
func (s *Store) IsRevoked(ctx context.Context, id identity.AgentID) (bool, error) {
	var revoked bool
	err := s.pool.QueryRow(ctx, `SELECT revoked_at IS NOT NULL FROM agents WHERE id = $1`, id.String()).Scan(&revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("agent %s: %w: it was never enrolled with this collector", id, store.ErrNotFound)
	}
	return revoked, s.wrap(fmt.Sprintf("check revocation of agent %s", id), err)
}
