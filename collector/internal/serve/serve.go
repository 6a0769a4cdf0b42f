package serve

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/ingest"
	"github.com/ceplus/ceplus/collector/internal/pki"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/atomicfile"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// Files the collector writes into its data directory.
const (
	FingerprintFile = "ca.sha256"      // the CA fingerprint agents pin, one line
	ResetKeyFile    = "quic-reset.key" // the persistent QUIC stateless-reset key
	AgentsAddrFile  = "agents.addr"    // the address the QUIC listener is bound to
	APIAddrFile     = "api.addr"       // the address the HTTP API listener is bound to
)

// Config configures a collector. Store must be open; the caller closes it after Run returns.
type Config struct {
	DataDir      string
	ListenAgents string
	ListenAPI    string
	Store        store.Store
	Log          *slog.Logger
	Now          func() time.Time
	Version      string
	// Limits, Rate and Heartbeat tune ingest (zero values take its defaults).
	Limits    wire.Limits
	Rate      ingest.Rate
	Heartbeat time.Duration
	// RevocationPoll is how often the store is polled for revocations (default 2 s).
	RevocationPoll time.Duration
	// Pprof serves net/http/pprof under /debug/pprof/ on the API listener (loopback by default).
	Pprof bool
	// MaxStreams is how many concurrent streams an agent may open (default 16).
	MaxStreams int64
	// SharedCA keeps the CA in the store's meta table (MetaCAKey) instead of the data directory:
	// for collectors sharing one PostgreSQL store, so that they all have the same CA.
	SharedCA bool
}

// Collector is a running collector.
type Collector struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	store  store.Store
	ca     *pki.CA
	certs  *certs
	ingest *ingest.Server
	assess *assess.Service
	relay  *relay // nil unless the store is shared (store.Notifier)
}

// Run starts the collector, prints the CA fingerprint and the listening addresses to out, and
// serves until ctx ends; then it closes every agent connection with wire.CodeShutdown.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	c, err := newCollector(ctx, cfg)
	if err != nil {
		return err
	}
	udp, err := listenUDP(cfg.ListenAgents)
	if err != nil {
		return err
	}
	defer udp.Close()
	key, err := resetKey(cfg.DataDir)
	if err != nil {
		return err
	}
	tr := &quic.Transport{Conn: udp, StatelessResetKey: key}
	defer tr.Close()
	maxStreams := cfg.MaxStreams
	if maxStreams <= 0 {
		maxStreams = 16
	}
	ln, err := tr.Listen(c.tlsConfig(), wire.CollectorQUICConfig(maxStreams))
	if err != nil {
		return fmt.Errorf("listen for agents on %s: %w", cfg.ListenAgents, err)
	}
	defer ln.Close()
	api, err := net.Listen("tcp", cfg.ListenAPI)
	if err != nil {
		return fmt.Errorf("listen for the API on %s: %w (choose another with --listen-api)", cfg.ListenAPI, err)
	}
	for name, addr := range map[string]string{AgentsAddrFile: udp.LocalAddr().String(), APIAddrFile: api.Addr().String()} {
		if err := atomicfile.Write(filepath.Join(cfg.DataDir, name), []byte(addr+"\n"), 0o644); err != nil {
			api.Close()
			return err
		}
	}
	fmt.Fprintf(out, "CA fingerprint (agents pin it with --ca-sha256): %s\n", c.ca.Fingerprint())
	fmt.Fprintf(out, "store: %s\nlistening for agents on %s (QUIC), API on http://%s\n", c.store.Location(), udp.LocalAddr(), api.Addr())
	c.log.Info("collector started", "agents", udp.LocalAddr().String(), "api", api.Addr().String(), "store", c.store.Location(), "ca_sha256", c.ca.Fingerprint())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.relay, err = c.startRelay(ctx); err != nil {
		api.Close()
		return err
	}
	apiDone := make(chan error, 1)
	go func() { apiDone <- c.serveAPI(ctx, api) }()
	poll := cfg.RevocationPoll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	go c.ingest.WatchRevocations(ctx, poll)
	err = c.accept(ctx, ln)
	c.ingest.CloseAll(wire.CodeShutdown, "collector shutting down")
	cancel()
	if aerr := <-apiDone; err == nil {
		err = aerr
	}
	c.log.Info("collector stopped")
	return err
}

func newCollector(ctx context.Context, cfg Config) (*Collector, error) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("serve: the data directory is not set (--data DIR)")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	c := &Collector{cfg: cfg, log: log, now: now, store: cfg.Store}
	ca, err := c.loadCA(ctx)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(cfg.DataDir, FingerprintFile), []byte(ca.Fingerprint()+"\n"), 0o644); err != nil {
		return nil, err
	}
	c.ca = ca
	c.certs = &certs{ca: ca, now: now, ips: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}
	c.ingest = &ingest.Server{Store: cfg.Store, Log: log, Now: now, Version: cfg.Version, Limits: cfg.Limits,
		Rate: cfg.Rate, HeartbeatEvery: cfg.Heartbeat, Renew: c.renew, Link: c.linkOnce}
	c.assess = c.newAssess()
	return c, nil
}

// accept hands every new connection to its own goroutine at once: quic-go queues at most 32
// handshaked connections and refuses more.
func (c *Collector) accept(ctx context.Context, ln *quic.Listener) error {
	for {
		conn, err := ln.Accept(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept agent connection: %w", err)
		}
		go c.handle(ctx, conn)
	}
}

func (c *Collector) handle(ctx context.Context, conn *quic.Conn) {
	st := conn.ConnectionState().TLS
	switch st.NegotiatedProtocol {
	case wire.ALPN:
		if len(st.PeerCertificates) == 0 { // VerifyConnection refused these already
			_ = conn.CloseWithError(wire.CodeProtocol.App(), "client certificate required")
			return
		}
		c.ingest.Serve(ctx, conn, identity.AgentIDFromCert(st.PeerCertificates[0].Raw))
	case wire.ALPNEnrol:
		c.enrol(ctx, conn)
	default:
		_ = conn.CloseWithError(wire.CodeProtocol.App(), "unknown application protocol")
	}
}

func listenUDP(addr string) (*net.UDPConn, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("--listen-agents %s: %w", addr, err)
	}
	udp, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("listen for agents on %s: %w (choose another with --listen-agents)", addr, err)
	}
	return udp, nil
}

// resetKey loads the persistent stateless-reset key from the data directory, creating it on
// first start: with it a restarted collector resets the agents' old connections at once.
func resetKey(dir string) (*quic.StatelessResetKey, error) {
	path := filepath.Join(dir, ResetKeyFile)
	var key quic.StatelessResetKey
	b, err := os.ReadFile(path)
	switch {
	case err == nil && len(b) == len(key):
		copy(key[:], b)
		return &key, nil
	case err == nil:
		return nil, fmt.Errorf("%s holds %d bytes, want %d: delete it and restart (agents then notice this restart only at their idle timeout)", path, len(b), len(key))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if _, err := rand.Read(key[:]); err != nil {
		return nil, fmt.Errorf("generate the QUIC reset key: %w", err)
	}
	if err := atomicfile.Write(path, key[:], 0o600); err != nil {
		return nil, err
	}
	return &key, nil
}
