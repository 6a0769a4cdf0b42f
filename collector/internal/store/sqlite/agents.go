package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
)

// PutAgent implements store.Agents.
func (s *Store) PutAgent(ctx context.Context, a store.Agent) error {
	a, err := a.Validate()
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `
		INSERT INTO agents (id, cert_der, hostname, build, os_family, os_version, machine_id,
			enrolled_at, last_seen, revoked_at, revoke_reason, assessment_id, scope_entry)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			hostname = excluded.hostname, build = excluded.build, os_family = excluded.os_family,
			os_version = excluded.os_version, machine_id = excluded.machine_id,
			assessment_id = COALESCE(excluded.assessment_id, agents.assessment_id),
			scope_entry = COALESCE(excluded.scope_entry, agents.scope_entry)`,
		a.ID.String(), a.CertDER, a.Hostname, a.Build, a.OSFamily, a.OSVersion, a.MachineID,
		micros(a.EnrolledAt), micros(a.LastSeen), micros(a.RevokedAt), a.RevokeReason,
		nullString(a.AssessmentID), nullString(a.ScopeEntry))
	return s.wrap(fmt.Sprintf("put agent %s", a.ID), err)
}

// agentSelect reads an agent with its latest upload; the caller appends WHERE and ORDER BY.
const agentSelect = `
	SELECT a.id, a.cert_der, a.hostname, a.build, a.os_family, a.os_version, a.machine_id,
		a.enrolled_at, a.last_seen, a.revoked_at, a.revoke_reason, a.assessment_id, a.scope_entry,
		u.upload_id, u.content_hash, d.packages, d.build, u.hostname, u.collected_at, u.received_at, u.meta
	FROM agents a
	LEFT JOIN inventory_uploads u ON u.seq = (
		SELECT l.seq FROM inventory_uploads l WHERE l.agent_id = a.id
		ORDER BY l.collected_at DESC, l.seq DESC LIMIT 1)
	LEFT JOIN inventory_docs d ON d.content_hash = u.content_hash`

func scanAgent(row interface{ Scan(...any) error }) (store.Agent, error) {
	var (
		a                             store.Agent
		id                            string
		enrolled, seen, revoked       sql.NullInt64
		assessment, scope             sql.NullString
		uploadID, hash, build, host   sql.NullString
		packages, collected, received sql.NullInt64
		meta                          []byte
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
	a.EnrolledAt, a.LastSeen, a.RevokedAt = fromMicros(enrolled), fromMicros(seen), fromMicros(revoked)
	a.AssessmentID, a.ScopeEntry = assessment.String, scope.String
	if uploadID.Valid {
		a.Latest = &store.UploadSummary{UploadID: uploadID.String, ContentHash: hash.String,
			Packages: int(packages.Int64), Build: build.String, Hostname: host.String,
			CollectedAt: fromMicros(collected), ReceivedAt: fromMicros(received), Meta: meta}
	}
	return a, nil
}

// GetAgent implements store.Agents.
func (s *Store) GetAgent(ctx context.Context, id identity.AgentID) (store.Agent, error) {
	a, err := scanAgent(s.r.QueryRowContext(ctx, agentSelect+` WHERE a.id = ?`, id.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("agent %s: %w: check the ID with 'ceplus-collector agents list'", id, store.ErrNotFound)
	}
	return a, s.wrap(fmt.Sprintf("get agent %s", id), err)
}

// ListAgents implements store.Agents.
func (s *Store) ListAgents(ctx context.Context, f store.AgentFilter) ([]store.Agent, error) {
	rows, err := s.r.QueryContext(ctx, agentSelect+`
		WHERE (? = '' OR a.assessment_id = ?) AND (? = 0 OR a.revoked_at IS NULL)
		ORDER BY a.hostname, a.id`, f.AssessmentID, f.AssessmentID, f.ExcludeRevoked)
	if err != nil {
		return nil, s.wrap("list agents", err)
	}
	defer rows.Close()
	var out []store.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, s.wrap("list agents", err)
		}
		out = append(out, a)
	}
	return out, s.wrap("list agents", rows.Err())
}

// RevokeAgent implements store.Agents.
func (s *Store) RevokeAgent(ctx context.Context, id identity.AgentID, reason string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `
		UPDATE agents SET revoked_at = COALESCE(revoked_at, ?),
			revoke_reason = CASE WHEN revoked_at IS NULL THEN ? ELSE revoke_reason END
		WHERE id = ?`, micros(store.Instant(at)), reason, id.String())
	return s.affected(res, err, fmt.Sprintf("revoke agent %s", id), fmt.Errorf("revoke agent %s: %w: check the ID with 'ceplus-collector agents list'", id, store.ErrNotFound))
}

// TouchAgent implements store.Agents.
func (s *Store) TouchAgent(ctx context.Context, id identity.AgentID, at time.Time) error {
	t := micros(store.Instant(at))
	res, err := s.w.ExecContext(ctx, `UPDATE agents SET last_seen = MAX(COALESCE(last_seen, ?), ?) WHERE id = ?`, t, t, id.String())
	return s.affected(res, err, fmt.Sprintf("touch agent %s", id), fmt.Errorf("touch agent %s: %w", id, store.ErrNotFound))
}

// IsRevoked implements store.Agents.
func (s *Store) IsRevoked(ctx context.Context, id identity.AgentID) (bool, error) {
	var revoked sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT revoked_at FROM agents WHERE id = ?`, id.String()).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("agent %s: %w: it was never enrolled with this collector", id, store.ErrNotFound)
	}
	if err != nil {
		return false, s.wrap(fmt.Sprintf("check revocation of agent %s", id), err)
	}
	return revoked.Valid, nil
}

// affected turns an UPDATE that matched no row into notFound.
func (s *Store) affected(res sql.Result, err error, op string, notFound error) error {
	if err != nil {
		return s.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.wrap(op, err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}
