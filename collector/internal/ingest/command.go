package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// ScanNow asks a connected agent to inventory now and waits until it reports back; by then the
// fresh inventory is committed (the agent answers after its upload was acknowledged). When ctx
// ends first, the agent is told to cancel. ErrNotConnected when the agent has no connection.
func (s *Server) ScanNow(ctx context.Context, id identity.AgentID) (*wire.CommandResult, error) {
	c := s.lookup(id)
	if c == nil {
		return nil, fmt.Errorf("scan now: agent %s: %w; check 'ceplus-collector agents list' for its last_seen", id.Short(), ErrNotConnected)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("scan now: request id: %w", err)
	}
	reqID := hex.EncodeToString(b[:])
	str, err := c.conn.OpenStreamSync(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan now: open a stream to %s: %s", c, wire.Explain(err))
	}
	if err := wire.WriteFrame(str, &wire.Command{RequestID: reqID, Kind: wire.ScanNow}); err != nil {
		resetStream(str, wire.CodeInternal)
		return nil, fmt.Errorf("scan now: %s: %w", c, err)
	}
	s.Log.Info("scan requested", "agent", id, "request", reqID)
	stop := context.AfterFunc(ctx, func() {
		// Best effort: tell the agent to give up, then abandon the stream.
		_ = wire.WriteFrame(str, &wire.Command{RequestID: reqID, Kind: wire.Cancel})
		_ = str.Close()
		str.CancelRead(wire.CodeCancelled.Stream())
	})
	defer stop()
	m, err := wire.ReadFrame(str, s.limits().MaxFrame)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("scan now: %s: %w (the agent was told to cancel)", c, ctx.Err())
		}
		resetStream(str, wire.CodeOf(err))
		return nil, fmt.Errorf("scan now: %s: %s", c, wire.Explain(err))
	}
	_ = str.Close()
	res, ok := m.(*wire.CommandResult)
	if !ok || res.RequestID != reqID {
		resetStream(str, wire.CodeProtocol)
		return nil, fmt.Errorf("scan now: %s answered with %T for request %q", c, m, reqID)
	}
	s.Log.Info("scan finished", "agent", id, "request", reqID, "ok", res.OK, "upload", res.UploadID.String(), "err", res.Error)
	return res, nil
}
