package daemon

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/agent/internal/spool"
	"github.com/ceplus/ceplus/shared/atomicfile"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// Producer returns a fresh inventory of the endpoint.
type Producer func(ctx context.Context) (*inventory.Inventory, error)

// Dialer opens a QUIC connection; quic.DialAddr by default.
type Dialer func(ctx context.Context, addr string, tlsConf *tls.Config, conf *quic.Config) (*quic.Conn, error)

// Config configures the daemon. Zero values take the defaults named on each field.
type Config struct {
	Identity  *enrol.Identity
	Inventory Producer
	Log       *slog.Logger
	Now       func() time.Time // time.Now
	Version   string
	Hostname  string
	// Interval is the time between scheduled inventories (24h), jittered by ±10%.
	Interval time.Duration
	// Codec compresses uploads (gzip: the collector stores gzip as it arrives).
	Codec wire.Codec
	// SpoolItems and SpoolBytes bound the spool (100 uploads, 64 MiB).
	SpoolItems int
	SpoolBytes int64
	// BackoffMin and BackoffMax bound the reconnection delay (1 s, 5 min).
	BackoffMin, BackoffMax time.Duration
	Dial                   Dialer
	// Capabilities are announced in Hello beside the daemon's own (wire.CapabilityOnce for
	// `ceplus-agent once`).
	Capabilities []string
	// Discover runs the collector's discovery jobs (discover.go); nil: the agent does not
	// announce wire.CapabilityDiscovery and refuses them. DiscoveryAllow, when set, is the
	// operator's own bound on every job's allow-list.
	Discover       DiscoverFunc
	DiscoveryAllow []netip.Prefix
}

// Daemon is a running agent.
type Daemon struct {
	cfg   Config
	log   *slog.Logger
	spool *spool.Spool
	wake  chan struct{}
	scans chan scanRequest

	mu      sync.Mutex
	id      *enrol.Identity
	state   state
	waiters map[string]chan *wire.CommandResult
	policy  wire.Policy // the collector's, from the last Welcome
}

// state is what the agent remembers across restarts beside the spool.
type state struct {
	// LastAcked is the content hash of the last acknowledged inventory.
	LastAcked   string    `json:"last_acked_hash,omitempty"`
	LastAckedAt time.Time `json:"last_acked_at,omitzero"`
	// LastQueued is the content hash of the newest inventory put in the spool.
	LastQueued string `json:"last_queued_hash,omitempty"`
}

const stateFile = "state.json"

type scanRequest struct {
	ctx       context.Context
	requestID string
}

// New prepares a daemon: it opens the spool and reads the state in the identity's directory.
func New(cfg Config) (*Daemon, error) {
	if cfg.Identity == nil || cfg.Inventory == nil {
		return nil, errors.New("daemon: identity and inventory producer are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 24 * time.Hour
	}
	if !cfg.Codec.Valid() {
		cfg.Codec = wire.CodecGzip
	}
	if cfg.SpoolItems <= 0 {
		cfg.SpoolItems = 100
	}
	if cfg.SpoolBytes <= 0 {
		cfg.SpoolBytes = 64 << 20
	}
	if cfg.BackoffMin <= 0 {
		cfg.BackoffMin = time.Second
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 5 * time.Minute
	}
	if cfg.Dial == nil {
		cfg.Dial = quic.DialAddr
	}
	sp, err := spool.Open(filepath.Join(cfg.Identity.Dir, "spool"), cfg.SpoolItems, cfg.SpoolBytes, cfg.Log)
	if err != nil {
		return nil, err
	}
	d := &Daemon{cfg: cfg, log: cfg.Log, spool: sp, id: cfg.Identity, wake: make(chan struct{}, 1),
		scans: make(chan scanRequest), waiters: map[string]chan *wire.CommandResult{}}
	b, err := os.ReadFile(filepath.Join(cfg.Identity.Dir, stateFile))
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &d.state); err != nil {
			d.log.Warn("agent state unreadable; starting afresh (the next inventory is sent in full)", "file", stateFile, "err", err)
			d.state = state{}
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read agent state: %w", err)
	}
	return d, nil
}

// Run runs the daemon until ctx ends.
func (d *Daemon) Run(ctx context.Context) error {
	items, _, dropped := d.spool.Stats()
	d.log.Info("agent starting", "agent", d.identity().ID, "collector", d.identity().Collector, "spooled", items, "dropped_total", dropped)
	go d.scanner(ctx)
	d.connectLoop(ctx)
	return nil
}

func (d *Daemon) identity() *enrol.Identity {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.id
}

func (d *Daemon) saveState() error {
	d.mu.Lock()
	b, err := json.Marshal(d.state)
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("encode agent state: %w", err)
	}
	return atomicfile.Write(filepath.Join(d.identity().Dir, stateFile), b, 0o600)
}

func (d *Daemon) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// jitter returns d scaled by a random factor in [1-f, 1+f].
func jitter(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * (1 - f + 2*f*rand.Float64()))
}
