package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	wirev1 "github.com/ceplus/ceplus/shared/wire/proto/ceplus/wire/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
)

const hashA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

var when = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// sampleMessages has one valid message of every type.
func sampleMessages() []Message {
	id := UploadID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	return []Message{
		&Hello{ProtocolVersion: 1, AgentVersion: "1.0", Capabilities: []string{"scan_now", "zstd"}, AgentTime: when, Hostname: "pc-1"},
		&Welcome{ProtocolVersion: 1, CollectorVersion: "1.0", ServerTime: when, AgentID: "ab",
			Policy: Policy{MaxChunkBytes: 1024, MaxInventoryBytes: 1 << 20, MaxChunks: 8, Codecs: []Codec{CodecGzip, CodecZstd}, HeartbeatInterval: time.Minute}},
		&UploadChunk{UploadID: id, Index: 0, Total: 2, Data: []byte("abc"), ContentHash: hashA, Codec: CodecZstd, RawSize: 9, CollectedAt: when, RequestID: "r1"},
		&UploadChunk{UploadID: id, ContentHash: hashA, CollectedAt: when, Reference: true},
		&Ack{UploadID: id, Duplicate: true, ContentHash: hashA},
		&Ack{UploadID: id, ContentHash: hashA, Link: &ScopeLink{Assessment: "asm-1", Device: "laptop-1", By: "hostname"}},
		&Ack{UploadID: id, ContentHash: hashA, Link: &ScopeLink{Assessment: "asm-1", Problem: "no scope entry has hostname pc-9"}},
		&Command{RequestID: "r1", Kind: ScanNow},
		&CommandResult{RequestID: "r1", OK: true, UploadID: id, ContentHash: hashA},
		&Heartbeat{Time: when, SpoolItems: 3, SpoolDropped: 1},
		&Error{Code: CodeTokenUsed, Message: "token already used"},
		&EnrolRequest{Token: "t", CSR: []byte{1, 2}, Hostname: "pc", AgentVersion: "1"},
		&EnrolResponse{Cert: []byte{1}, CA: []byte{2}, AgentID: "ab"},
		&RenewRequest{CSR: []byte{3}},
		&RenewResponse{Cert: []byte{4}, AgentID: "cd"},
	}
}

func TestFrameRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		var buf bytes.Buffer
		if err := WriteFrame(&buf, m); err != nil {
			t.Fatalf("WriteFrame(%T): %v", m, err)
		}
		raw := append([]byte(nil), buf.Bytes()...)
		got, err := ReadFrame(&buf, DefaultMaxFrame)
		if err != nil {
			t.Fatalf("ReadFrame(%T): %v", m, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("%T round trip (-want +got):\n%s", m, diff)
		}
		got2, n, err := DecodeFrame(raw, DefaultMaxFrame)
		if err != nil || n != len(raw) {
			t.Fatalf("DecodeFrame(%T) = %d, %v; want %d bytes", m, n, err, len(raw))
		}
		if diff := cmp.Diff(m, got2); diff != "" {
			t.Errorf("%T DecodeFrame (-want +got):\n%s", m, diff)
		}
	}
}

func header(version byte, n uint32) []byte {
	h := []byte{version, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[1:], n)
	return h
}

func TestReadFrameRejects(t *testing.T) {
	good, err := Marshal(&Command{RequestID: "x", Kind: ScanNow})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input []byte
		code  Code
	}{
		{name: "oversized length", input: header(1, 1<<31), code: CodeFrameTooLarge},
		{name: "just over the limit", input: header(1, 1025), code: CodeFrameTooLarge},
		{name: "wrong version", input: append([]byte{2}, good[1:]...), code: CodeUnsupportedVersion},
		{name: "empty frame", input: header(1, 0), code: CodeProtocol},
		{name: "garbage payload", input: append(header(1, 4), 0xff, 0xff, 0xff, 0xff), code: CodeProtocol},
		{name: "no message", input: append(header(1, 2), 0x78, 0x00), code: CodeProtocol},
		{name: "truncated payload", input: good[:len(good)-1], code: CodeProtocol},
		{name: "truncated header", input: good[:3], code: CodeProtocol},
		{name: "command without kind", input: mustMarshal(t, &Command{RequestID: "x"}), code: CodeProtocol},
		{name: "short upload id", input: mustMarshalRaw(t, &UploadChunk{Total: 1, ContentHash: hashA, Codec: CodecGzip, CollectedAt: when}), code: CodeProtocol},
		{name: "chunk index past total", input: mustMarshal(t, &UploadChunk{UploadID: NewUploadID(), Index: 2, Total: 2}), code: CodeProtocol},
		{name: "bad content hash", input: mustMarshal(t, &UploadChunk{UploadID: NewUploadID(), Total: 1, ContentHash: strings.ToUpper(hashA), Codec: CodecGzip, CollectedAt: when}), code: CodeProtocol},
		{name: "unknown codec", input: mustMarshal(t, &UploadChunk{UploadID: NewUploadID(), Total: 1, ContentHash: hashA, Codec: 9, CollectedAt: when}), code: CodeProtocol},
		{name: "long hostname", input: mustMarshal(t, &Hello{Hostname: strings.Repeat("h", 300)}), code: CodeProtocol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(tc.input), 1024)
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("ReadFrame = %v, want a *ProtocolError", err)
			}
			if pe.Code != tc.code {
				t.Errorf("code = %s, want %s (%v)", pe.Code, tc.code, err)
			}
		})
	}
}

func TestReadFrameCleanEOF(t *testing.T) {
	if _, err := ReadFrame(bytes.NewReader(nil), DefaultMaxFrame); err != io.EOF {
		t.Fatalf("ReadFrame(empty) = %v, want io.EOF", err)
	}
}

// mustMarshal encodes m without validation (the sender side does not validate).
func mustMarshal(t *testing.T, m Message) []byte {
	t.Helper()
	b, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustMarshalRaw encodes a chunk whose upload id is only 3 bytes long.
func mustMarshalRaw(t *testing.T, c *UploadChunk) []byte {
	t.Helper()
	f, err := toWire(c)
	if err != nil {
		t.Fatal(err)
	}
	f.GetUploadChunk().UploadId = []byte{1, 2, 3}
	return encodeWire(t, f)
}

// encodeWire frames a generated message as is.
func encodeWire(t *testing.T, f *wirev1.Frame) []byte {
	t.Helper()
	p, err := proto.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return append(header(FrameVersion, uint32(len(p))), p...)
}
