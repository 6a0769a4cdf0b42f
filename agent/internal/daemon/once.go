package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/wire"
)

// Once connects to the collector, uploads inv and returns the collector's Ack, which it sends
// only after its durable commit: the core of `ceplus-agent once`. It uses neither the spool nor
// the schedule, answers no command and keeps no state; a refusal or a lost connection is an
// error (nothing is retried: the caller runs once again).
func (d *Daemon) Once(ctx context.Context, inv *inventory.Inventory) (*wire.Ack, error) {
	id := d.identity()
	dctx, cancel := context.WithTimeout(ctx, 2*wire.HandshakeTimeout)
	conn, err := d.cfg.Dial(dctx, id.Collector, id.TLSConfig(), wire.QUICConfig(8))
	cancel()
	if err != nil {
		return nil, fmt.Errorf("connect to the collector at %s: %s", id.Collector, wire.Explain(err))
	}
	defer conn.CloseWithError(0, "agent done")
	welcome, ctrl, err := d.hello(ctx, conn, id)
	if err != nil {
		return nil, err
	}
	defer ctrl.CancelRead(wire.CodeOK.Stream())
	u, err := d.prepare(inv, inv.ContentHash(), "", false)
	if err != nil {
		return nil, err
	}
	if reason := tooBig(u, welcome.Policy); reason != "" {
		return nil, fmt.Errorf("the collector cannot take this inventory: %s", reason)
	}
	ack, err := d.exchange(ctx, conn, u, welcome.Policy)
	var refused *wire.Error
	switch {
	case errors.As(err, &refused):
		return nil, fmt.Errorf("the collector refused the upload: %w", refused)
	case err != nil:
		return nil, fmt.Errorf("upload to %s: %s", id.Collector, wire.Explain(err))
	case ack.NeedBody:
		return nil, fmt.Errorf("upload %s: the collector asked for the body of a full upload", u.ID)
	}
	d.log.Info("inventory acknowledged", "upload", u.ID.String(), "content", u.ContentHash[:12], "duplicate", ack.Duplicate)
	return ack, nil
}
