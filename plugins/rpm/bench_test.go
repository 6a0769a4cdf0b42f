package rpm

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// BenchmarkCollectSQLite reads a 5,000-package sqlite rpmdb made of the fixture's real
// headers repeated, with the Rocky 9 dnf cache.
func BenchmarkCollectSQLite(b *testing.B) {
	const n = 5000
	root := filepath.Join(b.TempDir(), "root")
	if err := os.CopyFS(root, os.DirFS(testRoot(b, "rocky9"))); err != nil {
		b.Fatal(err)
	}
	dbPath := filepath.Join(root, "var/lib/rpm/rpmdb.sqlite")
	src, err := sql.Open("sqlite", "file:"+filepath.Join("testdata/roots/rocky9/var/lib/rpm/rpmdb.sqlite")+"?mode=ro&immutable=1")
	if err != nil {
		b.Fatal(err)
	}
	var blobs [][]byte
	rows, err := src.Query("SELECT blob FROM Packages")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var blob []byte
		if err := rows.Scan(&blob); err != nil {
			b.Fatal(err)
		}
		blobs = append(blobs, blob)
	}
	rows.Close()
	src.Close()
	if err := os.Remove(dbPath); err != nil {
		b.Fatal(err)
	}
	dst, err := sql.Open("sqlite", dbPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := dst.Exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	tx, err := dst.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := tx.Exec("INSERT INTO Packages (blob) VALUES (?)", blobs[i%len(blobs)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
	src2 := New()
	b.ResetTimer()
	for b.Loop() {
		res, err := src2.Collect(context.Background(), pluginapi.Request{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		if want := n - n/len(blobs); len(res.Packages) != want { // gpg-pubkey skipped
			b.Fatalf("got %d packages, want %d", len(res.Packages), want)
		}
	}
}

// BenchmarkCollectRealDB reads a real rpm database given by CEPLUS_RPMDB_BENCH (a root
// directory), for figures on full-size headers; for example the Fedora 35 database of
// go-rpmdb's test data copied to ROOT/usr/lib/sysimage/rpm/rpmdb.sqlite.
func BenchmarkCollectRealDB(b *testing.B) {
	root := os.Getenv("CEPLUS_RPMDB_BENCH")
	if root == "" {
		b.Skip("set CEPLUS_RPMDB_BENCH to a root directory holding a real rpm database")
	}
	src := New()
	for b.Loop() {
		res, err := src.Collect(context.Background(), pluginapi.Request{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Packages)), "packages")
	}
}
