package vulndb

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Progress reports an import's advance: the source being read and the documents read so far.
type Progress struct {
	Source    string
	Documents int
}

// Import reads the OSV sources at paths (all.zip files, directories of *.json records, single
// records), and writes an immutable snapshot to dir/<hash>/ with the manifest created at `at`.
// Records it cannot store (no id, not JSON) and entries it cannot match are listed in the
// manifest's Problems with their id and the reason. Importing content that is already
// present returns the existing snapshot's manifest unchanged. progress may be nil.
func Import(ctx context.Context, dir string, paths []string, at time.Time, progress func(Progress)) (Manifest, error) {
	if len(paths) == 0 {
		return Manifest{}, errors.New("vulndb import: no source given: pass OSV all.zip files or directories of OSV JSON records")
	}
	m := Manifest{Format: FormatVersion, Created: at.UTC(), Ecosystems: map[string]int{}, Releases: map[string]int{}, UnknownEcosystems: map[string]int{}, Problems: []Problem{}}
	byID := map[string]decoded{}
	docs := 0
	for _, p := range paths {
		n := 0
		src, err := readSource(ctx, p, func(label string, raw []byte) error {
			docs++
			n++
			if progress != nil && docs%5000 == 0 {
				progress(Progress{Source: p, Documents: docs})
			}
			d, ok := decodeRecord(raw, label)
			m.Problems = append(m.Problems, d.problems...)
			if !ok {
				return nil
			}
			if old, dup := byID[d.rec.ID]; dup {
				m.Duplicates++
				if !bytes.Equal(old.compact, d.compact) {
					m.Problems = append(m.Problems, Problem{ID: d.rec.ID, Source: label, Level: LevelNotice,
						Reason: "id read twice with different content; the copy with the later 'modified' is kept"})
				}
				if !newer(d.rec, old.rec, d.compact, old.compact) {
					return nil
				}
			}
			byID[d.rec.ID] = decoded{rec: d.rec, compact: d.compact}
			return nil
		})
		if err != nil {
			return Manifest{}, err
		}
		src.Records = n
		m.Sources = append(m.Sources, src)
		if progress != nil {
			progress(Progress{Source: p, Documents: docs})
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var raw bytes.Buffer
	for _, id := range ids {
		d := byID[id]
		raw.Write(d.compact)
		raw.WriteByte('\n')
		countRecord(&m, &d.rec)
	}
	sum := sha256.Sum256(raw.Bytes())
	m.Hash = hex.EncodeToString(sum[:])
	m.Records = len(ids)
	return writeSnapshot(dir, m, raw.Bytes())
}

// newer reports whether record a should replace b: the later modified wins, ties go to the
// larger bytes so that the result does not depend on the order of the sources.
func newer(a, b Record, ab, bb []byte) bool {
	ta, _, _ := ParseTime(a.Modified)
	tb, _, _ := ParseTime(b.Modified)
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return bytes.Compare(ab, bb) > 0
}

func countRecord(m *Manifest, r *Record) {
	if r.Withdrawn != "" {
		m.Withdrawn++
	}
	bases, rels := map[string]bool{}, map[string]bool{}
	for i := range r.Affected {
		c := checkEntry(&r.Affected[i])
		if c.unknown != "" {
			m.UnknownEcosystems[c.unknown]++
		}
		if c.usable {
			bases[c.eco.Base] = true
			rels[c.eco.String()] = true
		}
	}
	for b := range bases {
		m.Ecosystems[b]++
	}
	for r := range rels {
		m.Releases[r]++
	}
}

// writeSnapshot writes the records and manifest into a temporary directory and renames it to
// dir/<hash>, so a snapshot directory is either complete or absent.
func writeSnapshot(dir string, m Manifest, records []byte) (Manifest, error) {
	final := m.Dir(dir)
	if _, err := os.Stat(filepath.Join(final, ManifestFile)); err == nil {
		return readManifest(filepath.Join(final, ManifestFile))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("vulndb directory %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(dir, ".import-")
	if err != nil {
		return Manifest{}, fmt.Errorf("vulndb directory %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // after a successful rename tmp no longer exists
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if err != nil {
		return Manifest{}, err
	}
	if _, err := zw.Write(records); err != nil {
		return Manifest{}, fmt.Errorf("compress snapshot records: %w", err)
	}
	if err := zw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("compress snapshot records: %w", err)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("encode snapshot manifest: %w", err)
	}
	for name, b := range map[string][]byte{RecordsFile: gz.Bytes(), ManifestFile: append(mb, '\n')} {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o444); err != nil {
			return Manifest{}, fmt.Errorf("write snapshot: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("write snapshot: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) || strings.Contains(err.Error(), "directory not empty") {
			return readManifest(filepath.Join(final, ManifestFile)) // a concurrent import won
		}
		return Manifest{}, fmt.Errorf("write snapshot %s: %w", final, err)
	}
	return m, nil
}
