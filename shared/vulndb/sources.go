package vulndb

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrSource is wrapped by Import's error when a source cannot be read as OSV input: a path
// that does not exist, a file that is neither an all.zip nor a .json record, a corrupt zip.
var ErrSource = errors.New("unreadable import source")

// Source is one input of an import, with the SHA-256 that pins it. For a directory the hash is
// over the sorted lines "<sha256 of file>  <relative path>\n" of its *.json files (the
// sha256sum format), so it changes when any record file changes, is added or is removed.
type Source struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"` // "zip", "dir" or "file"
	SHA256  string `json:"sha256"`
	Records int    `json:"records"`
}

// readSource calls fn for every JSON document of the source at path (an OSV all.zip, a
// directory of *.json records, or one *.json record) with a label naming the document.
func readSource(ctx context.Context, path string, fn func(label string, raw []byte) error) (Source, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Source{}, fmt.Errorf("import source %s: %w: %w", path, ErrSource, err)
	}
	switch {
	case fi.IsDir():
		return readDir(ctx, path, fn)
	case strings.EqualFold(filepath.Ext(path), ".zip"):
		return readZip(ctx, path, fn)
	case strings.EqualFold(filepath.Ext(path), ".json"):
		raw, err := os.ReadFile(path)
		if err != nil {
			return Source{}, fmt.Errorf("import source %s: %w", path, err)
		}
		sum := sha256.Sum256(raw)
		return Source{Path: path, Kind: "file", SHA256: hex.EncodeToString(sum[:])}, fn(path, raw)
	}
	return Source{}, fmt.Errorf("import source %s: %w: not an OSV all.zip, a .json record or a directory of them", path, ErrSource)
}

func readZip(ctx context.Context, path string, fn func(string, []byte) error) (Source, error) {
	src := Source{Path: path, Kind: "zip"}
	f, err := os.Open(path)
	if err != nil {
		return src, fmt.Errorf("import source %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return src, fmt.Errorf("import source %s: read: %w", path, err)
	}
	src.SHA256 = hex.EncodeToString(h.Sum(nil))
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return src, fmt.Errorf("import source %s: %w: not a readable zip (re-download the OSV all.zip): %w", path, ErrSource, err)
	}
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return src, err
		}
		if zf.FileInfo().IsDir() || !strings.EqualFold(filepath.Ext(zf.Name), ".json") {
			continue
		}
		raw, err := readZipFile(zf)
		if err != nil {
			return src, fmt.Errorf("import source %s: %w: member %s (re-download the OSV all.zip): %w", path, ErrSource, zf.Name, err)
		}
		if err := fn(path+"!"+zf.Name, raw); err != nil {
			return src, err
		}
	}
	return src, nil
}

func readZipFile(zf *zip.File) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func readDir(ctx context.Context, dir string, fn func(string, []byte) error) (Source, error) {
	src := Source{Path: dir, Kind: "dir"}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return src, fmt.Errorf("import source %s: %w", dir, err)
	}
	slices.Sort(files)
	h := sha256.New()
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return src, err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return src, fmt.Errorf("import source %s: %w", dir, err)
		}
		rel, _ := filepath.Rel(dir, p) // p is under dir: Rel cannot fail
		sum := sha256.Sum256(raw)
		fmt.Fprintf(h, "%s  %s\n", hex.EncodeToString(sum[:]), filepath.ToSlash(rel))
		if err := fn(p, raw); err != nil {
			return src, err
		}
	}
	src.SHA256 = hex.EncodeToString(h.Sum(nil))
	return src, nil
}
