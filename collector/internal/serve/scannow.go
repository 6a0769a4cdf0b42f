package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ceplus/ceplus/collector/internal/ingest"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// Channels of the replicas' "scan now" relay (store.Notifier).
const (
	scanRequests = "scan_request"
	scanReplies  = "scan_reply"
)

// relayAccept is how long a replica waits for the one that holds the agent's connection to
// take a relayed "scan now"; then the agent counts as connected to none.
const relayAccept = 3 * time.Second

// relayScanTimeout bounds a relayed scan on the replica that runs it (the asking replica's
// context ends it sooner with a cancel message).
const relayScanTimeout = 5 * time.Minute

// scanMsg is one message of the relay.
type scanMsg struct {
	Kind        string `json:"kind"` // request, cancel (scan_request); accepted, result (scan_reply)
	Req         string `json:"req"`
	Agent       string `json:"agent,omitempty"`
	OK          bool   `json:"ok,omitempty"`
	Error       string `json:"error,omitempty"`
	UploadID    string `json:"upload_id,omitempty"`
	ContentHash string `json:"content_hash,omitempty"`
}

// relay forwards "scan now" between collectors sharing a store: a replica asked to scan an
// agent connected to another publishes the request, the replica holding the connection accepts
// it, runs the scan and publishes the result.
type relay struct {
	n      store.Notifier
	ingest *ingest.Server
	log    *slog.Logger

	mu      sync.Mutex
	waiters map[string]chan scanMsg
	running map[string]context.CancelFunc
}

// startRelay listens to the relay's channels until ctx ends; nil when the store is not shared.
func (c *Collector) startRelay(ctx context.Context) (*relay, error) {
	n, ok := c.store.(store.Notifier)
	if !ok {
		return nil, nil
	}
	r := &relay{n: n, ingest: c.ingest, log: c.log, waiters: map[string]chan scanMsg{}, running: map[string]context.CancelFunc{}}
	reqs, err := n.Listen(ctx, scanRequests)
	if err != nil {
		return nil, fmt.Errorf("listen for relayed scan requests: %w", err)
	}
	replies, err := n.Listen(ctx, scanReplies)
	if err != nil {
		return nil, fmt.Errorf("listen for relayed scan replies: %w", err)
	}
	go func() {
		for b := range reqs {
			r.request(ctx, b)
		}
	}()
	go func() {
		for b := range replies {
			var m scanMsg
			if err := json.Unmarshal(b, &m); err != nil {
				r.log.Warn("relayed scan reply unreadable; ignored", "err", err)
				continue
			}
			r.mu.Lock()
			ch := r.waiters[m.Req]
			r.mu.Unlock()
			if ch != nil {
				select {
				case ch <- m:
				default:
				}
			}
		}
	}()
	return r, nil
}

// scanNow asks an agent to inventory now: through this collector's connection to it, else
// through the replica that holds it.
func (c *Collector) scanNow(ctx context.Context, id identity.AgentID) (*wire.CommandResult, error) {
	if c.relay == nil || c.ingest.IsConnected(id) {
		return c.ingest.ScanNow(ctx, id)
	}
	return c.relay.forward(ctx, id)
}

func (r *relay) send(ctx context.Context, channel string, m scanMsg) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode relayed scan message: %w", err)
	}
	return r.n.Notify(ctx, channel, b)
}

// forward publishes a scan request and waits for the replica holding the agent.
func (r *relay) forward(ctx context.Context, id identity.AgentID) (*wire.CommandResult, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("scan now: request id: %w", err)
	}
	req := "relay-" + hex.EncodeToString(b[:])
	ch := make(chan scanMsg, 4)
	r.mu.Lock()
	r.waiters[req] = ch
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.waiters, req)
		r.mu.Unlock()
	}()
	if err := r.send(ctx, scanRequests, scanMsg{Kind: "request", Req: req, Agent: id.String()}); err != nil {
		return nil, fmt.Errorf("scan now: relay to the other collectors: %w", err)
	}
	accept := time.NewTimer(relayAccept)
	defer accept.Stop()
	accepted := false
	for {
		select {
		case m := <-ch:
			switch m.Kind {
			case "accepted":
				accepted = true
			case "result":
				res := &wire.CommandResult{RequestID: req, OK: m.OK, Error: m.Error, ContentHash: m.ContentHash}
				if m.UploadID != "" {
					u, err := wire.ParseUploadID(m.UploadID)
					if err != nil {
						return nil, fmt.Errorf("scan now: relayed result: %w", err)
					}
					res.UploadID = u
				}
				return res, nil
			}
		case <-accept.C:
			if !accepted {
				return nil, fmt.Errorf("scan now: agent %s: %w to this collector nor to any other sharing its store; check 'ceplus-collector agents list' for its last_seen", id.Short(), ingest.ErrNotConnected)
			}
		case <-ctx.Done():
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := r.send(cctx, scanRequests, scanMsg{Kind: "cancel", Req: req}); err != nil {
				r.log.Warn("could not relay the cancellation of a scan", "request", req, "err", err)
			}
			return nil, fmt.Errorf("scan now: agent %s (relayed): %w (the agent was told to cancel)", id.Short(), ctx.Err())
		}
	}
}

// request handles a relayed request: runs the scan when the agent is connected here.
func (r *relay) request(ctx context.Context, b []byte) {
	var m scanMsg
	if err := json.Unmarshal(b, &m); err != nil {
		r.log.Warn("relayed scan request unreadable; ignored", "err", err)
		return
	}
	if m.Kind == "cancel" {
		r.mu.Lock()
		cancel := r.running[m.Req]
		r.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		return
	}
	id, err := identity.ParseAgentID(m.Agent)
	if m.Kind != "request" || err != nil || !r.ingest.IsConnected(id) {
		return
	}
	if err := r.send(ctx, scanReplies, scanMsg{Kind: "accepted", Req: m.Req}); err != nil {
		r.log.Warn("could not accept a relayed scan", "request", m.Req, "err", err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, relayScanTimeout)
	r.mu.Lock()
	r.running[m.Req] = cancel
	r.mu.Unlock()
	go func() {
		defer func() {
			cancel()
			r.mu.Lock()
			delete(r.running, m.Req)
			r.mu.Unlock()
		}()
		r.log.Info("running a scan relayed by another collector", "agent", id, "request", m.Req)
		reply := scanMsg{Kind: "result", Req: m.Req}
		res, err := r.ingest.ScanNow(sctx, id)
		switch {
		case err != nil:
			reply.Error = err.Error()
		default:
			reply.OK, reply.Error, reply.ContentHash = res.OK, res.Error, res.ContentHash
			if !res.UploadID.IsZero() {
				reply.UploadID = res.UploadID.String()
			}
		}
		if err := r.send(ctx, scanReplies, reply); err != nil {
			r.log.Warn("could not relay a scan result", "request", m.Req, "err", err)
		}
	}()
}
