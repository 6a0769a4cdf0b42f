package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// Store is the part of the collector's store that ingest uses.
type Store interface {
	GetAgent(ctx context.Context, id identity.AgentID) (store.Agent, error)
	PutAgent(ctx context.Context, a store.Agent) error
	TouchAgent(ctx context.Context, id identity.AgentID, at time.Time) error
	IsRevoked(ctx context.Context, id identity.AgentID) (bool, error)
	RevokeAgent(ctx context.Context, id identity.AgentID, reason string, at time.Time) error
	PutInventory(ctx context.Context, u store.Upload, at time.Time) (dup bool, err error)
	GetInventory(ctx context.Context, contentHash string) (store.Document, error)
	GetMeta(ctx context.Context, key string) ([]byte, error)
	SetMeta(ctx context.Context, key string, value []byte) error
}

// Renewer issues a renewed certificate for an agent from a CSR; the collector's serve package
// provides it (it holds the CA).
type Renewer func(ctx context.Context, id identity.AgentID, csrDER []byte) (certDER []byte, err error)

// Linker links a committed upload of a `ceplus-agent once` to the scope entry it reports for
// (the agent's facts are recorded by then) and says how, or why it could not.
type Linker func(ctx context.Context, id identity.AgentID) *wire.ScopeLink

// Rate is a token bucket: Burst uploads at once, then one per Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// Server serves agent connections. Set the fields before the first Serve; a zero Limits,
// Rate or Heartbeat takes the default.
type Server struct {
	Store   Store
	Log     *slog.Logger
	Now     func() time.Time
	Version string
	Limits  wire.Limits
	// Rate limits uploads per agent (default 30 at once, then one every 6 s).
	Rate Rate
	// HeartbeatEvery is how often agents are asked to send a heartbeat (default 5 minutes).
	HeartbeatEvery time.Duration
	// Renew issues renewed certificates; nil refuses renewals.
	Renew Renewer
	// Link links an upload of an agent that announced wire.CapabilityOnce to its assessment's
	// scope entry before the Ack, which carries the answer; nil sends no link.
	Link Linker

	mu      sync.Mutex
	conns   map[identity.AgentID]*agentConn
	buckets map[identity.AgentID]*bucket

	slotsOnce sync.Once
	slots     chan struct{} // verification slots, see verify
}

// agentConn is one live, welcomed agent connection.
type agentConn struct {
	id       identity.AgentID
	conn     *quic.Conn
	hostname string
	since    time.Time
	once     bool // the agent announced wire.CapabilityOnce
	scanner  bool // the agent announced wire.CapabilityDiscovery

	mu    sync.Mutex
	facts *facts // the device facts last recorded, nil until the first upload
}

// ErrNotConnected: the agent has no live connection to this collector.
var ErrNotConnected = errors.New("agent not connected")

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) limits() wire.Limits {
	if s.Limits.MaxFrame == 0 {
		return wire.DefaultLimits
	}
	return s.Limits
}

func (s *Server) heartbeatEvery() time.Duration {
	if s.HeartbeatEvery <= 0 {
		return 5 * time.Minute
	}
	return s.HeartbeatEvery
}

// register records c as the agent's live connection and closes an older one of the same agent.
func (s *Server) register(c *agentConn) {
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[identity.AgentID]*agentConn{}
	}
	old := s.conns[c.id]
	s.conns[c.id] = c
	s.mu.Unlock()
	if old != nil {
		s.Log.Info("agent reconnected; closing its older connection", "agent", c.id, "remote", old.conn.RemoteAddr())
		_ = old.conn.CloseWithError(wire.CodeSuperseded.App(), "superseded by a newer connection of the same agent")
	}
}

// unregister forgets c unless a newer connection already replaced it.
func (s *Server) unregister(c *agentConn) {
	s.mu.Lock()
	if s.conns[c.id] == c {
		delete(s.conns, c.id)
	}
	s.mu.Unlock()
}

func (s *Server) lookup(id identity.AgentID) *agentConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[id]
}

// Connected returns the IDs of the agents connected now.
func (s *Server) Connected() []identity.AgentID {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]identity.AgentID, 0, len(s.conns))
	for id := range s.conns {
		ids = append(ids, id)
	}
	return ids
}

// IsConnected reports whether the agent has a live connection to this collector.
func (s *Server) IsConnected(id identity.AgentID) bool { return s.lookup(id) != nil }

// Disconnect closes the agent's live connection with code and message; it reports whether
// there was one.
func (s *Server) Disconnect(id identity.AgentID, code wire.Code, msg string) bool {
	c := s.lookup(id)
	if c == nil {
		return false
	}
	_ = c.conn.CloseWithError(code.App(), msg)
	return true
}

// CloseAll closes every live connection with code, for shutdown.
func (s *Server) CloseAll(code wire.Code, msg string) {
	for _, id := range s.Connected() {
		s.Disconnect(id, code, msg)
	}
}

// log returns base with the connection's agent and remote address, made when needed rather
// than kept with each of thousands of idle connections.
func (c *agentConn) log(base *slog.Logger) *slog.Logger {
	return base.With("agent", c.id, "remote", c.conn.RemoteAddr().String())
}

// String names an agent connection for errors.
func (c *agentConn) String() string {
	return fmt.Sprintf("agent %s (%s, %s)", c.id.Short(), c.hostname, c.conn.RemoteAddr())
}
