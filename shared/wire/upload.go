package wire

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Limits bound what a receiver accepts on one stream.
type Limits struct {
	// MaxFrame is the largest frame payload.
	MaxFrame int
	// MaxChunkData is the largest data field of one upload chunk.
	MaxChunkData int
	// MaxChunks is the most chunks one upload may have.
	MaxChunks int
	// MaxInventory is the largest inventory document after decompression.
	MaxInventory int64
}

// DefaultLimits are the collector's limits unless configured otherwise: a 2,000-package
// inventory is about 0.5 MB of JSON and 40 KB compressed, one chunk.
var DefaultLimits = Limits{MaxFrame: DefaultMaxFrame, MaxChunkData: 256 << 10, MaxChunks: 256, MaxInventory: 64 << 20}

// NewUploadID returns a random upload id.
func NewUploadID() UploadID {
	var id UploadID
	if _, err := rand.Read(id[:]); err != nil {
		panic("wire: crypto/rand failed: " + err.Error())
	}
	return id
}

// Upload is a whole inventory upload, as the agent keeps it in its spool and the collector
// assembles it from chunks.
type Upload struct {
	ID          UploadID
	ContentHash string
	Codec       Codec
	RawSize     int64
	CollectedAt time.Time
	RequestID   string
	Reference   bool
	// Payload is what the document is (PayloadInventory unless set).
	Payload PayloadKind
	// Body is the compressed document (empty for a reference upload).
	Body []byte
}

// Chunks splits u into chunks of at most chunkSize data bytes.
func (u *Upload) Chunks(chunkSize int) []UploadChunk {
	if chunkSize <= 0 {
		chunkSize = DefaultLimits.MaxChunkData
	}
	first := UploadChunk{UploadID: u.ID, ContentHash: u.ContentHash, Codec: u.Codec, RawSize: u.RawSize,
		CollectedAt: u.CollectedAt, RequestID: u.RequestID, Reference: u.Reference, Payload: u.Payload}
	if u.Reference {
		first.Codec = 0
		return []UploadChunk{first}
	}
	total := max((len(u.Body)+chunkSize-1)/chunkSize, 1)
	out := make([]UploadChunk, 0, total)
	for i := range total {
		c := UploadChunk{UploadID: u.ID, Index: i, Total: total}
		if i == 0 {
			c = first
			c.Total = total
		}
		c.Data = u.Body[min(i*chunkSize, len(u.Body)):min((i+1)*chunkSize, len(u.Body))]
		out = append(out, c)
	}
	return out
}

// Assembler rebuilds an upload from its chunks, enforcing the limits as they arrive.
type Assembler struct {
	lim         Limits
	up          *Upload
	total, next int
	buf         bytes.Buffer
}

// NewAssembler returns an assembler with the given limits.
func NewAssembler(lim Limits) *Assembler { return &Assembler{lim: lim} }

// Add takes the next chunk and reports whether the upload is complete. Chunks must arrive in
// order, with the same upload id and total; a violation is a *ProtocolError.
func (a *Assembler) Add(c *UploadChunk) (done bool, err error) {
	if a.up == nil {
		switch {
		case c.Index != 0:
			return false, protoErr(CodeProtocol, "upload %s starts with chunk %d, want 0", c.UploadID, c.Index)
		case c.Total > a.lim.MaxChunks:
			return false, protoErr(CodeTooManyChunks, "upload %s announces %d chunks, at most %d allowed", c.UploadID, c.Total, a.lim.MaxChunks)
		case c.RawSize > a.lim.MaxInventory:
			return false, protoErr(CodeInventoryTooLarge, "upload %s announces %d bytes, at most %d allowed", c.UploadID, c.RawSize, a.lim.MaxInventory)
		}
		a.up = &Upload{ID: c.UploadID, ContentHash: c.ContentHash, Codec: c.Codec, RawSize: c.RawSize,
			CollectedAt: c.CollectedAt, RequestID: c.RequestID, Reference: c.Reference, Payload: c.Payload}
		a.total = c.Total
		if c.Reference {
			return true, nil
		}
	} else if a.up.Reference || a.next >= a.total || c.Reference || c.UploadID != a.up.ID || c.Index != a.next || c.Total != a.total {
		return false, protoErr(CodeProtocol, "upload %s: unexpected chunk %d/%d of upload %s after chunk %d/%d",
			a.up.ID, c.Index, c.Total, c.UploadID, a.next-1, a.total)
	}
	if len(c.Data) > a.lim.MaxChunkData {
		return false, protoErr(CodeFrameTooLarge, "upload %s: chunk %d holds %d bytes, at most %d allowed", a.up.ID, c.Index, len(c.Data), a.lim.MaxChunkData)
	}
	if int64(a.buf.Len()+len(c.Data)) > a.lim.MaxInventory {
		return false, protoErr(CodeInventoryTooLarge, "upload %s: compressed body exceeds %d bytes", a.up.ID, a.lim.MaxInventory)
	}
	a.buf.Write(c.Data)
	a.next++
	return a.next == a.total, nil
}

// Upload returns the assembled upload; valid once Add reported done.
func (a *Assembler) Upload() *Upload {
	if a.up != nil && !a.up.Reference {
		a.up.Body = a.buf.Bytes()
	}
	return a.up
}

// maxZstdWindow bounds the memory one zstd decoder may use, whatever the sender announces.
const maxZstdWindow = 8 << 20

// Compress compresses raw with codec.
func Compress(c Codec, raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	switch c {
	case CodecGzip:
		zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(raw); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
	case CodecZstd:
		zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(maxZstdWindow/2))
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(raw); err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
	default:
		return nil, fmt.Errorf("compress: unknown codec %s", c)
	}
	return buf.Bytes(), nil
}
