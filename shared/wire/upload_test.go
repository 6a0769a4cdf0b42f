package wire

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestUploadChunksReassemble(t *testing.T) {
	var sb strings.Builder
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		fmt.Fprintf(&sb, `{"name":"lib%x","version":"%d.%d-%d"},`, rnd.Uint64(), rnd.IntN(9), rnd.IntN(99), rnd.IntN(9))
	}
	raw := []byte(sb.String())
	for _, codec := range []Codec{CodecGzip, CodecZstd} {
		t.Run(codec.String(), func(t *testing.T) {
			body, err := Compress(codec, raw)
			if err != nil {
				t.Fatal(err)
			}
			up := &Upload{ID: NewUploadID(), ContentHash: hashA, Codec: codec, RawSize: int64(len(raw)), CollectedAt: when, Body: body}
			chunks := up.Chunks(1000)
			if len(chunks) < 2 {
				t.Fatalf("%d chunks of a %d-byte body, want several", len(chunks), len(body))
			}
			a := NewAssembler(DefaultLimits)
			for i := range chunks {
				// through the codec, as on the wire
				m, _, err := DecodeFrame(mustMarshal(t, &chunks[i]), DefaultMaxFrame)
				if err != nil {
					t.Fatalf("chunk %d: %v", i, err)
				}
				done, err := a.Add(m.(*UploadChunk))
				if err != nil {
					t.Fatalf("Add chunk %d: %v", i, err)
				}
				if done != (i == len(chunks)-1) {
					t.Fatalf("chunk %d: done = %v", i, done)
				}
			}
			got := a.Upload()
			back, err := Decompress(got.Codec, got.Body, int64(len(raw)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, raw) || got.ID != up.ID || got.ContentHash != hashA {
				t.Errorf("reassembled upload differs")
			}
		})
	}
}

func TestAssemblerLimits(t *testing.T) {
	id := NewUploadID()
	lim := Limits{MaxFrame: DefaultMaxFrame, MaxChunkData: 10, MaxChunks: 3, MaxInventory: 25}
	first := func(total int) *UploadChunk {
		return &UploadChunk{UploadID: id, Total: total, Data: []byte("0123456789"), ContentHash: hashA, Codec: CodecGzip, CollectedAt: when}
	}
	tests := []struct {
		name   string
		chunks []*UploadChunk
		code   Code
	}{
		{name: "too many chunks", chunks: []*UploadChunk{first(4)}, code: CodeTooManyChunks},
		{name: "chunk too large", chunks: []*UploadChunk{{UploadID: id, Total: 1, Data: make([]byte, 11)}}, code: CodeFrameTooLarge},
		{name: "body too large", chunks: []*UploadChunk{first(3), {UploadID: id, Index: 1, Total: 3, Data: make([]byte, 10)}, {UploadID: id, Index: 2, Total: 3, Data: make([]byte, 10)}}, code: CodeInventoryTooLarge},
		{name: "announced size too large", chunks: []*UploadChunk{{UploadID: id, Total: 1, RawSize: 26}}, code: CodeInventoryTooLarge},
		{name: "out of order", chunks: []*UploadChunk{first(3), {UploadID: id, Index: 2, Total: 3}}, code: CodeProtocol},
		{name: "other upload id", chunks: []*UploadChunk{first(3), {UploadID: NewUploadID(), Index: 1, Total: 3}}, code: CodeProtocol},
		{name: "total changes", chunks: []*UploadChunk{first(3), {UploadID: id, Index: 1, Total: 2}}, code: CodeProtocol},
		{name: "starts mid-way", chunks: []*UploadChunk{{UploadID: id, Index: 1, Total: 3}}, code: CodeProtocol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAssembler(lim)
			var err error
			for _, c := range tc.chunks {
				if _, err = a.Add(c); err != nil {
					break
				}
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Code != tc.code {
				t.Fatalf("Add = %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestDecompressLimits(t *testing.T) {
	bomb := make([]byte, 10<<20) // 10 MB of zeros compresses to a few KB
	for _, codec := range []Codec{CodecGzip, CodecZstd} {
		t.Run(codec.String(), func(t *testing.T) {
			z, err := Compress(codec, bomb)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decompress(codec, z, 1<<20); CodeOf(err) != CodeInventoryTooLarge {
				t.Errorf("Decompress of a 10 MB bomb with a 1 MB limit = %v, want %s", err, CodeInventoryTooLarge)
			}
			if _, err := Decompress(codec, []byte("not compressed at all"), 1<<20); CodeOf(err) != CodeBadInventory {
				t.Errorf("Decompress(garbage) = %v, want %s", err, CodeBadInventory)
			}
		})
	}
}
