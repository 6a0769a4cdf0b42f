package wire

import (
	"encoding/hex"
	"fmt"
	"time"

	wirev1 "github.com/ceplus/ceplus/shared/wire/proto/ceplus/wire/v1"
)

// Field limits checked when a frame is decoded, on top of the frame size.
const (
	maxShortString   = 256  // hostnames, versions, request ids, agent ids
	maxMessageString = 4096 // error messages
	maxCapabilities  = 32
	maxDER           = 16 << 10 // a certificate or CSR
	maxToken         = 512
)

func unixMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// toWire converts a message to its generated form.
func toWire(m Message) (*wirev1.Frame, error) {
	f := &wirev1.Frame{}
	switch m := m.(type) {
	case *Hello:
		f.Body = &wirev1.Frame_Hello{Hello: &wirev1.Hello{ProtocolVersion: m.ProtocolVersion, AgentVersion: m.AgentVersion,
			Capabilities: m.Capabilities, AgentTimeUnixMs: unixMS(m.AgentTime), Hostname: m.Hostname, RenewedFrom: m.RenewedFrom}}
	case *Welcome:
		p := &wirev1.UploadPolicy{MaxChunkBytes: uint32(m.Policy.MaxChunkBytes), MaxInventoryBytes: uint64(m.Policy.MaxInventoryBytes),
			MaxChunks: uint32(m.Policy.MaxChunks), HeartbeatIntervalMs: m.Policy.HeartbeatInterval.Milliseconds()}
		for _, c := range m.Policy.Codecs {
			p.Codecs = append(p.Codecs, wirev1.Codec(c))
		}
		f.Body = &wirev1.Frame_Welcome{Welcome: &wirev1.Welcome{ProtocolVersion: m.ProtocolVersion, CollectorVersion: m.CollectorVersion,
			ServerTimeUnixMs: unixMS(m.ServerTime), Policy: p, AgentId: m.AgentID}}
	case *UploadChunk:
		f.Body = &wirev1.Frame_UploadChunk{UploadChunk: &wirev1.UploadChunk{UploadId: m.UploadID[:], Index: uint32(m.Index),
			Total: uint32(m.Total), Data: m.Data, ContentHash: m.ContentHash, Codec: wirev1.Codec(m.Codec), RawSize: uint64(m.RawSize),
			CollectedAtUnixMs: unixMS(m.CollectedAt), RequestId: m.RequestID, Reference: m.Reference, Payload: wirev1.PayloadKind(m.Payload)}}
	case *Ack:
		a := &wirev1.Ack{UploadId: m.UploadID[:], Duplicate: m.Duplicate, ContentHash: m.ContentHash, NeedBody: m.NeedBody}
		if l := m.Link; l != nil {
			a.Link = &wirev1.ScopeLink{Assessment: l.Assessment, Device: l.Device, By: l.By, Problem: l.Problem}
		}
		f.Body = &wirev1.Frame_Ack{Ack: a}
	case *Command:
		f.Body = &wirev1.Frame_Command{Command: &wirev1.Command{RequestId: m.RequestID, Kind: wirev1.CommandKind(m.Kind), Discovery: jobToWire(m.Discovery)}}
	case *JobProgress:
		f.Body = &wirev1.Frame_JobProgress{JobProgress: progressToWire(m)}
	case *CommandResult:
		f.Body = &wirev1.Frame_CommandResult{CommandResult: &wirev1.CommandResult{RequestId: m.RequestID, Ok: m.OK, Error: m.Error,
			UploadId: m.UploadID[:], ContentHash: m.ContentHash}}
	case *Heartbeat:
		f.Body = &wirev1.Frame_Heartbeat{Heartbeat: &wirev1.Heartbeat{TimeUnixMs: unixMS(m.Time), SpoolItems: uint32(m.SpoolItems), SpoolDropped: m.SpoolDropped}}
	case *Error:
		f.Body = &wirev1.Frame_Error{Error: &wirev1.Error{Code: wirev1.ErrorCode(m.Code), Message: m.Message}}
	case *EnrolRequest:
		f.Body = &wirev1.Frame_EnrolRequest{EnrolRequest: &wirev1.EnrolRequest{Token: m.Token, CsrDer: m.CSR, Hostname: m.Hostname, AgentVersion: m.AgentVersion}}
	case *EnrolResponse:
		f.Body = &wirev1.Frame_EnrolResponse{EnrolResponse: &wirev1.EnrolResponse{CertDer: m.Cert, CaDer: m.CA, AgentId: m.AgentID}}
	case *RenewRequest:
		f.Body = &wirev1.Frame_RenewRequest{RenewRequest: &wirev1.RenewRequest{CsrDer: m.CSR}}
	case *RenewResponse:
		f.Body = &wirev1.Frame_RenewResponse{RenewResponse: &wirev1.RenewResponse{CertDer: m.Cert, AgentId: m.AgentID}}
	default:
		return nil, fmt.Errorf("wire: cannot encode message type %T", m)
	}
	return f, nil
}

// fromWire converts and validates a decoded frame; every failure is a *ProtocolError.
func fromWire(f *wirev1.Frame) (Message, error) {
	switch b := f.GetBody().(type) {
	case *wirev1.Frame_Hello:
		h := b.Hello
		if len(h.Capabilities) > maxCapabilities {
			return nil, protoErr(CodeProtocol, "hello lists %d capabilities, at most %d allowed", len(h.Capabilities), maxCapabilities)
		}
		if err := shortStrings("hello", h.AgentVersion, h.Hostname, h.RenewedFrom); err != nil {
			return nil, err
		}
		if err := shortStrings("hello capability", h.Capabilities...); err != nil {
			return nil, err
		}
		return &Hello{ProtocolVersion: h.ProtocolVersion, AgentVersion: h.AgentVersion, Capabilities: h.Capabilities,
			AgentTime: fromMS(h.AgentTimeUnixMs), Hostname: h.Hostname, RenewedFrom: h.RenewedFrom}, nil
	case *wirev1.Frame_Welcome:
		w := b.Welcome
		if err := shortStrings("welcome", w.CollectorVersion, w.AgentId); err != nil {
			return nil, err
		}
		m := &Welcome{ProtocolVersion: w.ProtocolVersion, CollectorVersion: w.CollectorVersion, ServerTime: fromMS(w.ServerTimeUnixMs), AgentID: w.AgentId}
		if p := w.Policy; p != nil {
			if len(p.Codecs) > 8 {
				return nil, protoErr(CodeProtocol, "welcome lists %d codecs", len(p.Codecs))
			}
			m.Policy = Policy{MaxChunkBytes: int(p.MaxChunkBytes), MaxInventoryBytes: int64(min(p.MaxInventoryBytes, 1<<40)),
				MaxChunks: int(p.MaxChunks), HeartbeatInterval: time.Duration(max(p.HeartbeatIntervalMs, 0)) * time.Millisecond}
			for _, c := range p.Codecs {
				m.Policy.Codecs = append(m.Policy.Codecs, Codec(c))
			}
		}
		return m, nil
	case *wirev1.Frame_UploadChunk:
		return chunkFromWire(b.UploadChunk)
	case *wirev1.Frame_Ack:
		id, err := uploadID(b.Ack.UploadId)
		if err != nil {
			return nil, err
		}
		if b.Ack.ContentHash != "" {
			if err := checkHash(b.Ack.ContentHash); err != nil {
				return nil, err
			}
		}
		ack := &Ack{UploadID: id, Duplicate: b.Ack.Duplicate, ContentHash: b.Ack.ContentHash, NeedBody: b.Ack.NeedBody}
		if l := b.Ack.Link; l != nil {
			if err := shortStrings("ack link", l.Assessment, l.Device, l.By); err != nil {
				return nil, err
			}
			ack.Link = &ScopeLink{Assessment: l.Assessment, Device: l.Device, By: l.By, Problem: l.Problem}
		}
		return ack, nil
	case *wirev1.Frame_Command:
		c := b.Command
		if err := shortStrings("command", c.RequestId); err != nil {
			return nil, err
		}
		if c.RequestId == "" {
			return nil, protoErr(CodeProtocol, "command without a request id")
		}
		k := CommandKind(c.Kind)
		if k != ScanNow && k != Cancel && k != Discover {
			return nil, protoErr(CodeProtocol, "command %q: unknown kind %d", c.RequestId, int32(c.Kind))
		}
		return commandFromWire(c, k)
	case *wirev1.Frame_JobProgress:
		return progressFromWire(b.JobProgress)
	case *wirev1.Frame_CommandResult:
		r := b.CommandResult
		if err := shortStrings("command result", r.RequestId); err != nil {
			return nil, err
		}
		if len(r.Error) > maxMessageString {
			return nil, protoErr(CodeProtocol, "command result error message is %d bytes", len(r.Error))
		}
		m := &CommandResult{RequestID: r.RequestId, OK: r.Ok, Error: r.Error, ContentHash: r.ContentHash}
		if len(r.UploadId) > 0 {
			id, err := uploadID(r.UploadId)
			if err != nil {
				return nil, err
			}
			m.UploadID = id
		}
		return m, nil
	case *wirev1.Frame_Heartbeat:
		h := b.Heartbeat
		return &Heartbeat{Time: fromMS(h.TimeUnixMs), SpoolItems: int(h.SpoolItems), SpoolDropped: h.SpoolDropped}, nil
	case *wirev1.Frame_Error:
		if len(b.Error.Message) > maxMessageString {
			return nil, protoErr(CodeProtocol, "error message is %d bytes, at most %d allowed", len(b.Error.Message), maxMessageString)
		}
		return &Error{Code: Code(b.Error.Code), Message: b.Error.Message}, nil
	case *wirev1.Frame_EnrolRequest:
		r := b.EnrolRequest
		if len(r.Token) > maxToken || len(r.CsrDer) > maxDER {
			return nil, protoErr(CodeProtocol, "enrolment request: token or CSR too long")
		}
		if err := shortStrings("enrolment request", r.Hostname, r.AgentVersion); err != nil {
			return nil, err
		}
		return &EnrolRequest{Token: r.Token, CSR: r.CsrDer, Hostname: r.Hostname, AgentVersion: r.AgentVersion}, nil
	case *wirev1.Frame_EnrolResponse:
		r := b.EnrolResponse
		if len(r.CertDer) > maxDER || len(r.CaDer) > maxDER {
			return nil, protoErr(CodeProtocol, "enrolment response: certificate too long")
		}
		if err := shortStrings("enrolment response", r.AgentId); err != nil {
			return nil, err
		}
		return &EnrolResponse{Cert: r.CertDer, CA: r.CaDer, AgentID: r.AgentId}, nil
	case *wirev1.Frame_RenewRequest:
		if len(b.RenewRequest.CsrDer) > maxDER {
			return nil, protoErr(CodeProtocol, "renewal request: CSR too long")
		}
		return &RenewRequest{CSR: b.RenewRequest.CsrDer}, nil
	case *wirev1.Frame_RenewResponse:
		r := b.RenewResponse
		if len(r.CertDer) > maxDER {
			return nil, protoErr(CodeProtocol, "renewal response: certificate too long")
		}
		if err := shortStrings("renewal response", r.AgentId); err != nil {
			return nil, err
		}
		return &RenewResponse{Cert: r.CertDer, AgentID: r.AgentId}, nil
	}
	return nil, protoErr(CodeProtocol, "frame carries no known message")
}

func chunkFromWire(c *wirev1.UploadChunk) (Message, error) {
	id, err := uploadID(c.UploadId)
	if err != nil {
		return nil, err
	}
	m := &UploadChunk{UploadID: id, Index: int(c.Index), Total: int(c.Total), Data: c.Data, Codec: Codec(c.Codec),
		ContentHash: c.ContentHash, RawSize: int64(min(c.RawSize, 1<<62)), CollectedAt: fromMS(c.CollectedAtUnixMs),
		RequestID: c.RequestId, Reference: c.Reference, Payload: PayloadKind(c.Payload)}
	if err := shortStrings("upload", c.RequestId); err != nil {
		return nil, err
	}
	switch {
	case c.Reference && (c.Total != 0 || len(c.Data) != 0 || c.Index != 0):
		return nil, protoErr(CodeProtocol, "upload %s: a reference upload carries no chunks", id)
	case !c.Reference && c.Index >= c.Total:
		return nil, protoErr(CodeProtocol, "upload %s: chunk index %d of %d", id, c.Index, c.Total)
	case c.Index == 0 && !c.Reference && !m.Codec.Valid():
		return nil, protoErr(CodeProtocol, "upload %s: unknown codec %d", id, int32(c.Codec))
	case m.Payload != PayloadInventory && m.Payload != PayloadDiscovery:
		return nil, protoErr(CodeProtocol, "upload %s: unknown payload kind %d", id, int32(c.Payload))
	}
	if c.Index == 0 {
		if err := checkHash(c.ContentHash); err != nil {
			return nil, err
		}
		if c.CollectedAtUnixMs == 0 {
			return nil, protoErr(CodeProtocol, "upload %s: collected_at is missing", id)
		}
	}
	return m, nil
}

func uploadID(b []byte) (UploadID, error) {
	var id UploadID
	if len(b) != len(id) {
		return id, protoErr(CodeProtocol, "upload id is %d bytes, want %d", len(b), len(id))
	}
	copy(id[:], b)
	if id.IsZero() {
		return id, protoErr(CodeProtocol, "upload id is all zero")
	}
	return id, nil
}

func checkHash(h string) error {
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 || hex.EncodeToString(b) != h {
		return protoErr(CodeProtocol, "content hash %.80q: want 64 lower-case hex characters", h)
	}
	return nil
}

func shortStrings(what string, ss ...string) error {
	for _, s := range ss {
		if len(s) > maxShortString {
			return protoErr(CodeProtocol, "%s: field of %d bytes, at most %d allowed", what, len(s), maxShortString)
		}
	}
	return nil
}
