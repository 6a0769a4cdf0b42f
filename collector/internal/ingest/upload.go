package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// uploadTimeout bounds how long one upload stream may take to deliver all its chunks.
const uploadTimeout = 2 * time.Minute

// upload assembles an upload that starts with first, commits it and acknowledges it.
func (s *Server) upload(ctx context.Context, c *agentConn, str *quic.Stream, first *wire.UploadChunk) error {
	if first.Payload != wire.PayloadInventory {
		return &wire.ProtocolError{Code: wire.CodeProtocol, Msg: fmt.Sprintf("upload %s: a %s payload travels only on the stream of the command that asked for it", first.UploadID, first.Payload)}
	}
	if !s.allow(c.id) {
		r := s.rate()
		return &wire.Error{Code: wire.CodeRateLimited, Message: fmt.Sprintf(
			"agent %s sent more than %d uploads in a burst (then one per %s are allowed): retry later", c.id.Short(), r.Burst, r.Every)}
	}
	_ = str.SetReadDeadline(time.Now().Add(uploadTimeout))
	a := wire.NewAssembler(s.limits())
	done, err := a.Add(first)
	for err == nil && !done {
		var m wire.Message
		if m, err = wire.ReadFrame(str, s.limits().MaxFrame); err != nil {
			break
		}
		chunk, ok := m.(*wire.UploadChunk)
		if !ok {
			return &wire.ProtocolError{Code: wire.CodeProtocol, Msg: fmt.Sprintf("upload %s: %T inside an upload", first.UploadID, m)}
		}
		done, err = a.Add(chunk)
	}
	if err != nil {
		return err
	}
	ack, err := s.commit(ctx, c, a.Upload())
	if err != nil {
		return err
	}
	return wire.WriteFrame(str, ack)
}

// commit verifies the upload's content, stores it durably and returns the Ack to send.
func (s *Server) commit(ctx context.Context, c *agentConn, up *wire.Upload) (*wire.Ack, error) {
	u := store.Upload{AgentID: c.id, UploadID: up.ID.String(), CollectedAt: up.CollectedAt, Hostname: c.hostname}
	var f *facts // nil for a reference upload
	if up.Reference {
		doc, err := s.Store.GetInventory(ctx, up.ContentHash)
		if errors.Is(err, store.ErrNotFound) {
			return &wire.Ack{UploadID: up.ID, ContentHash: up.ContentHash, NeedBody: true}, nil
		}
		if err != nil {
			return nil, s.internal(fmt.Errorf("upload %s: look up content %s: %w", up.ID, up.ContentHash, err))
		}
		u.Document = doc
		u.Meta = uploadMeta(nil, up)
	} else {
		// Only what is needed outlives verify, not the decoded inventory: uploads waiting for
		// the store hold no more than their compressed body.
		v, err := s.verify(ctx, up)
		if err != nil {
			return nil, err
		}
		u.Document, u.Meta, f = v.doc, v.meta, &v.facts
		u.Hostname = v.facts.hostname
	}
	at := s.now()
	dup, err := s.Store.PutInventory(ctx, u, at)
	switch {
	case errors.Is(err, store.ErrUploadConflict):
		return nil, &wire.Error{Code: wire.CodeConflict, Message: err.Error()}
	case err != nil:
		return nil, s.internal(err)
	}
	if f != nil {
		if err := s.updateFacts(ctx, c, *f); err != nil {
			return nil, s.internal(err)
		}
	}
	s.Log.Info("inventory committed", "agent", c.id, "upload", up.ID.String(), "content", up.ContentHash[:12],
		"packages", u.Packages, "bytes", len(up.Body), "duplicate", dup, "reference", up.Reference, "request", up.RequestID)
	ack := &wire.Ack{UploadID: up.ID, Duplicate: dup, ContentHash: up.ContentHash}
	if c.once && s.Link != nil {
		ack.Link = s.Link(ctx, c.id)
	}
	return ack, nil
}

// verify decompresses and decodes an upload, checks that its content hash is the one claimed
// (documents are shared by hash across agents, so a false claim must never be stored), and
// returns the document to store. At most GOMAXPROCS uploads are verified at once (ctx bounds
// the wait): verification is pure CPU, so more at once would only hold more documents in
// memory and make every one of them slower.
//
// A full upload is verified even when a document with the claimed hash is already stored:
// skipping would be safe only if nothing from the new bytes were used (the agent may claim the
// hash of another device's document; linking its upload to that document gives it nothing a
// reference upload does not), but the upload's per-host facts (hostname, machine id, source
// statuses, the device facts recorded on the agent) come from those bytes and need the decode,
// which is most of the cost; the hash itself is the cheap part.
func (s *Server) verify(ctx context.Context, up *wire.Upload) (verified, error) {
	if err := s.verifySlot(ctx); err != nil {
		return verified{}, err
	}
	defer s.releaseVerifySlot()
	bp := rawBuffers.Get().(*[]byte)
	defer putRawBuffer(bp)
	raw, err := wire.DecompressAppend((*bp)[:0], up.Codec, up.Body, s.limits().MaxInventory)
	*bp = raw
	if err != nil {
		return verified{}, &wire.Error{Code: wire.CodeOf(err), Message: fmt.Sprintf("upload %s: %v", up.ID, err)}
	}
	inv, err := decodeInventory(raw)
	if err != nil {
		return verified{}, &wire.Error{Code: wire.CodeBadInventory, Message: fmt.Sprintf("upload %s: inventory JSON: %v", up.ID, err)}
	}
	if err := inv.Validate(); err != nil {
		return verified{}, &wire.Error{Code: wire.CodeBadInventory, Message: fmt.Sprintf("upload %s: %v", up.ID, err)}
	}
	if h := inv.ContentHash(); h != up.ContentHash {
		return verified{}, &wire.Error{Code: wire.CodeBadInventory,
			Message: fmt.Sprintf("upload %s claims content %s but its inventory hashes to %s", up.ID, up.ContentHash, h)}
	}
	doc := store.Document{ContentHash: up.ContentHash, Encoding: store.EncodingGzip, Body: up.Body,
		Packages: len(inv.Packages), Build: inv.Device.Build}
	if up.Codec != wire.CodecGzip {
		if doc.Body, err = wire.Compress(wire.CodecGzip, raw); err != nil {
			return verified{}, s.internal(fmt.Errorf("upload %s: recompress: %w", up.ID, err))
		}
	}
	d := inv.Device
	return verified{doc: doc, meta: uploadMeta(inv, up), facts: facts{d.Hostname, d.Build, d.OSFamily, d.OSVersion, d.MachineID}}, nil
}

// verified is what a verified upload contributes.
type verified struct {
	doc   store.Document
	meta  json.RawMessage
	facts facts
}

// rawBuffers recycles the buffers uploads are decompressed into (json.Unmarshal copies every
// string out, so nothing refers to them after verify).
var rawBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512<<10); return &b }}

// maxPooledRaw is the largest buffer kept for reuse; a rare huge inventory's is dropped.
const maxPooledRaw = 4 << 20

func putRawBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooledRaw {
		*bp = (*bp)[:0]
		rawBuffers.Put(bp)
	}
}

// verifySlot takes one of the GOMAXPROCS verification slots, waiting until ctx ends.
func (s *Server) verifySlot(ctx context.Context) error {
	s.slotsOnce.Do(func() { s.slots = make(chan struct{}, runtime.GOMAXPROCS(0)) })
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (s *Server) releaseVerifySlot() { <-s.slots }

// uploadMeta is the per-upload JSON the store keeps beside the shared document.
func uploadMeta(inv *inventory.Inventory, up *wire.Upload) json.RawMessage {
	m := struct {
		MachineID string                   `json:"machine_id,omitempty"`
		RequestID string                   `json:"request_id,omitempty"`
		Reference bool                     `json:"reference,omitempty"`
		Sources   []inventory.SourceStatus `json:"sources,omitempty"`
	}{RequestID: up.RequestID, Reference: up.Reference}
	if inv != nil {
		m.MachineID, m.Sources = inv.Device.MachineID, inv.Sources
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("ingest: marshal upload meta: " + err.Error()) // strings and slices of them only
	}
	return b
}

// facts are the device facts an agent reports in its inventories.
type facts struct{ hostname, build, family, version, machineID string }

// updateFacts records the device facts of a new inventory on the agent when they changed; the
// connection remembers the last facts recorded, so that an unchanged device costs no query.
func (s *Server) updateFacts(ctx context.Context, c *agentConn, f facts) error {
	c.mu.Lock()
	known := c.facts != nil && *c.facts == f
	c.mu.Unlock()
	if known {
		return nil
	}
	a, err := s.Store.GetAgent(ctx, c.id)
	if err != nil {
		return err
	}
	if (facts{a.Hostname, a.Build, a.OSFamily, a.OSVersion, a.MachineID}) != f {
		a.Hostname, a.Build, a.OSFamily, a.OSVersion, a.MachineID = f.hostname, f.build, f.family, f.version, f.machineID
		if err := s.Store.PutAgent(ctx, a); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.facts = &f
	c.mu.Unlock()
	return nil
}

// internal logs err and returns the refusal the agent sees (it retries later).
func (s *Server) internal(err error) error {
	s.Log.Error("ingest", "err", err)
	return &wire.Error{Code: wire.CodeInternal, Message: "the collector could not store the upload; it will be retried"}
}
