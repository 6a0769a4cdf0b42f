package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/wire"
)

// scanner inventories on start, on the jittered schedule, and on request.
func (d *Daemon) scanner(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			d.scan(ctx, "")
			timer.Reset(jitter(d.cfg.Interval, 0.1))
		case req := <-d.scans:
			d.scan(req.ctx, req.requestID)
		}
	}
}

// scan takes one inventory and queues it when it changed, or always when requestID is set
// (a "scan now": the collector records that the device was inventoried then, even unchanged;
// an unchanged one goes as a reference to the content the collector already holds).
func (d *Daemon) scan(ctx context.Context, requestID string) {
	start := d.cfg.Now()
	inv, err := d.cfg.Inventory(ctx)
	if err != nil {
		d.log.Error("inventory failed", "request", requestID, "err", err)
		d.deliver(requestID, &wire.CommandResult{RequestID: requestID, Error: "inventory failed: " + err.Error()})
		return
	}
	hash := inv.ContentHash()
	d.mu.Lock()
	st := d.state
	d.mu.Unlock()
	if requestID == "" && hash == st.LastQueued {
		d.log.Info("inventory unchanged; nothing to send", "content", hash[:12], "packages", len(inv.Packages))
		return
	}
	u, err := d.prepare(inv, hash, requestID, requestID != "" && hash == st.LastAcked)
	if err == nil {
		err = d.spool.Put(u)
	}
	if err != nil {
		d.log.Error("queue inventory", "err", err)
		d.deliver(requestID, &wire.CommandResult{RequestID: requestID, Error: err.Error()})
		return
	}
	d.mu.Lock()
	d.state.LastQueued = hash
	d.mu.Unlock()
	if err := d.saveState(); err != nil {
		d.log.Error("save agent state", "err", err)
	}
	d.log.Info("inventory queued", "upload", u.ID.String(), "content", hash[:12], "packages", len(inv.Packages),
		"bytes", len(u.Body), "reference", u.Reference, "request", requestID, "took", d.cfg.Now().Sub(start).Round(time.Millisecond))
	d.poke()
}

// prepare encodes and compresses an inventory into an upload with a fresh upload id.
func (d *Daemon) prepare(inv *inventory.Inventory, hash, requestID string, reference bool) (*wire.Upload, error) {
	raw, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encode inventory: %w", err)
	}
	body, err := wire.Compress(d.cfg.Codec, raw)
	if err != nil {
		return nil, err
	}
	return &wire.Upload{ID: wire.NewUploadID(), ContentHash: hash, Codec: d.cfg.Codec, RawSize: int64(len(raw)),
		CollectedAt: inv.CollectedAt, RequestID: requestID, Reference: reference, Body: body}, nil
}

// RecordedInventory returns a producer that reads a recorded inventory (the JSON of
// `ceplus-agent inventory --json`) from path at every scan and stamps it with the current
// time. It is a testing and simulation aid: tests, the demo and simulated agents use it in
// place of the source plugins; edit the file to simulate a changed endpoint.
func RecordedInventory(path string, now func() time.Time) Producer {
	return func(ctx context.Context) (*inventory.Inventory, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("recorded inventory: %w", err)
		}
		inv := new(inventory.Inventory)
		if err := json.Unmarshal(b, inv); err != nil {
			return nil, fmt.Errorf("recorded inventory %s: %w", path, err)
		}
		if err := inv.Validate(); err != nil {
			return nil, fmt.Errorf("recorded inventory %s: %w", path, err)
		}
		inv.CollectedAt = now().UTC()
		return inv, nil
	}
}
