package wire

import (
	"testing"
)

// FuzzDecodeFrame feeds arbitrary bytes to the decoder and the upload assembler: they must
// return a message or an error, never panic, and a decoded message must encode again.
func FuzzDecodeFrame(f *testing.F) {
	for _, m := range sampleMessages() {
		b, err := Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(header(1, 1<<31))
	f.Add(append(header(1, 3), 0x1a, 0x01, 0x0a))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, n, err := DecodeFrame(b, DefaultMaxFrame)
		if err != nil {
			if CodeOf(err) == CodeOK {
				t.Fatalf("error %v carries code OK", err)
			}
			return
		}
		if n < HeaderSize || n > len(b) {
			t.Fatalf("DecodeFrame consumed %d of %d bytes", n, len(b))
		}
		if _, err := Marshal(m); err != nil {
			t.Fatalf("decoded %T does not encode again: %v", m, err)
		}
		if c, ok := m.(*UploadChunk); ok {
			a := NewAssembler(Limits{MaxFrame: DefaultMaxFrame, MaxChunkData: 1 << 10, MaxChunks: 4, MaxInventory: 1 << 12})
			if done, err := a.Add(c); err == nil && done && !c.Reference {
				_, _ = Decompress(c.Codec, a.Upload().Body, 1<<12) // errors are expected; panics are not
			}
		}
	})
}
