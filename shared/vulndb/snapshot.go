package vulndb

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// ErrNotFound is returned by Open when no snapshot with the hash exists.
var ErrNotFound = errors.New("snapshot not found")

// List returns the manifests of the snapshots under dir, oldest first (ties by hash). A
// directory that holds no snapshot yet gives an empty list.
func List(dir string) ([]Manifest, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots in %s: %w", dir, err)
	}
	var out []Manifest
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		m, err := readManifest(filepath.Join(dir, e.Name(), ManifestFile))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Manifest) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.Hash, b.Hash)
	})
	return out, nil
}

// Open loads the snapshot dir/<hash>, verifies that its records hash to the manifest's Hash
// (a corrupted or edited snapshot is an error telling to re-import), and builds the index.
func Open(ctx context.Context, dir, hash string) (*Snapshot, error) {
	sdir := filepath.Join(dir, hash)
	if _, err := os.Stat(filepath.Join(sdir, ManifestFile)); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open snapshot %s in %s: %w (run `vulndb list` for the available ones)", hash, dir, ErrNotFound)
	}
	m, err := readManifest(filepath.Join(sdir, ManifestFile))
	if err != nil {
		return nil, err
	}
	if m.Hash != hash {
		return nil, fmt.Errorf("snapshot %s is corrupted: its manifest names hash %s; re-import it", hash, m.Hash)
	}
	recs, err := readRecords(ctx, filepath.Join(sdir, RecordsFile), m)
	if err != nil {
		return nil, err
	}
	return newSnapshot(m, recs), nil
}

func readRecords(ctx context.Context, path string, m Manifest) ([]Record, error) {
	corrupt := func(err error) error {
		return fmt.Errorf("snapshot %s is corrupted (%s): %w; re-import it from its sources", m.Hash, path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open snapshot %s: %w", m.Hash, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, corrupt(err)
	}
	h := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(zr, h), 1<<20)
	recs := make([]Record, 0, m.Records)
	for {
		if len(recs)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var r Record
			if uerr := json.Unmarshal(line, &r); uerr != nil {
				return nil, corrupt(fmt.Errorf("record %d: %w", len(recs)+1, uerr))
			}
			recs = append(recs, r)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, corrupt(err)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != m.Hash {
		return nil, corrupt(fmt.Errorf("records hash to %s, the manifest says %s", got, m.Hash))
	}
	if len(recs) != m.Records {
		return nil, corrupt(fmt.Errorf("%d records, the manifest says %d", len(recs), m.Records))
	}
	return recs, nil
}
