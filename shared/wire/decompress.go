package wire

import (
	"bytes"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Decompress decompresses data with codec, refusing more than limit bytes of output with a
// *ProtocolError (CodeInventoryTooLarge) and corrupt input with CodeBadInventory.
func Decompress(c Codec, data []byte, limit int64) ([]byte, error) {
	return DecompressAppend(nil, c, data, limit)
}

// DecompressAppend is Decompress appending the output to dst (which may be a reused buffer);
// on error the returned slice is dst[:0]-based garbage. The decoders are pooled: one upload
// costs no decoder state of its own.
func DecompressAppend(dst []byte, c Codec, data []byte, limit int64) ([]byte, error) {
	var r io.Reader
	switch c {
	case CodecGzip:
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(bytes.NewReader(data))
		} else {
			err = zr.Reset(bytes.NewReader(data))
		}
		if err != nil {
			return dst, protoErr(CodeBadInventory, "gzip: %v", err)
		}
		defer gzipReaders.Put(zr)
		r = zr
	case CodecZstd:
		zr, _ := zstdReaders.Get().(*zstd.Decoder)
		var err error
		if zr == nil {
			// Concurrency 1 decodes synchronously, without goroutines of its own, so a pooled
			// decoder that the pool drops needs no Close.
			zr, err = zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderMaxMemory(2*maxZstdWindow), zstd.WithDecoderMaxWindow(maxZstdWindow))
		} else {
			err = zr.Reset(bytes.NewReader(data))
		}
		if err != nil {
			return dst, protoErr(CodeBadInventory, "zstd: %v", err)
		}
		defer func() {
			_ = zr.Reset(nil) // drop the reference to data
			zstdReaders.Put(zr)
		}()
		r = zr
	default:
		return dst, protoErr(CodeProtocol, "unknown codec %s", c)
	}
	out, err := readAppend(dst, io.LimitReader(r, limit+1))
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		return out, protoErr(CodeInventoryTooLarge, "zstd frame needs more than %d bytes of window or memory: %v", maxZstdWindow, err)
	}
	if err != nil {
		return out, protoErr(CodeBadInventory, "decompress %s: %v", c, err)
	}
	if int64(len(out)-len(dst)) > limit {
		return out, protoErr(CodeInventoryTooLarge, "inventory decompresses to more than %d bytes", limit)
	}
	return out, nil
}

var gzipReaders, zstdReaders sync.Pool

// readAppend reads r to its end, appending to b (io.ReadAll into a caller's buffer).
func readAppend(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}
