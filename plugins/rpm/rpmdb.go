package rpm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/erikvarga/go-rpmdb/pkg/bdb"
	dbi "github.com/erikvarga/go-rpmdb/pkg/db"
	"github.com/erikvarga/go-rpmdb/pkg/ndb"
)

// Database formats, by the file rpm keeps them in.
const (
	formatSQLite = "sqlite"
	formatNDB    = "ndb"
	formatBDB    = "bdb"
)

// dbDirs are where rpm keeps its database: usr/lib/sysimage/rpm on Fedora 36+ and SUSE,
// var/lib/rpm on RHEL and its rebuilds (often a symlink to the former), usr/share/rpm on old
// SUSE images.
var dbDirs = []string{"usr/lib/sysimage/rpm", "var/lib/rpm", "usr/share/rpm"}

// dbFiles maps each database file name to its format, newest format first.
var dbFiles = []struct{ name, format string }{
	{"rpmdb.sqlite", formatSQLite},
	{"Packages.db", formatNDB},
	{"Packages", formatBDB},
}

// dbFile is one rpm database file on disk.
type dbFile struct {
	Path   string
	Format string
}

// findDB returns the rpm database under root. When several exist (a database left behind
// by a backend migration, or two directories), the most recently written one is rpm's
// current database. No database at all wraps pluginapi.ErrNotApplicable.
func findDB(root string) (dbFile, error) {
	var best dbFile
	var bestInfo fs.FileInfo
	for _, dir := range dbDirs {
		for _, f := range dbFiles {
			p := filepath.Join(root, dir, f.name)
			fi, err := os.Stat(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return dbFile{}, fmt.Errorf("stat rpm database %s: %w", p, err)
			}
			if !fi.Mode().IsRegular() || (bestInfo != nil && (os.SameFile(fi, bestInfo) || !fi.ModTime().After(bestInfo.ModTime()))) {
				continue
			}
			best, bestInfo = dbFile{Path: p, Format: f.format}, fi
		}
	}
	if bestInfo == nil {
		return dbFile{}, fmt.Errorf("no rpm database (rpmdb.sqlite, Packages.db or Packages) under %s in %v: %w", root, dbDirs, pluginapi.ErrNotApplicable)
	}
	return best, nil
}

// readDB calls fn with every header blob of the database, with a key naming the record for
// error messages. An error from fn is a per-package problem and does not stop the read; the
// returned error is about the database itself.
func readDB(ctx context.Context, db dbFile, fn func(key string, blob []byte)) error {
	switch db.Format {
	case formatSQLite:
		return readSQLite(ctx, db.Path, fn)
	case formatNDB:
		h, err := ndb.Open(db.Path)
		if err != nil {
			return fmt.Errorf("open ndb rpm database %s: %w", db.Path, err)
		}
		return drain(ctx, db, h, fn)
	case formatBDB:
		h, err := bdb.Open(db.Path)
		if err != nil {
			return fmt.Errorf("open Berkeley DB rpm database %s: %w", db.Path, err)
		}
		return drain(ctx, db, h, fn)
	}
	return fmt.Errorf("rpm database %s: unknown format %q", db.Path, db.Format)
}

// drain reads go-rpmdb's entry channel. Its reader goroutine does not watch ctx, so on
// cancellation the file is closed (which ends the reader) and the channel drained in the
// background.
func drain(ctx context.Context, db dbFile, h dbi.RpmDBInterface, fn func(key string, blob []byte)) (err error) {
	entries := h.Read(ctx)
	closed := false
	defer func() {
		if !closed {
			if cerr := h.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("close rpm database %s: %w", db.Path, cerr)
			}
		}
	}()
	i := 0
	for {
		select {
		case <-ctx.Done():
			closed = true
			cerr := h.Close()
			go func() {
				for range entries {
				}
			}()
			return errors.Join(fmt.Errorf("read rpm database %s: %w", db.Path, ctx.Err()), cerr)
		case e, ok := <-entries:
			if !ok {
				return nil
			}
			if e.Err != nil {
				return fmt.Errorf("read %s rpm database %s after %d packages: %w", db.Format, db.Path, i, e.Err)
			}
			i++
			fn(fmt.Sprintf("record %d", i), e.Value)
		}
	}
}
