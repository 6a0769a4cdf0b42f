package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// Serve runs one agent connection until it ends. id is the agent the TLS handshake proved.
// The first stream must be the control stream opening with Hello; the connection is closed
// with a protocol error otherwise.
//
// An idle connection costs one goroutine here (waiting for the agent's next stream) besides
// quic-go's two. The setup (hello, welcome, the store's records, the revocation re-check)
// runs on a goroutine that ends with it: its SQLite calls grow a deep stack, which Go would
// otherwise keep with the waiting goroutine for the life of the connection (stacks shrink only
// at garbage collections, by halves).
func (s *Server) Serve(ctx context.Context, conn *quic.Conn, id identity.AgentID) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		c    *agentConn
		ctrl *quic.Stream
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		c, ctrl = s.open(ctx, conn, id)
	}()
	<-done
	if c == nil {
		return
	}
	defer s.unregister(c)
	// The control stream stays open, unread, for the life of the connection: the agent watches
	// it to learn that the collector went away. Heartbeats come on streams of their own, so
	// that an idle agent costs no goroutine beyond the one accepting its streams.
	defer ctrl.CancelRead(wire.CodeOK.Stream())
	for {
		str, err := conn.AcceptStream(ctx)
		if err != nil {
			c.log(s.Log).Info("agent disconnected", "err", wire.Explain(err))
			return
		}
		go s.stream(ctx, c, str)
	}
}

// open reads the agent's hello, records and registers the connection and welcomes the agent.
// It returns nil after closing the connection when any of that fails.
func (s *Server) open(ctx context.Context, conn *quic.Conn, id identity.AgentID) (*agentConn, *quic.Stream) {
	log := s.Log.With("agent", id, "remote", conn.RemoteAddr().String())
	hctx, hcancel := context.WithTimeout(ctx, wire.HandshakeTimeout)
	ctrl, err := conn.AcceptStream(hctx)
	hcancel()
	if err != nil {
		log.Info("agent connection ended before its hello", "err", wire.Explain(err))
		_ = conn.CloseWithError(wire.CodeProtocol.App(), "no control stream")
		return nil, nil
	}
	hello, err := s.readHello(ctrl)
	if err != nil {
		log.Warn("agent hello refused", "err", err)
		resetStream(ctrl, wire.CodeOf(err))
		_ = conn.CloseWithError(wire.CodeOf(err).App(), err.Error())
		return nil, nil
	}
	c := &agentConn{id: id, conn: conn, hostname: hello.Hostname, since: s.now(), once: slices.Contains(hello.Capabilities, wire.CapabilityOnce),
		scanner: slices.Contains(hello.Capabilities, wire.CapabilityDiscovery)}
	if err := s.welcome(ctx, c, hello, ctrl); err != nil {
		log.Error("welcome agent", "err", err)
		_ = conn.CloseWithError(wire.CodeInternal.App(), "collector could not record the connection")
		return nil, nil
	}
	s.register(c)
	// A revocation committed between the handshake and the registration found no connection
	// to close: check once more now that this one is registered.
	if revoked, err := s.Store.IsRevoked(ctx, id); err != nil || revoked {
		s.unregister(c)
		log.Warn("agent revoked while connecting; closing", "err", err)
		_ = conn.CloseWithError(wire.CodeRevoked.App(), "agent revoked: enrol it again with a new token")
		return nil, nil
	}
	log.Info("agent connected", "hostname", hello.Hostname, "agent_version", hello.AgentVersion,
		"clock_skew", hello.AgentTime.Sub(s.now()).Round(time.Millisecond))
	return c, ctrl
}

func (s *Server) readHello(ctrl *quic.Stream) (*wire.Hello, error) {
	_ = ctrl.SetReadDeadline(time.Now().Add(wire.HandshakeTimeout))
	m, err := wire.ReadFrame(ctrl, s.limits().MaxFrame)
	_ = ctrl.SetReadDeadline(time.Time{})
	if err != nil {
		return nil, fmt.Errorf("read hello: %w", err)
	}
	hello, ok := m.(*wire.Hello)
	if !ok {
		return nil, &wire.ProtocolError{Code: wire.CodeProtocol, Msg: fmt.Sprintf("control stream opened with %T, want Hello", m)}
	}
	if hello.ProtocolVersion != wire.ProtocolVersion {
		return nil, &wire.ProtocolError{Code: wire.CodeUnsupportedVersion,
			Msg: fmt.Sprintf("agent speaks protocol %d, this collector %d: upgrade the older side", hello.ProtocolVersion, wire.ProtocolVersion)}
	}
	return hello, nil
}

// welcome records the connection and answers the hello.
func (s *Server) welcome(ctx context.Context, c *agentConn, hello *wire.Hello, ctrl *quic.Stream) error {
	if err := s.Store.TouchAgent(ctx, c.id, s.now()); err != nil {
		return err
	}
	if hello.RenewedFrom != "" {
		s.retire(ctx, c.id, hello.RenewedFrom)
	}
	lim := s.limits()
	return wire.WriteFrame(ctrl, &wire.Welcome{
		ProtocolVersion: wire.ProtocolVersion, CollectorVersion: s.Version, ServerTime: s.now(), AgentID: c.id.String(),
		Policy: wire.Policy{MaxChunkBytes: lim.MaxChunkData, MaxInventoryBytes: lim.MaxInventory, MaxChunks: lim.MaxChunks,
			Codecs: []wire.Codec{wire.CodecGzip, wire.CodecZstd}, HeartbeatInterval: s.heartbeatEvery()},
	})
}

// heartbeat records a heartbeat stream.
func (s *Server) heartbeat(ctx context.Context, c *agentConn, hb *wire.Heartbeat, log *slog.Logger) error {
	if hb.SpoolDropped > 0 {
		log.Warn("agent spool dropped inventories", "dropped", hb.SpoolDropped, "queued", hb.SpoolItems)
	}
	if err := s.Store.TouchAgent(ctx, c.id, s.now()); err != nil {
		return s.internal(fmt.Errorf("record the heartbeat of agent %s: %w", c.id, err))
	}
	return nil
}

// stream serves one agent-initiated stream: an upload, a renewal or a heartbeat.
func (s *Server) stream(ctx context.Context, c *agentConn, str *quic.Stream) {
	log := c.log(s.Log)
	m, err := wire.ReadFrame(str, s.limits().MaxFrame)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			log.Warn("bad frame; resetting the stream", "err", err)
		}
		resetStream(str, wire.CodeOf(err))
		return
	}
	switch m := m.(type) {
	case *wire.UploadChunk:
		err = s.upload(ctx, c, str, m)
	case *wire.RenewRequest:
		err = s.renew(ctx, c, str, m)
	case *wire.Heartbeat:
		err = s.heartbeat(ctx, c, m, log)
	default:
		err = &wire.ProtocolError{Code: wire.CodeProtocol, Msg: fmt.Sprintf("stream opened with %T", m)}
	}
	var pe *wire.ProtocolError
	var we *wire.Error
	switch {
	case err == nil:
		_ = str.Close()
	case errors.As(err, &pe):
		log.Warn("protocol violation; resetting the stream", "err", err)
		resetStream(str, pe.Code)
	case errors.As(err, &we):
		log.Info("request refused", "code", we.Code, "err", we.Message)
		if werr := wire.WriteFrame(str, we); werr != nil {
			resetStream(str, we.Code)
			return
		}
		str.CancelRead(we.Code.Stream())
		_ = str.Close()
	default:
		log.Warn("stream failed", "err", wire.Explain(err))
		resetStream(str, wire.CodeOf(err))
	}
}

// resetStream aborts both directions of a stream with code.
func resetStream(str *quic.Stream, code wire.Code) {
	str.CancelRead(code.Stream())
	str.CancelWrite(code.Stream())
}
