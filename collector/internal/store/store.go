package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/ceplus/ceplus/shared/identity"
)

// Store is the whole of the collector's persistent state. Implementations are safe for
// concurrent use by many goroutines and, for PostgreSQL, by many collector processes.
type Store interface {
	Agents
	Tokens
	Inventories
	Events
	Headers
	Erasures
	Meta
	// Location names where the data lives, for logs and messages: the SQLite file, or the
	// PostgreSQL host, database and schema (never a password).
	Location() string
	// Close releases the database. Calls after Close fail.
	Close() error
}

// Agents keeps the enrolled agents.
type Agents interface {
	// PutAgent records an agent. For an ID already known it updates only the facts an agent
	// reports about itself (hostname, build, OS, machine id) and fills the assessment and scope
	// entry when a.AssessmentID / a.ScopeEntry are set; the certificate, enrolment time and
	// revocation never change.
	PutAgent(ctx context.Context, a Agent) error
	// GetAgent returns one agent with its latest inventory, or ErrNotFound.
	GetAgent(ctx context.Context, id identity.AgentID) (Agent, error)
	// ListAgents returns the agents matching f, ordered by hostname then ID, each with its
	// latest inventory.
	ListAgents(ctx context.Context, f AgentFilter) ([]Agent, error)
	// RevokeAgent marks an agent revoked at `at` for reason. Revoking a revoked agent changes
	// nothing and succeeds. An unknown ID gives ErrNotFound.
	RevokeAgent(ctx context.Context, id identity.AgentID, reason string, at time.Time) error
	// TouchAgent records that the agent was seen at `at` (last_seen never moves backwards).
	TouchAgent(ctx context.Context, id identity.AgentID, at time.Time) error
	// IsRevoked is the fast path for the TLS handshake: whether the agent is revoked, or
	// ErrNotFound when the collector never enrolled it.
	IsRevoked(ctx context.Context, id identity.AgentID) (bool, error)
}

// Tokens keeps enrolment and API tokens, by the SHA-256 of their secret (HashToken).
type Tokens interface {
	// PutToken records a new token; ErrExists when its hash is already known. Uses 0 means
	// single use; Unlimited means any number of uses.
	PutToken(ctx context.Context, t Token) error
	// GetToken returns a token by hash without using it, or ErrTokenUnknown.
	GetToken(ctx context.Context, hash string) (Token, error)
	// ListTokens returns every token, newest first.
	ListTokens(ctx context.Context) ([]Token, error)
	// ConsumeToken uses the token once at `at`, atomically: of two concurrent callers holding
	// the last use, exactly one succeeds. It fails with ErrTokenUnknown, ErrTokenExpired,
	// ErrTokenExhausted or ErrTokenRevoked. Unlimited tokens are checked without a write.
	ConsumeToken(ctx context.Context, hash string, at time.Time) (Token, error)
	// RevokeToken makes a token unusable from `at` on (idempotent); ErrTokenUnknown if unknown.
	RevokeToken(ctx context.Context, hash string, at time.Time) error
}

// Inventories keeps inventory documents once per content hash, and the log of uploads that
// refer to them.
type Inventories interface {
	// PutInventory durably records an upload received at `at` before it returns. When the agent
	// already committed u.UploadID it stores nothing and returns dup=true (ErrUploadConflict if
	// that earlier upload had another content hash). The document is stored once per
	// u.ContentHash, whichever agents send it. ErrNotFound when the agent is unknown.
	PutInventory(ctx context.Context, u Upload, at time.Time) (dup bool, err error)
	// GetInventory returns the document stored for a content hash, or ErrNotFound.
	GetInventory(ctx context.Context, contentHash string) (Document, error)
	// LatestInventory returns the agent's most recently collected upload, or ErrNotFound when
	// it has none.
	LatestInventory(ctx context.Context, id identity.AgentID) (UploadSummary, error)
	// InventoryHistory returns the agent's uploads, most recently collected first, at most
	// limit of them (limit <= 0: all).
	InventoryHistory(ctx context.Context, id identity.AgentID, limit int) ([]UploadSummary, error)
}

// Events keeps append-only, hash-chained event streams. There is no way to change or remove an
// event through the store; VerifyChain detects it when the database is edited behind its back.
type Events interface {
	// AppendEvent appends one event to a stream (created by its first event) and returns it with
	// its seq, prev_hash and hash (EventHash). payload must be valid JSON and is kept byte for
	// byte. Concurrent appends to one stream are serialised without gaps.
	AppendEvent(ctx context.Context, stream, kind string, payload json.RawMessage, at time.Time) (Event, error)
	// ListEvents returns the events of a stream with seq > afterSeq, in order (afterSeq 0: all).
	// An unknown stream has no events.
	ListEvents(ctx context.Context, stream string, afterSeq int64) ([]Event, error)
	// VerifyChain re-computes the stream's chain and returns a *ChainError (errors.Is
	// ErrChainBroken) naming the first broken seq, or nil when every event is intact.
	VerifyChain(ctx context.Context, stream string) error
}

// Headers keeps the header rows of assessments and register records; their state lives in the
// event stream of the same ID.
type Headers interface {
	// CreateHeader records a new header; ErrExists when the ID is taken.
	CreateHeader(ctx context.Context, h Header) error
	// GetHeader returns a header by ID, or ErrNotFound.
	GetHeader(ctx context.Context, id string) (Header, error)
	// ListHeaders returns the headers of one kind (every kind when kind is ""), oldest first.
	ListHeaders(ctx context.Context, kind string) ([]Header, error)
}

// Meta is a small key/value table for collector metadata, such as the CA fingerprint.
type Meta interface {
	// GetMeta returns the value of key, or ErrNotFound.
	GetMeta(ctx context.Context, key string) ([]byte, error)
	// SetMeta stores value under key, replacing any earlier value.
	SetMeta(ctx context.Context, key string, value []byte) error
	// InitMeta stores value under key unless the key is already set, and returns the value that
	// is stored afterwards: of several replicas starting at once, all end up with the first one's.
	InitMeta(ctx context.Context, key string, value []byte) ([]byte, error)
}

// Instant returns t as the store keeps it: in UTC, truncated to the microsecond.
func Instant(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
