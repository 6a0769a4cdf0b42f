package daemon

import (
	"context"
	"errors"
	"io"

	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// commands accepts the streams the collector opens, one per command.
func (d *Daemon) commands(ctx context.Context, conn *quic.Conn) {
	for {
		str, err := conn.AcceptStream(ctx)
		if err != nil {
			return
		}
		go d.command(ctx, str)
	}
}

// command runs one command: scan now answers after the fresh inventory was acknowledged; a
// Cancel on the same stream, or the collector abandoning it, cancels the scan.
func (d *Daemon) command(ctx context.Context, str *quic.Stream) {
	m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
	if err != nil {
		str.CancelRead(wire.CodeOf(err).Stream())
		str.CancelWrite(wire.CodeOf(err).Stream())
		return
	}
	cmd, ok := m.(*wire.Command)
	if ok && cmd.Kind == wire.Discover {
		d.discover(ctx, str, cmd)
		return
	}
	if !ok || cmd.Kind != wire.ScanNow {
		d.log.Warn("unexpected command stream", "type", m)
		str.CancelRead(wire.CodeProtocol.Stream())
		str.CancelWrite(wire.CodeProtocol.Stream())
		return
	}
	d.log.Info("collector asked for a scan", "request", cmd.RequestID)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // a Cancel, or the end of the stream from the collector, cancels the scan
		for {
			m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					cancel()
				}
				return
			}
			if c, ok := m.(*wire.Command); ok && c.Kind == wire.Cancel && c.RequestID == cmd.RequestID {
				d.log.Info("collector cancelled the scan", "request", cmd.RequestID)
				cancel()
				return
			}
		}
	}()
	done := make(chan *wire.CommandResult, 1)
	d.mu.Lock()
	d.waiters[cmd.RequestID] = done
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.waiters, cmd.RequestID)
		d.mu.Unlock()
	}()
	var res *wire.CommandResult
	select {
	case d.scans <- scanRequest{ctx: sctx, requestID: cmd.RequestID}:
		select {
		case res = <-done:
		case <-sctx.Done():
		}
	case <-sctx.Done():
	}
	if res == nil {
		res = &wire.CommandResult{RequestID: cmd.RequestID, Error: "scan cancelled"}
	}
	if err := wire.WriteFrame(str, res); err != nil {
		d.log.Info("could not report the scan result", "request", cmd.RequestID, "err", wire.Explain(err))
		return
	}
	_ = str.Close()
}

// deliver hands the result of a requested scan to the command waiting for it, if any.
func (d *Daemon) deliver(requestID string, res *wire.CommandResult) {
	if requestID == "" {
		return
	}
	d.mu.Lock()
	ch := d.waiters[requestID]
	d.mu.Unlock()
	if ch != nil {
		select {
		case ch <- res:
		default:
		}
	}
}
