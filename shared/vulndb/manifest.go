package vulndb

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// FormatVersion is the layout version of a snapshot directory.
const FormatVersion = 1

// File names inside a snapshot directory <dir>/<hash>/.
const (
	ManifestFile = "manifest.json"
	RecordsFile  = "records.jsonl.gz"
)

// Manifest describes one snapshot. Hash is the hex SHA-256 of the uncompressed records file:
// every stored record as compact JSON (the source's bytes with insignificant space removed),
// one per line, sorted by id. It names the snapshot directory.
type Manifest struct {
	Format  int       `json:"format"`
	Hash    string    `json:"hash"`
	Created time.Time `json:"created"`
	Sources []Source  `json:"sources"`
	// Records counts stored records, withdrawn ones included.
	Records   int `json:"records"`
	Withdrawn int `json:"withdrawn"`
	// Duplicates counts documents whose id was already read (the later-modified copy is kept).
	Duplicates int `json:"duplicates"`
	// Ecosystems counts stored records per base ecosystem they have a matchable entry in;
	// Releases counts them per normalised "Base:Release" (or bare "Base").
	Ecosystems map[string]int `json:"ecosystems"`
	Releases   map[string]int `json:"releases"`
	// UnknownEcosystems counts affected entries per ecosystem string the OSV schema does not
	// know; such entries are stored and never matched.
	UnknownEcosystems map[string]int `json:"unknown_ecosystems,omitempty"`
	Problems          []Problem      `json:"problems"`
}

// Dir returns the snapshot directory of the manifest under the vulndb directory dir.
func (m Manifest) Dir(dir string) string { return filepath.Join(dir, m.Hash) }

func readManifest(path string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(path)
	if err != nil {
		return m, fmt.Errorf("read snapshot manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("snapshot manifest %s is corrupted (re-import the snapshot): %w", path, err)
	}
	if m.Format != FormatVersion {
		return m, fmt.Errorf("snapshot manifest %s has format %d, this build reads %d", path, m.Format, FormatVersion)
	}
	return m, nil
}
