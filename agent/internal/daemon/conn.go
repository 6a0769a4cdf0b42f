package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// errRenewed ends a session after a certificate renewal: reconnect at once with the new one.
var errRenewed = errors.New("certificate renewed")

// connectLoop keeps a session with the collector, redialling with jittered exponential backoff.
func (d *Daemon) connectLoop(ctx context.Context) {
	backoff := d.cfg.BackoffMin
	for ctx.Err() == nil {
		welcomed, err := d.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errRenewed) {
			continue
		}
		if welcomed {
			backoff = d.cfg.BackoffMin
		}
		wait := jitter(backoff, 0.5)
		d.log.Warn("not connected to the collector; retrying", "collector", d.identity().Collector, "in", wait.Round(time.Millisecond), "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(backoff*2, d.cfg.BackoffMax)
	}
}

// session runs one connection: hello and welcome, then commands, heartbeats and uploads until
// the connection fails. welcomed reports whether the collector accepted the agent.
func (d *Daemon) session(ctx context.Context) (welcomed bool, err error) {
	id := d.identity()
	dctx, cancel := context.WithTimeout(ctx, 2*wire.HandshakeTimeout)
	conn, err := d.cfg.Dial(dctx, id.Collector, id.TLSConfig(), wire.QUICConfig(8))
	cancel()
	if err != nil {
		return false, fmt.Errorf("connect to %s: %s", id.Collector, wire.Explain(err))
	}
	defer conn.CloseWithError(0, "agent closing")
	welcome, ctrl, err := d.hello(ctx, conn, id)
	if err != nil {
		return false, err
	}
	d.setPolicy(welcome.Policy)
	d.log.Info("connected to the collector", "collector", id.Collector, "collector_version", welcome.CollectorVersion,
		"clock_skew", d.cfg.Now().Sub(welcome.ServerTime).Round(time.Millisecond))
	if id.NeedsRenewal(d.cfg.Now()) {
		if err := d.renew(ctx, conn, id); err != nil {
			d.log.Error("certificate renewal failed; keeping the current one", "expires", id.Leaf.NotAfter, "err", err)
		} else {
			return true, errRenewed
		}
	}
	sctx, scancel := context.WithCancelCause(ctx)
	defer scancel(nil)
	context.AfterFunc(conn.Context(), func() { scancel(context.Cause(conn.Context())) })
	go d.commands(sctx, conn)
	go d.heartbeats(sctx, scancel, conn, welcome.Policy.HeartbeatInterval)
	go func() { // the collector says nothing more on the control stream; its end ends the session
		_, err := wire.ReadFrame(ctrl, wire.DefaultMaxFrame)
		scancel(fmt.Errorf("control stream ended: %s", wire.Explain(err)))
	}()
	err = d.drain(sctx, conn, welcome.Policy)
	if cause := context.Cause(sctx); cause != nil && ctx.Err() == nil {
		err = cause
	}
	return true, fmt.Errorf("connection to %s ended: %s", id.Collector, wire.Explain(err))
}

// hello opens the control stream and waits for the collector's Welcome.
func (d *Daemon) hello(ctx context.Context, conn *quic.Conn, id *enrol.Identity) (*wire.Welcome, *quic.Stream, error) {
	ctrl, err := conn.OpenStreamSync(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("open the control stream: %s", refusal(conn, err))
	}
	items, _, _ := d.spool.Stats()
	err = wire.WriteFrame(ctrl, &wire.Hello{ProtocolVersion: wire.ProtocolVersion, AgentVersion: d.cfg.Version,
		Capabilities: append([]string{"scan_now", "cancel", "reference_upload", "zstd"}, d.capabilities()...), AgentTime: d.cfg.Now(),
		Hostname: d.cfg.Hostname, RenewedFrom: id.RenewedFrom})
	if err != nil {
		return nil, nil, fmt.Errorf("send hello: %s", refusal(conn, err))
	}
	_ = ctrl.SetReadDeadline(time.Now().Add(2 * wire.HandshakeTimeout))
	m, err := wire.ReadFrame(ctrl, wire.DefaultMaxFrame)
	_ = ctrl.SetReadDeadline(time.Time{})
	if err != nil {
		return nil, nil, fmt.Errorf("wait for the welcome: %s", refusal(conn, err))
	}
	switch m := m.(type) {
	case *wire.Welcome:
		if m.ProtocolVersion != wire.ProtocolVersion {
			return nil, nil, fmt.Errorf("collector speaks protocol %d, this agent %d: upgrade the agent", m.ProtocolVersion, wire.ProtocolVersion)
		}
		d.log.Debug("welcome", "spooled", items)
		return m, ctrl, nil
	case *wire.Error:
		return nil, nil, fmt.Errorf("the collector refused the agent: %w", m)
	}
	return nil, nil, fmt.Errorf("the collector answered the hello with %T", m)
}

// refusal explains why a fresh connection failed: a TLS refusal of the agent's certificate
// arrives only now, a round trip after the dial succeeded.
func refusal(conn *quic.Conn, err error) string {
	if cause := context.Cause(conn.Context()); cause != nil {
		var te *quic.TransportError
		if errors.As(cause, &te) && te.Remote && te.ErrorCode.IsCryptoError() {
			return fmt.Sprintf("the collector refused this agent's certificate (%v): it may be revoked or enrolled with another collector; enrol again with a new token", cause)
		}
		return wire.Explain(cause)
	}
	return wire.Explain(err)
}

func (d *Daemon) renew(ctx context.Context, conn *quic.Conn, id *enrol.Identity) error {
	rctx, cancel := context.WithTimeout(ctx, 2*wire.HandshakeTimeout)
	defer cancel()
	n, err := enrol.Renew(rctx, conn, id)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.id = n
	d.mu.Unlock()
	d.log.Info("certificate renewed; reconnecting with it", "old_agent", id.ID, "agent", n.ID, "expires", n.Leaf.NotAfter)
	return nil
}

// heartbeats sends a Heartbeat, on a stream of its own, every interval.
func (d *Daemon) heartbeats(ctx context.Context, fail context.CancelCauseFunc, conn *quic.Conn, interval time.Duration) {
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	t := time.NewTicker(jitter(interval, 0.1))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		items, _, dropped := d.spool.Stats()
		str, err := conn.OpenStreamSync(ctx)
		if err == nil {
			err = wire.WriteFrame(str, &wire.Heartbeat{Time: d.cfg.Now(), SpoolItems: items, SpoolDropped: dropped})
		}
		if err != nil {
			fail(fmt.Errorf("send heartbeat: %w", err))
			return
		}
		_ = str.Close()
		str.CancelRead(wire.CodeOK.Stream()) // the collector answers a heartbeat with nothing
	}
}
