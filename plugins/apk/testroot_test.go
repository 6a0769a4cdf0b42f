package apk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// fixtureIndexes maps the repositories of testdata/roots/alpine320/etc/apk/repositories to
// the directories of testdata/indexes holding their DESCRIPTION and APKINDEX.
var fixtureIndexes = map[string]string{
	"https://dl-cdn.alpinelinux.org/alpine/v3.20/main":      "main",
	"https://dl-cdn.alpinelinux.org/alpine/v3.20/community": "community",
	"https://dl-cdn.alpinelinux.org/alpine/edge/testing":    "testing",
}

// alpineRoot copies the alpine320 root into a temporary directory and writes the cached
// index of each repository, named as apk names it, built from indexes (repository URL →
// APKINDEX text) or, when indexes is nil, from testdata/indexes.
func alpineRoot(t testing.TB, indexes map[string][]byte) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "alpine320")
	if err := os.CopyFS(root, os.DirFS("testdata/roots/alpine320")); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(root, "var/cache/apk")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	for url, dir := range fixtureIndexes {
		desc, err := os.ReadFile(filepath.Join("testdata/indexes", dir, "DESCRIPTION"))
		if err != nil {
			t.Fatal(err)
		}
		text := indexes[url]
		if indexes == nil {
			if text, err = os.ReadFile(filepath.Join("testdata/indexes", dir, "APKINDEX")); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(cache, cacheName(url)), indexArchive(t, desc, text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// indexArchive builds an APKINDEX.tar.gz as abuild-sign leaves it: a gzip stream holding a
// tar segment with the signature and no end-of-archive blocks, followed by a gzip stream
// holding DESCRIPTION and APKINDEX.
func indexArchive(t testing.TB, desc, text []byte) []byte {
	t.Helper()
	return indexArchiveFiles(t, [][2]string{{"DESCRIPTION", string(desc)}, {"APKINDEX", string(text)}})
}

// indexArchiveFiles builds a signed-index layout whose second segment holds files.
func indexArchiveFiles(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var out bytes.Buffer
	segment := func(files [][2]string, terminate bool) {
		zw := gzip.NewWriter(&out)
		tw := tar.NewWriter(zw)
		for _, f := range files {
			if err := tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write([]byte(f[1])); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		if terminate {
			err = tw.Close()
		} else {
			err = tw.Flush()
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	segment([][2]string{{".SIGN.RSA.alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub", "\x30\x82fixture-signature"}}, false)
	segment(files, true)
	return out.Bytes()
}
