package rpm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	// The pure-Go sqlite driver ("sqlite"): the source builds with CGO_ENABLED=0.
	_ "modernc.org/sqlite"
)

// sqliteDSN opens path read-only. Without a pending write-ahead log the database is opened
// immutable, so that nothing (not even a -shm file) is written next to it, which matters on
// a mounted image. With a non-empty -wal file the log holds committed transactions that
// only a WAL-aware reader sees, so the database is opened plain read-only instead.
func sqliteDSN(path string) (string, error) {
	q := url.Values{"mode": {"ro"}}
	fi, err := os.Stat(path + "-wal")
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0):
		q.Set("immutable", "1")
	case err != nil:
		return "", fmt.Errorf("stat sqlite write-ahead log %s-wal: %w", path, err)
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String(), nil
}

// readSQLite calls fn with every header blob of an rpm sqlite database (table Packages,
// columns hnum and blob; rpm lib/backend/sqlite.c).
func readSQLite(ctx context.Context, path string, fn func(key string, blob []byte)) (err error) {
	dsn, err := sqliteDSN(path)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("open sqlite rpm database %s: %w", path, err)
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close sqlite rpm database %s: %w", path, cerr)
		}
	}()
	rows, err := db.QueryContext(ctx, "SELECT hnum, blob FROM Packages")
	if err != nil {
		return fmt.Errorf("query sqlite rpm database %s: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var hnum int64
		var blob []byte
		if err := rows.Scan(&hnum, &blob); err != nil {
			return fmt.Errorf("read sqlite rpm database %s: %w", path, err)
		}
		fn(fmt.Sprintf("hnum %d", hnum), blob)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sqlite rpm database %s: %w", path, err)
	}
	return nil
}
