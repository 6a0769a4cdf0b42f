package serve

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/pki"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// enrolMaxFrame bounds an enrolment request: a token, a CSR and a hostname.
const enrolMaxFrame = 64 << 10

// enrol serves one enrolment connection: one EnrolRequest, answered by an EnrolResponse or an
// Error. The client closes the connection once it has the answer.
func (c *Collector) enrol(ctx context.Context, conn *quic.Conn) {
	remote := conn.RemoteAddr().String()
	sctx, cancel := context.WithTimeout(ctx, wire.HandshakeTimeout)
	str, err := conn.AcceptStream(sctx)
	cancel()
	if err != nil {
		_ = conn.CloseWithError(wire.CodeProtocol.App(), "no enrolment request")
		return
	}
	_ = str.SetReadDeadline(time.Now().Add(wire.HandshakeTimeout))
	m, err := wire.ReadFrame(str, enrolMaxFrame)
	if err != nil {
		c.log.Warn("REJECT enrolment: bad frame", "remote", remote, "err", err)
		str.CancelRead(wire.CodeOf(err).Stream())
		str.CancelWrite(wire.CodeOf(err).Stream())
		return
	}
	req, ok := m.(*wire.EnrolRequest)
	if !ok {
		c.log.Warn("REJECT enrolment: unexpected message", "remote", remote, "type", fmt.Sprintf("%T", m))
		str.CancelRead(wire.CodeProtocol.Stream())
		str.CancelWrite(wire.CodeProtocol.Stream())
		return
	}
	var reply wire.Message
	resp, err := c.enrolAgent(ctx, req)
	var we *wire.Error
	switch {
	case err == nil:
		reply = resp
		c.log.Info("agent enrolled", "agent", resp.AgentID[:12], "hostname", req.Hostname, "remote", remote)
	case errors.As(err, &we):
		reply = we
		c.log.Warn("REJECT enrolment", "remote", remote, "hostname", req.Hostname, "code", we.Code, "err", we.Message)
	default:
		reply = &wire.Error{Code: wire.CodeInternal, Message: "the collector could not record the enrolment; try again"}
		c.log.Error("enrolment failed", "remote", remote, "err", err)
	}
	if err := wire.WriteFrame(str, reply); err != nil {
		c.log.Warn("send enrolment answer", "remote", remote, "err", err)
	}
	_ = str.Close()
	// The agent closes the connection once it has read the answer; wait for it, a while.
	select {
	case <-conn.Context().Done():
	case <-time.After(wire.HandshakeTimeout):
		_ = conn.CloseWithError(0, "")
	case <-ctx.Done():
	}
}

// enrolAgent checks the token, signs the CSR, spends one use of the token and records the agent.
func (c *Collector) enrolAgent(ctx context.Context, req *wire.EnrolRequest) (*wire.EnrolResponse, error) {
	now := c.now()
	hash := store.HashToken(req.Token)
	tok, err := c.store.GetToken(ctx, hash)
	if err == nil && tok.Role != store.RoleEnrol {
		err = store.ErrTokenUnknown // an API token is no enrolment token
	}
	if err == nil {
		err = tok.Check(now)
	}
	if err != nil {
		return nil, tokenError(err)
	}
	cert, err := c.ca.SignAgent(req.CSR, req.Hostname, now, pki.AgentCertValidity)
	if err != nil {
		return nil, &wire.Error{Code: wire.CodeBadCSR, Message: fmt.Sprintf("certificate request refused: %v", err)}
	}
	if tok, err = c.store.ConsumeToken(ctx, hash, now); err != nil {
		return nil, tokenError(err)
	}
	id := identity.AgentIDFromCert(cert)
	if err := c.store.PutAgent(ctx, store.Agent{ID: id, CertDER: cert, Hostname: req.Hostname, EnrolledAt: now,
		AssessmentID: tok.AssessmentID, ScopeEntry: tok.ScopeEntry}); err != nil {
		return nil, err
	}
	return &wire.EnrolResponse{Cert: cert, CA: c.ca.Cert.Raw, AgentID: id.String()}, nil
}

// tokenError turns a store token error into the refusal the agent shows.
func tokenError(err error) error {
	switch {
	case errors.Is(err, store.ErrTokenUnknown):
		return &wire.Error{Code: wire.CodeTokenUnknown, Message: "enrolment token unknown to this collector: check it was copied whole, or create one with 'ceplus-collector token create'"}
	case errors.Is(err, store.ErrTokenExpired):
		return &wire.Error{Code: wire.CodeTokenExpired, Message: "enrolment token expired: create a new one with 'ceplus-collector token create'"}
	case errors.Is(err, store.ErrTokenExhausted):
		return &wire.Error{Code: wire.CodeTokenUsed, Message: "enrolment token already used (tokens are single-use unless created with --uses N): create a new one"}
	case errors.Is(err, store.ErrTokenRevoked):
		return &wire.Error{Code: wire.CodeTokenRevoked, Message: "enrolment token revoked: create a new one"}
	}
	return err
}

// renew signs a renewal CSR of a connected agent and records the new certificate as an agent
// with the old one's facts (ingest.Renewer).
func (c *Collector) renew(ctx context.Context, id identity.AgentID, csr []byte) ([]byte, error) {
	old, err := c.store.GetAgent(ctx, id)
	if err != nil {
		return nil, err
	}
	now := c.now()
	cert, err := c.ca.SignAgent(csr, old.Hostname, now, pki.AgentCertValidity)
	if err != nil {
		return nil, &wire.Error{Code: wire.CodeBadCSR, Message: fmt.Sprintf("renewal request refused: %v", err)}
	}
	n := store.Agent{ID: identity.AgentIDFromCert(cert), CertDER: cert, Hostname: old.Hostname, Build: old.Build,
		OSFamily: old.OSFamily, OSVersion: old.OSVersion, MachineID: old.MachineID, EnrolledAt: now,
		AssessmentID: old.AssessmentID, ScopeEntry: old.ScopeEntry}
	if err := c.store.PutAgent(ctx, n); err != nil {
		return nil, err
	}
	return cert, nil
}
