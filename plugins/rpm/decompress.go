package rpm

import (
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// openMetadata opens a metadata file and undoes the compression its extension names.
func openMetadata(fsys fs.FS, name string) (io.ReadCloser, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	r, err := decompress(f, path.Ext(name))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return r, nil
}

// decompress wraps f in the decompressor for a file extension. The returned ReadCloser
// closes f.
func decompress(f io.ReadCloser, ext string) (io.ReadCloser, error) {
	switch ext {
	case ".gz":
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		return readCloser{zr, f}, nil
	case ".bz2":
		return readCloser{bzip2.NewReader(f), f}, nil
	case ".xz":
		zr, err := xz.NewReader(f)
		if err != nil {
			return nil, err
		}
		return readCloser{zr, f}, nil
	case ".zst", ".zstd":
		zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return readCloser{zr.IOReadCloser(), zstdCloser{zr, f}}, nil
	case ".zck":
		return nil, fmt.Errorf("zchunk compression is not supported")
	}
	return f, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type zstdCloser struct {
	d *zstd.Decoder
	f io.Closer
}

func (z zstdCloser) Close() error {
	z.d.Close()
	return z.f.Close()
}
