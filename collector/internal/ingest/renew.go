package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// renew answers a RenewRequest: a certificate for the agent's new key, recorded as a new agent
// that carries the old one's facts. The old certificate is retired when the new one connects.
func (s *Server) renew(ctx context.Context, c *agentConn, str *quic.Stream, req *wire.RenewRequest) error {
	if s.Renew == nil {
		return &wire.Error{Code: wire.CodeInternal, Message: "this collector does not renew certificates"}
	}
	cert, err := s.Renew(ctx, c.id, req.CSR)
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	if err != nil {
		return s.internal(fmt.Errorf("renew the certificate of agent %s: %w", c.id, err))
	}
	newID := identity.AgentIDFromCert(cert)
	if err := s.Store.SetMeta(ctx, renewalKey(newID), []byte(c.id.String())); err != nil {
		return s.internal(err)
	}
	s.Log.Info("certificate renewed", "agent", c.id, "new_agent", newID)
	return wire.WriteFrame(str, &wire.RenewResponse{Cert: cert, AgentID: newID.String()})
}
