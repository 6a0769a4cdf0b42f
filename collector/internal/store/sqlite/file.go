package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// headerMagic opens every SQLite 3 database file.
const headerMagic = "SQLite format 3\x00"

// checkFile makes sure path is absent (it is then created empty, mode 0600), empty, or starts
// like an intact SQLite database, before the SQLite library touches it: garbage or a truncated
// copy is refused with store.ErrNotDatabase, naming the file, and left as it is.
func checkFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("open store: create %s: %w", path, err)
	}
	f, err = os.Open(path)
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("open store: %s is not a regular file: %w", path, store.ErrNotDatabase)
	}
	if st.Size() == 0 {
		return nil // a new database that was never written: SQLite initialises it
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return refuse(path, fmt.Sprintf("it is only %d bytes long, shorter than a SQLite header (truncated?)", st.Size()))
		}
		return fmt.Errorf("open store: read %s: %w", path, err)
	}
	return checkHeader(path, hdr, st.Size(), walInUse(path))
}

// checkHeader validates the 100-byte header against the file size. With a non-empty WAL
// beside it the size is not checked: an interrupted checkpoint can leave the file shorter than
// its header says until SQLite replays the WAL.
func checkHeader(path string, hdr []byte, size int64, wal bool) error {
	if string(hdr[:16]) != headerMagic {
		return refuse(path, "it does not start with the SQLite header")
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0 {
		return refuse(path, fmt.Sprintf("its header gives an impossible page size %d", pageSize))
	}
	if wal {
		return nil
	}
	if size%pageSize != 0 {
		return refuse(path, fmt.Sprintf("its size %d is not a whole number of %d-byte pages (truncated?)", size, pageSize))
	}
	changeCounter := binary.BigEndian.Uint32(hdr[24:28])
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	validFor := binary.BigEndian.Uint32(hdr[92:96])
	if validFor == changeCounter && pages > 0 && size < pages*pageSize {
		return refuse(path, fmt.Sprintf("it holds %d bytes but its header says %d pages of %d bytes (truncated)", size, pages, pageSize))
	}
	return nil
}

// walInUse reports whether a non-empty write-ahead log lies beside the database.
func walInUse(path string) bool {
	st, err := os.Stat(path + "-wal")
	return err == nil && st.Size() > 0
}

func refuse(path, why string) error {
	return fmt.Errorf("open store: %s is %w: %s; restore it from a backup, or move it away to start afresh (ceplus never overwrites it)", path, store.ErrNotDatabase, why)
}
