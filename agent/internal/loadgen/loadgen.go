// Package loadgen is the ingest load generator behind `make bench-ingest`: many simulated agents
// in one process enrol with a running collector, connect over QUIC, upload 2,000-package
// inventories and then sit idle, while it measures acknowledged inventories per second, the
// acknowledgement latency, the collector's memory and an agent's steady-state traffic.
package loadgen

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// Config sets the load.
type Config struct {
	Collector string // QUIC address
	Pin       string // CA fingerprint
	Token     string // an enrolment token with at least Agents uses
	// Agents connect and stay connected; Uploaders of them upload Uploads inventories in all.
	Agents, Uploaders, Uploads int
	Packages                   int
	Transports                 int // UDP sockets shared by the agents
	Idle                       time.Duration
	CollectorPID               int
	Log                        *slog.Logger
}

// Report is what the run measured.
type Report struct {
	Agents           int     `json:"agents"`
	EnrolSeconds     float64 `json:"enrol_seconds"`
	ConnectSeconds   float64 `json:"connect_seconds"`
	ConnectRetries   int64   `json:"connect_retries"`
	Uploads          int     `json:"uploads"`
	Packages         int     `json:"packages_per_inventory"`
	UploadBytesAvg   int     `json:"upload_compressed_bytes_avg"`
	UploadSeconds    float64 `json:"upload_seconds"`
	InventoriesPerS  float64 `json:"inventories_per_second"`
	AckP50ms         float64 `json:"ack_latency_p50_ms"`
	AckP99ms         float64 `json:"ack_latency_p99_ms"`
	AckMaxms         float64 `json:"ack_latency_max_ms"`
	IdleConnected    int64   `json:"idle_connected"`
	CollectorRSSMB   float64 `json:"collector_rss_mb"`
	CollectorPeakMB  float64 `json:"collector_peak_rss_mb"`
	LoadgenRSSMB     float64 `json:"loadgen_rss_mb"`
	SteadyBytesDay   int64   `json:"agent_steady_state_bytes_per_day"`
	SteadyBreakdown  string  `json:"agent_steady_state_breakdown"`
	ConnectionsAlive int64   `json:"connections_alive_at_end"`
}

// sim is one simulated agent.
type sim struct {
	cert tls.Certificate
	conn *quic.Conn
	ctrl *quic.Stream
}

// Run runs the load and returns the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	log := cfg.Log
	rep := &Report{Agents: cfg.Agents, Packages: cfg.Packages}
	trs, err := transports(cfg.Transports)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, tr := range trs {
			tr.Close()
		}
	}()
	dial := func(i int) enrol.Dialer {
		return func(ctx context.Context, addr string, tc *tls.Config, qc *quic.Config) (*quic.Conn, error) {
			ua, err := net.ResolveUDPAddr("udp", addr)
			if err != nil {
				return nil, err
			}
			return trs[i%len(trs)].Dial(ctx, ua, tc, qc)
		}
	}

	// 1. enrol
	start := time.Now()
	sims := make([]*sim, cfg.Agents)
	var ca *x509.Certificate
	var caMu sync.Mutex
	err = parallel(ctx, cfg.Agents, 16, func(i int) error {
		var cred *enrol.Credentials
		err := retry(ctx, 8, nil, func() error {
			var err error
			cred, err = enrol.Issue(ctx, enrol.Request{Collector: cfg.Collector, Token: cfg.Token, CAPin: cfg.Pin,
				Hostname: fmt.Sprintf("sim-%05d", i), AgentVersion: "loadgen"}, dial(i))
			return err
		})
		if err != nil {
			return fmt.Errorf("enrol agent %d: %w", i, err)
		}
		sims[i] = &sim{cert: cred.TLSCertificate()}
		caMu.Lock()
		if ca == nil {
			ca, _ = x509.ParseCertificate(cred.CA)
		}
		caMu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.EnrolSeconds = time.Since(start).Seconds()
	log.Info("enrolled", "agents", cfg.Agents, "seconds", rep.EnrolSeconds)
	pool := x509.NewCertPool()
	pool.AddCert(ca)

	// 2. connect every agent and keep it connected
	start = time.Now()
	var retries atomic.Int64
	err = parallel(ctx, cfg.Agents, 64, func(i int) error {
		s := sims[i]
		tc := &tls.Config{MinVersion: tls.VersionTLS13, NextProtos: []string{wire.ALPN}, ServerName: wire.ServerName,
			RootCAs: pool, Certificates: []tls.Certificate{s.cert}}
		return retry(ctx, 10, &retries, func() error {
			conn, ctrl, err := connect(ctx, dial(i), cfg.Collector, tc)
			if err != nil {
				return err
			}
			s.conn, s.ctrl = conn, ctrl
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	rep.ConnectSeconds, rep.ConnectRetries = time.Since(start).Seconds(), retries.Load()
	log.Info("connected", "agents", cfg.Agents, "seconds", rep.ConnectSeconds, "retries", rep.ConnectRetries)
	defer func() {
		for _, s := range sims {
			if s.conn != nil {
				s.conn.CloseWithError(0, "")
			}
		}
	}()

	// 3. uploads: prepared first, so that the timed part is the collector's work
	ups, err := prepare(cfg.Uploads, cfg.Packages)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, u := range ups {
		total += len(u.Body)
	}
	rep.Uploads, rep.UploadBytesAvg = len(ups), total/max(len(ups), 1)
	log.Info("uploading", "uploads", len(ups), "uploaders", cfg.Uploaders, "avg_bytes", rep.UploadBytesAvg)
	lat := make([]time.Duration, len(ups))
	var next atomic.Int64
	start = time.Now()
	err = parallel(ctx, min(cfg.Uploaders, cfg.Agents), cfg.Uploaders, func(j int) error {
		for {
			k := int(next.Add(1)) - 1
			if k >= len(ups) {
				return nil
			}
			t0 := time.Now()
			if err := upload(ctx, sims[j].conn, ups[k]); err != nil {
				return fmt.Errorf("upload %d by agent %d: %w", k, j, err)
			}
			lat[k] = time.Since(t0)
		}
	})
	if err != nil {
		return nil, err
	}
	el := time.Since(start)
	rep.UploadSeconds, rep.InventoriesPerS = el.Seconds(), float64(len(ups))/el.Seconds()
	slices.Sort(lat)
	rep.AckP50ms, rep.AckP99ms, rep.AckMaxms = ms(pct(lat, 0.50)), ms(pct(lat, 0.99)), ms(lat[len(lat)-1])
	log.Info("uploaded", "per_second", rep.InventoriesPerS, "p50_ms", rep.AckP50ms, "p99_ms", rep.AckP99ms)

	// 4. idle
	log.Info("holding idle connections", "agents", cfg.Agents, "for", cfg.Idle)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(cfg.Idle):
	}
	for _, s := range sims {
		if s.conn.Context().Err() == nil {
			rep.ConnectionsAlive++
		}
	}
	rep.IdleConnected = rep.ConnectionsAlive
	if cfg.CollectorPID > 0 {
		rep.CollectorRSSMB, rep.CollectorPeakMB = rss(cfg.CollectorPID)
	}
	rep.LoadgenRSSMB, _ = rss(os.Getpid())

	// 5. one agent's steady-state traffic, measured on its own counting socket
	if rep.SteadyBytesDay, rep.SteadyBreakdown, err = steadyState(ctx, cfg, pool, sims[0].cert); err != nil {
		return nil, err
	}
	return rep, nil
}

// connect dials and exchanges Hello and Welcome.
func connect(ctx context.Context, dial enrol.Dialer, addr string, tc *tls.Config) (*quic.Conn, *quic.Stream, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := dial(dctx, addr, tc, wire.QUICConfig(8))
	if err != nil {
		return nil, nil, err
	}
	ctrl, err := conn.OpenStreamSync(dctx)
	if err == nil {
		err = wire.WriteFrame(ctrl, &wire.Hello{ProtocolVersion: wire.ProtocolVersion, AgentVersion: "loadgen", AgentTime: time.Now(), Hostname: "sim"})
	}
	if err == nil {
		_ = ctrl.SetReadDeadline(time.Now().Add(30 * time.Second))
		var m wire.Message
		if m, err = wire.ReadFrame(ctrl, wire.DefaultMaxFrame); err == nil {
			if _, ok := m.(*wire.Welcome); !ok {
				err = fmt.Errorf("answered hello with %T", m)
			}
		}
		_ = ctrl.SetReadDeadline(time.Time{})
	}
	if err != nil {
		conn.CloseWithError(0, "")
		return nil, nil, err
	}
	go func() { _, _ = io.Copy(io.Discard, ctrl) }()
	return conn, ctrl, nil
}

// upload sends one upload and waits for its Ack.
func upload(ctx context.Context, conn *quic.Conn, u *wire.Upload) error {
	str, err := conn.OpenStreamSync(ctx)
	if err != nil {
		return err
	}
	for _, c := range u.Chunks(0) {
		if err := wire.WriteFrame(str, &c); err != nil {
			return err
		}
	}
	if err := str.Close(); err != nil {
		return err
	}
	m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
	if err != nil {
		return err
	}
	if _, ok := m.(*wire.Ack); !ok {
		return fmt.Errorf("answered with %v", m)
	}
	return nil
}

// parallel runs f(0..n-1) on at most workers goroutines and returns the first error.
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range max(min(workers, n), 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// retry calls f up to n times with jittered exponential backoff (quic-go refuses connections
// beyond its accept queue of 32 after the dial succeeded; real agents redial the same way).
func retry(ctx context.Context, n int, count *atomic.Int64, f func() error) error {
	wait := 50 * time.Millisecond
	var err error
	for range n {
		if err = f(); err == nil {
			return nil
		}
		if count != nil {
			count.Add(1)
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(float64(wait) * (0.5 + rand.Float64()))):
		}
		wait = min(wait*2, 5*time.Second)
	}
	return err
}

func transports(n int) ([]*quic.Transport, error) {
	var trs []*quic.Transport
	for range max(n, 1) {
		udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return nil, err
		}
		trs = append(trs, &quic.Transport{Conn: udp})
	}
	return trs, nil
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(int(float64(len(d))*p), len(d)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rss returns a process's resident and peak resident memory in MB, from /proc.
func rss(pid int) (cur, peak float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			cur = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return cur, peak
}
