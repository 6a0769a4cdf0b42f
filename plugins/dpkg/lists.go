package dpkg

import (
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// listExts are the compressions apt may keep its lists in (Acquire::GzipIndexes and
// Acquire::CompressionTypes), in the order this package prefers them when several exist.
var listExts = []string{"", ".lz4", ".gz", ".zst", ".xz", ".bz2"}

// openList opens a list file from fsys and decompresses it according to its extension.
func openList(fsys fs.FS, name string) (io.ReadCloser, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	var r io.Reader
	closeAll := f.Close
	switch {
	case strings.HasSuffix(name, ".gz"):
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		r = zr
	case strings.HasSuffix(name, ".lz4"):
		r = lz4.NewReader(f)
	case strings.HasSuffix(name, ".xz"):
		xr, err := xz.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		r = xr
	case strings.HasSuffix(name, ".zst"):
		zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		r = zr
		closeAll = func() error { zr.Close(); return f.Close() }
	case strings.HasSuffix(name, ".bz2"):
		r = bzip2.NewReader(f)
	default:
		r = f
	}
	return readCloser{r, closeAll}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (rc readCloser) Close() error { return rc.close() }

// listStanza is the part of one Packages stanza that candidate selection needs. Its byte
// slices are reused between stanzas: copy what you keep.
type listStanza struct {
	Package, Version, Arch, Source []byte
	Ident                          identFields
}

func (st *listStanza) reset() {
	st.Package, st.Version, st.Arch, st.Source = st.Package[:0], st.Version[:0], st.Arch[:0], st.Source[:0]
	st.Ident.reset()
}

// scanPackages streams an apt Packages list. For each stanza whose Package want accepts, it
// calls keep. Only a few short fields are copied per stanza, into reused buffers, so a 90 MB
// list is read in constant memory; a stanza whose Package field comes first and is not wanted
// is skipped without looking at its other fields. ctx is checked every few thousand stanzas.
func scanPackages(ctx context.Context, r io.Reader, want func(name []byte) bool, keep func(*listStanza)) error {
	lr := newLineReader(r)
	var st listStanza
	// seen: the stanza has a field; skip: its Package is known and not wanted.
	seen, skip, n := false, false, 0
	flush := func() {
		if seen && !skip && len(st.Package) > 0 && want(st.Package) {
			keep(&st)
		}
		seen, skip = false, false
		st.reset()
	}
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			flush()
			return nil
		}
		if err != nil {
			return err
		}
		if len(line) == 0 || isBlank(line) {
			flush()
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			continue
		}
		if skip {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			st.Ident.continued(line)
			continue
		}
		seen = true
		key, val, ok := field(line)
		if !ok {
			continue
		}
		switch {
		case keyIs(key, "Package"):
			st.Package = append(st.Package[:0], val...)
			if !want(st.Package) {
				skip = true
			}
		case keyIs(key, "Version"):
			st.Version = append(st.Version[:0], val...)
		case keyIs(key, "Architecture"):
			st.Arch = append(st.Arch[:0], val...)
		case keyIs(key, "Source"):
			st.Source = append(st.Source[:0], val...)
		default:
			st.Ident.add(key, val)
			continue
		}
		st.Ident.cont = nil
	}
}
