package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// errRetryLater: the collector could not take the upload now; the session goes on.
var errRetryLater = errors.New("collector asked to retry later")

// drain sends the spooled uploads, oldest first, whenever there are any, until ctx ends or an
// upload fails at the connection level.
func (d *Daemon) drain(ctx context.Context, conn *quic.Conn, pol wire.Policy) error {
	retry := 30 * time.Second
	for {
		var err error
		for _, id := range d.spool.List() {
			if err = d.send(ctx, conn, pol, id); err != nil {
				break
			}
		}
		wait := (<-chan time.Time)(nil)
		switch {
		case errors.Is(err, errRetryLater):
			d.log.Warn("upload deferred", "err", err)
			wait = time.After(jitter(retry, 0.5))
		case err != nil:
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.wake:
		case <-wait:
		}
	}
}

// send uploads one spooled upload and waits for its Ack; the upload leaves the spool only
// then, or when the collector refuses it for good.
func (d *Daemon) send(ctx context.Context, conn *quic.Conn, pol wire.Policy, id wire.UploadID) error {
	u, ok, err := d.spool.Get(id)
	if err != nil {
		d.log.Error("spooled upload unreadable; dropping it", "upload", id.String(), "err", err)
		return d.spool.Remove(id)
	}
	if !ok {
		return nil
	}
	if reason := tooBig(u, pol); reason != "" {
		d.log.Error("inventory exceeds the collector's limits; dropping it", "upload", id.String(), "reason", reason)
		d.deliver(u.RequestID, &wire.CommandResult{RequestID: u.RequestID, Error: reason})
		return d.spool.Remove(id)
	}
	for range 2 { // the second round sends the body a reference upload named
		ack, err := d.exchange(ctx, conn, u, pol)
		var refused *wire.Error
		switch {
		case errors.As(err, &refused) && retryable(refused.Code):
			return fmt.Errorf("%w: %v", errRetryLater, refused)
		case errors.As(err, &refused) || permanentReset(err):
			d.log.Error("collector refused the upload for good; dropping it", "upload", id.String(), "err", wire.Explain(err))
			d.deliver(u.RequestID, &wire.CommandResult{RequestID: u.RequestID, UploadID: u.ID, Error: wire.Explain(err)})
			return d.spool.Remove(id)
		case err != nil:
			return err
		case ack.NeedBody:
			u.Reference = false
			continue
		}
		return d.acked(u, ack)
	}
	return fmt.Errorf("upload %s: the collector asked for the body twice", id)
}

// acked records an acknowledged upload.
func (d *Daemon) acked(u *wire.Upload, ack *wire.Ack) error {
	if err := d.spool.Remove(u.ID); err != nil {
		return err
	}
	d.mu.Lock()
	d.state.LastAcked, d.state.LastAckedAt = u.ContentHash, d.cfg.Now()
	d.mu.Unlock()
	if err := d.saveState(); err != nil {
		d.log.Error("save agent state", "err", err)
	}
	d.log.Info("inventory acknowledged", "upload", u.ID.String(), "content", u.ContentHash[:12], "duplicate", ack.Duplicate, "request", u.RequestID)
	d.deliver(u.RequestID, &wire.CommandResult{RequestID: u.RequestID, OK: true, UploadID: u.ID, ContentHash: u.ContentHash})
	return nil
}

// exchange sends the chunks of u on a new stream and reads the answer.
func (d *Daemon) exchange(ctx context.Context, conn *quic.Conn, u *wire.Upload, pol wire.Policy) (*wire.Ack, error) {
	str, err := conn.OpenStreamSync(ctx)
	if err != nil {
		return nil, fmt.Errorf("open an upload stream: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { str.CancelRead(wire.CodeCancelled.Stream()); str.CancelWrite(wire.CodeCancelled.Stream()) })
	defer stop()
	chunk := min(pol.MaxChunkBytes, wire.DefaultLimits.MaxChunkData)
	for _, c := range u.Chunks(chunk) {
		if err := wire.WriteFrame(str, &c); err != nil {
			return nil, fmt.Errorf("upload %s: %w", u.ID, err)
		}
	}
	if err := str.Close(); err != nil {
		return nil, fmt.Errorf("upload %s: %w", u.ID, err)
	}
	m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
	if err != nil {
		return nil, fmt.Errorf("upload %s: wait for the acknowledgement: %w", u.ID, err)
	}
	switch m := m.(type) {
	case *wire.Ack:
		if m.UploadID != u.ID {
			return nil, fmt.Errorf("upload %s: acknowledgement names upload %s", u.ID, m.UploadID)
		}
		return m, nil
	case *wire.Error:
		return nil, m
	}
	return nil, fmt.Errorf("upload %s: the collector answered with %T", u.ID, m)
}

// tooBig says why u cannot be sent under the collector's policy, or "".
func tooBig(u *wire.Upload, pol wire.Policy) string {
	chunk := min(pol.MaxChunkBytes, wire.DefaultLimits.MaxChunkData)
	switch {
	case pol.MaxInventoryBytes > 0 && u.RawSize > pol.MaxInventoryBytes:
		return fmt.Sprintf("inventory of %d bytes, the collector accepts at most %d", u.RawSize, pol.MaxInventoryBytes)
	case chunk > 0 && pol.MaxChunks > 0 && (len(u.Body)+chunk-1)/chunk > pol.MaxChunks:
		return fmt.Sprintf("compressed inventory of %d bytes needs more than the collector's %d chunks of %d", len(u.Body), pol.MaxChunks, chunk)
	}
	return ""
}

// retryable reports whether a refusal may succeed later.
func retryable(c wire.Code) bool {
	return c == wire.CodeRateLimited || c == wire.CodeInternal || c == wire.CodeShutdown
}

// permanentReset reports whether the collector reset the stream because the upload itself
// breaks the protocol or a limit (sending it again would fail again).
func permanentReset(err error) bool {
	var se *quic.StreamError
	if !errors.As(err, &se) || !se.Remote {
		return false
	}
	switch wire.Code(se.ErrorCode) {
	case wire.CodeProtocol, wire.CodeFrameTooLarge, wire.CodeInventoryTooLarge, wire.CodeTooManyChunks, wire.CodeBadInventory:
		return true
	}
	return false
}
