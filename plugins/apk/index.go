package apk

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// index is the content of one APKINDEX.tar.gz.
type index struct {
	// Description is the DESCRIPTION file, such as "v3.20.3-94-g6a1d1f4b0b4".
	Description string
	Packages    []record
}

// parseIndexArchive reads an APKINDEX.tar.gz: a signature tar segment and the index tar
// segment, each gzip-compressed and concatenated (gzip.Reader reads both streams; the
// signature segment carries no end-of-archive blocks, so tar reads on into the next).
func parseIndexArchive(r io.Reader) (index, error) {
	var idx index
	zr, err := gzip.NewReader(r)
	if err != nil {
		return idx, err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	found := false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return idx, err
		}
		switch h.Name {
		case "DESCRIPTION":
			b, err := io.ReadAll(io.LimitReader(tr, 4096))
			if err != nil {
				return idx, fmt.Errorf("DESCRIPTION: %w", err)
			}
			idx.Description = strings.TrimSpace(string(b))
		case "APKINDEX":
			found = true
			if err := parseStanzas(tr, func(rec record) error {
				idx.Packages = append(idx.Packages, rec)
				return nil
			}); err != nil {
				return idx, fmt.Errorf("APKINDEX: %w", err)
			}
		}
	}
	if !found {
		return idx, errors.New("archive has no APKINDEX file")
	}
	return idx, nil
}
