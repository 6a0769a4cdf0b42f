// Package sqlite is the embedded store: one SQLite file (pure Go, modernc.org/sqlite, no cgo)
// in WAL mode with synchronous=FULL, so that a committed write, and so an acknowledged upload,
// survives a crash of the process or of the machine. Writes go through a single connection
// that begins every transaction IMMEDIATE; reads use a small pool of read-only connections that
// WAL lets run beside the writer. Other processes (administrative commands beside a running
// collector) share the file and wait for its lock up to the busy timeout.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// FileName is the name of the database file inside the collector's data directory.
const FileName = "ceplus.db"

// busyTimeout is how long a statement waits for another connection or process to release
// the database lock before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is the SQLite implementation of store.Store.
type Store struct {
	path string
	w    *sql.DB // one connection, IMMEDIATE transactions: every write
	r    *sql.DB // read-only connections

	puts          chan *putReq  // uploads for the committer (group.go)
	closing       chan struct{} // closed by Close
	committerDone chan struct{}
	closeOnce     sync.Once

	testBeforeCommit func() error // tests: fail a batch just before its COMMIT
	testBatches      atomic.Int64 // tests: batches committed
}

var _ store.Store = (*Store)(nil)

// Open opens (creating when absent) the database file at path and brings its schema up to
// date. A file that is not an intact SQLite database is refused with store.ErrNotDatabase and
// left untouched; one written by a newer ceplus with store.ErrSchemaTooNew.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open store: create data directory %s: %w", filepath.Dir(abs), err)
	}
	if err := checkFile(abs); err != nil {
		return nil, err
	}
	s := &Store{path: abs}
	if s.w, err = openDB(abs, false); err != nil {
		return nil, err
	}
	if s.r, err = openDB(abs, true); err != nil {
		return nil, errors.Join(err, s.w.Close())
	}
	if err := s.migrate(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.puts, s.closing, s.committerDone = make(chan *putReq, maxBatch), make(chan struct{}), make(chan struct{})
	go s.committer()
	return s, nil
}

// openDB returns a pool on the file: the single writer, or read-only readers.
func openDB(path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// After a checkpoint, a WAL that grew past 64 MiB (a burst of uploads) is cut back.
	q.Add("_pragma", "journal_size_limit(67108864)")
	// WAL: readers never block the writer. synchronous=FULL: the WAL is fsynced at every
	// commit, so an acknowledged write survives power loss, not only a process crash (NORMAL
	// would fsync only at checkpoints and may lose the last commits on power loss).
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Set("_query_only", "1")
		q.Set("_txlock", "deferred")
	}
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if readOnly {
		db.SetMaxOpenConns(4)
		db.SetMaxIdleConns(4)
	} else {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
	}
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// Location returns the path of the database file.
func (s *Store) Location() string { return s.path }

// Close stops the committer (after the batch it is committing; uploads still queued fail with
// errClosed, uncommitted) and closes both pools.
func (s *Store) Close() error {
	if s.closing != nil {
		s.closeOnce.Do(func() { close(s.closing) })
		<-s.committerDone
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// RawExec runs a statement directly on the database, bypassing every guarantee of the store.
// It exists for tests (tampering with history to prove VerifyChain notices) and repair tools.
func (s *Store) RawExec(ctx context.Context, query string) error {
	_, err := s.w.ExecContext(ctx, query)
	return s.wrap("raw exec", err)
}

// wrap adds what failed and where to err, and turns SQLite's corruption codes into
// store.ErrNotDatabase with advice.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3lib.SQLITE_CORRUPT, sqlite3lib.SQLITE_NOTADB:
			return fmt.Errorf("%s: %s: %w (%v): restore it from a backup, or move it away to start afresh; ceplus never overwrites it", op, s.path, store.ErrNotDatabase, err)
		}
	}
	return fmt.Errorf("%s (%s): %w", op, s.path, err)
}

// micros returns t as the INTEGER the schema keeps (Unix microseconds), or NULL for zero.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros.
func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY constraint violation.
func isUnique(err error) bool {
	var se *sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err is a FOREIGN KEY constraint violation.
func isForeignKey(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && se.Code() == sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY
}

// tx runs fn in an IMMEDIATE transaction on the writer and commits it.
func (s *Store) tx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(op, err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return s.wrap(op, tx.Commit())
}
