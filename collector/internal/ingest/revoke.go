package ingest

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// RevocationsKey is the store meta key that Revoke changes on every revocation, so that every
// collector serving the same store notices and closes the revoked agents' live connections.
const RevocationsKey = "ingest.revocations"

// RevokeStore is what Revoke needs of the store.
type RevokeStore interface {
	RevokeAgent(ctx context.Context, id identity.AgentID, reason string, at time.Time) error
	SetMeta(ctx context.Context, key string, value []byte) error
}

// Revoke revokes an agent at `at` and signals the serving collectors. New handshakes of the
// agent fail from the commit on; live connections close within the watch interval.
func Revoke(ctx context.Context, st RevokeStore, id identity.AgentID, reason string, at time.Time) error {
	if err := st.RevokeAgent(ctx, id, reason, at); err != nil {
		return err
	}
	if err := st.SetMeta(ctx, RevocationsKey, []byte(at.UTC().Format(time.RFC3339Nano)+" "+id.String())); err != nil {
		return fmt.Errorf("agent %s is revoked, but signalling the running collector failed (its live connection closes at its next reconnect): %w", id, err)
	}
	return nil
}

// WatchRevocations polls the store every interval until ctx ends; when a revocation happened,
// it closes the live connections of every revoked agent with wire.CodeRevoked.
func (s *Server) WatchRevocations(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	last, _ := s.Store.GetMeta(ctx, RevocationsKey) // ErrNotFound until the first revocation
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur, err := s.Store.GetMeta(ctx, RevocationsKey)
		if err != nil || bytes.Equal(cur, last) {
			continue
		}
		last = cur
		s.CloseRevoked(ctx)
	}
}

// CloseRevoked closes the live connections of agents that are revoked now.
func (s *Server) CloseRevoked(ctx context.Context) {
	for _, id := range s.Connected() {
		revoked, err := s.Store.IsRevoked(ctx, id)
		if err != nil {
			s.Log.Warn("check revocation", "agent", id, "err", err)
			continue
		}
		if revoked && s.Disconnect(id, wire.CodeRevoked, "agent revoked: enrol it again with a new token") {
			s.Log.Warn("closed the live connection of a revoked agent", "agent", id)
		}
	}
}

// renewalKey is the meta key that remembers which agent a renewed certificate replaced.
func renewalKey(id identity.AgentID) string { return "ingest.renewed." + id.String() }

// retire revokes the agent that id's certificate replaced, once id has connected with it.
func (s *Server) retire(ctx context.Context, id identity.AgentID, claimed string) {
	old, err := s.Store.GetMeta(ctx, renewalKey(id))
	if err != nil || string(old) != claimed {
		s.Log.Warn("agent claims to replace another, but the collector issued no such renewal", "agent", id, "claimed", claimed)
		return
	}
	oldID, err := identity.ParseAgentID(claimed)
	if err != nil {
		return
	}
	if err := Revoke(ctx, s.Store, oldID, "renewed: superseded by "+id.String(), s.now()); err != nil {
		s.Log.Warn("retire the renewed certificate", "agent", oldID, "err", err)
	}
}
