package ingest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// ErrNotScanner: the agent is connected but did not announce wire.CapabilityDiscovery.
var ErrNotScanner = errors.New("agent does not run discovery jobs")

// Discover sends a discovery job to a connected agent that announced wire.CapabilityDiscovery
// and waits for its answer on the command's stream: progress is called for every JobProgress;
// the result (a discovery.Result as JSON, decompressed and checked against its SHA-256) is
// returned with the agent's CommandResult. A refused or failed job gives a result with OK
// false and Error set, and raw nil when the agent sent no result. When ctx ends first, the
// agent is told to cancel. The caller checks the job against the assessor's allow-list before;
// a job without allowed prefixes is refused here too.
func (s *Server) Discover(ctx context.Context, id identity.AgentID, job wire.DiscoveryJob, progress func(wire.JobProgress)) (raw []byte, res *wire.CommandResult, err error) {
	c := s.lookup(id)
	switch {
	case c == nil:
		return nil, nil, fmt.Errorf("discover: agent %s: %w; check 'ceplus-collector agents list' for its last_seen", id.Short(), ErrNotConnected)
	case !c.scanner:
		return nil, nil, fmt.Errorf("discover: %s: %w: its operator restarts it with 'ceplus-agent run --discovery'", c, ErrNotScanner)
	case len(job.AllowedPrefixes) == 0:
		return nil, nil, errors.New("discover: the job has no allow-list: refusing to send it")
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, nil, fmt.Errorf("discover: request id: %w", err)
	}
	reqID := "disc-" + hex.EncodeToString(b[:])
	str, err := c.conn.OpenStreamSync(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("discover: open a stream to %s: %s", c, wire.Explain(err))
	}
	if err := wire.WriteFrame(str, &wire.Command{RequestID: reqID, Kind: wire.Discover, Discovery: &job}); err != nil {
		resetStream(str, wire.CodeInternal)
		return nil, nil, fmt.Errorf("discover: %s: %w", c, err)
	}
	s.Log.Info("discovery requested", "agent", id, "request", reqID, "targets", job.Targets, "allowed", job.AllowedPrefixes)
	stop := context.AfterFunc(ctx, func() {
		_ = wire.WriteFrame(str, &wire.Command{RequestID: reqID, Kind: wire.Cancel})
		_ = str.Close()
		str.CancelRead(wire.CodeCancelled.Stream())
	})
	defer stop()
	lim := s.limits()
	var asm *wire.Assembler
	var up *wire.Upload
	for {
		m, err := wire.ReadFrame(str, lim.MaxFrame)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, fmt.Errorf("discover: %s: %w (the agent was told to cancel)", c, ctx.Err())
			}
			resetStream(str, wire.CodeOf(err))
			return nil, nil, fmt.Errorf("discover: %s: %s", c, wire.Explain(err))
		}
		switch m := m.(type) {
		case *wire.JobProgress:
			if progress != nil && m.RequestID == reqID {
				progress(*m)
			}
		case *wire.UploadChunk:
			if asm == nil {
				if m.Payload != wire.PayloadDiscovery || m.RequestID != reqID {
					resetStream(str, wire.CodeProtocol)
					return nil, nil, fmt.Errorf("discover: %s sent a %s upload for request %q inside discovery %s", c, m.Payload, m.RequestID, reqID)
				}
				asm = wire.NewAssembler(lim)
			}
			done, err := asm.Add(m)
			if err != nil {
				resetStream(str, wire.CodeOf(err))
				return nil, nil, fmt.Errorf("discover: %s: %w", c, err)
			}
			if done {
				up = asm.Upload()
			}
		case *wire.CommandResult:
			_ = str.Close()
			if m.RequestID != reqID {
				return nil, nil, fmt.Errorf("discover: %s answered request %q, want %q", c, m.RequestID, reqID)
			}
			raw, err := discoveryBody(up, m, lim)
			if err != nil {
				return nil, nil, fmt.Errorf("discover: %s: %w", c, err)
			}
			s.Log.Info("discovery finished", "agent", id, "request", reqID, "ok", m.OK, "result", m.ContentHash, "bytes", len(raw), "err", m.Error)
			return raw, m, nil
		default:
			resetStream(str, wire.CodeProtocol)
			return nil, nil, fmt.Errorf("discover: %s sent %T on the command stream", c, m)
		}
	}
}

// discoveryBody decompresses the result upload and checks that it is the one the agent's
// CommandResult names; nil when the agent sent none.
func discoveryBody(up *wire.Upload, res *wire.CommandResult, lim wire.Limits) ([]byte, error) {
	if up == nil {
		if res.ContentHash != "" {
			return nil, fmt.Errorf("the agent reported result %s but its upload was incomplete", res.ContentHash)
		}
		return nil, nil
	}
	raw, err := wire.Decompress(up.Codec, up.Body, lim.MaxInventory)
	if err != nil {
		return nil, fmt.Errorf("discovery result: %w", err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != up.ContentHash || got != res.ContentHash {
		return nil, fmt.Errorf("discovery result hashes to %s, the agent announced %s and reported %s", got, up.ContentHash, res.ContentHash)
	}
	return raw, nil
}
