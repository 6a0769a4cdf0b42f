package dpkg

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

const listSample = `Package: keep
Version: 2.0-1
Architecture: amd64
Depends: libc6 (>= 2.34),
 libfoo (>= 1)
Description: long
 text

Package: skip
Version: 9.9
Architecture: amd64

Source: keep-src (2.0)
Package: keep
Version: 2.0-1
Architecture: all
Size: 123
`

// TestOpenListCompressions reads the same list in every compression apt may keep, each made by
// an encoder at test time (bzip2 only when the bzip2 tool is installed).
func TestOpenListCompressions(t *testing.T) {
	plain := []byte(listSample)
	enc := map[string]func(io.Writer) (io.WriteCloser, error){
		"":    func(w io.Writer) (io.WriteCloser, error) { return nopCloser{w}, nil },
		".gz": func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil },
		".xz": func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) },
		".lz4": func(w io.Writer) (io.WriteCloser, error) {
			zw := lz4.NewWriter(w)
			return zw, zw.Apply(lz4.BlockSizeOption(lz4.Block64Kb))
		},
		".zst": func(w io.Writer) (io.WriteCloser, error) { return zstd.NewWriter(w) },
	}
	fsys := fstest.MapFS{}
	for ext, mk := range enc {
		var buf bytes.Buffer
		w, err := mk(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(plain); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		fsys["l_Packages"+ext] = &fstest.MapFile{Data: buf.Bytes()}
	}
	if _, err := exec.LookPath("bzip2"); err == nil {
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(plain)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		fsys["l_Packages.bz2"] = &fstest.MapFile{Data: out}
	}
	for name := range fsys {
		t.Run(name, func(t *testing.T) {
			rc, err := openList(fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			var got []string
			err = scanPackages(context.Background(), rc, func(n []byte) bool { return string(n) == "keep" }, func(st *listStanza) {
				got = append(got, string(st.Package)+" "+string(st.Version)+" "+string(st.Arch)+" "+string(st.Source))
			})
			if err != nil {
				t.Fatal(err)
			}
			want := "keep 2.0-1 amd64 |keep 2.0-1 all keep-src (2.0)"
			if strings.Join(got, "|") != want {
				t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
			}
		})
	}
	if _, err := openList(fstest.MapFS{"x.gz": {Data: []byte("not gzip")}}, "x.gz"); err == nil {
		t.Error("corrupt gzip accepted")
	}
}

func TestScanPackagesHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := strings.Repeat("Package: a\nVersion: 1\n\n", 10000)
	err := scanPackages(ctx, strings.NewReader(big), func([]byte) bool { return true }, func(*listStanza) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestIdentIgnoresFormatting(t *testing.T) {
	parse := func(s string) verIdent {
		var f identFields
		var arch []byte
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(line, " ") {
				f.continued([]byte(line))
				continue
			}
			if k, v, ok := field([]byte(line)); ok {
				if keyIs(k, "Architecture") {
					arch = append([]byte(nil), v...)
				}
				f.add(k, v)
			}
		}
		return f.ident(arch)
	}
	a := parse("Architecture: amd64\nDepends: libc6 (>= 2.34), libfoo (>= 0:1)\nInstalled-Size: 10")
	b := parse("Installed-Size: 10\nArchitecture: amd64\nDepends: libc6 (>=2.34),\n libfoo (>> 1)")
	c := parse("Installed-Size: 10\nArchitecture: amd64\nDepends: libc6 (>= 2.35), libfoo (>> 1)")
	if a.hash == b.hash {
		t.Error(">= and >> hash alike")
	}
	b2 := parse("Installed-Size: 10\nArchitecture: amd64\nDepends: libc6 (>=2.34),\n libfoo (>  1)")
	if !a.sameBuild(b2) {
		t.Error("blanks, '=', 0: epochs and line folding changed the identity")
	}
	if a.sameBuild(c) {
		t.Error("different dependencies, same identity")
	}
	ma := parse("Architecture: amd64\nMulti-Arch: same")
	if ma.sameBuild(parse("Architecture: amd64")) || !parse("Architecture: all\nMulti-Arch: same").sameBuild(parse("Architecture: all")) {
		t.Error("Multi-Arch handling")
	}
	if parse("Size: 1").sameBuild(parse("Size: 2")) || !parse("Size: 1").sameBuild(parse("")) {
		t.Error("Size handling")
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
