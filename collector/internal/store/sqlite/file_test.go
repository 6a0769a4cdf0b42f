package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// populated returns the path of a closed database with a few hundred KB of events in it.
func populated(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	big := json.RawMessage(fmt.Sprintf(`{"pad":%q}`, strings.Repeat("x", 4000)))
	for i := range 100 {
		if _, err := s.AppendEvent(t.Context(), "asm-1", "k", big, time.Unix(int64(i), 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if walInUse(path) {
		t.Fatalf("the WAL of %s was not checkpointed at close", path)
	}
	return path
}

func TestDamagedFilesAreRefused(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T) string // returns the path to open
		want    string                    // part of the message
	}{
		{"garbage", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), FileName)
			write(t, p, bytes.Repeat([]byte("not a database at all\n"), 500))
			return p
		}, "does not start with the SQLite header"},
		{"a few bytes", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), FileName)
			write(t, p, []byte("SQLite format 3\x00\x10\x00"))
			return p
		}, "shorter than a SQLite header"},
		{"truncated to half", func(t *testing.T) string {
			p := populated(t)
			truncate(t, p, 0.5, true)
			return p
		}, "truncated"},
		{"truncated mid-page", func(t *testing.T) string {
			p := populated(t)
			truncate(t, p, 0.7, false)
			return p
		}, "not a whole number"},
		{"pages overwritten", func(t *testing.T) string {
			p := populated(t)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for i := 4096; i < len(b); i++ {
				b[i] = byte(i * 7)
			}
			write(t, p, b)
			return p
		}, "malformed"},
		{"a directory", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), FileName)
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.prepare(t)
			before := snapshot(t, path)
			s, err := Open(t.Context(), path)
			if err == nil {
				// Damage deep inside may only show on use: it must still be an error.
				_, err = s.ListEvents(t.Context(), "asm-1", 0)
				if err == nil {
					err = s.VerifyChain(t.Context(), "asm-1")
				}
				s.Close()
			}
			if err == nil {
				t.Fatal("damaged database opened and read without an error")
			}
			t.Logf("message: %v", err)
			if !errors.Is(err, store.ErrNotDatabase) && !errors.Is(err, store.ErrChainBroken) {
				t.Errorf("err = %v, want ErrNotDatabase", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("message does not name the file %s: %v", path, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message does not say %q: %v", tt.want, err)
			}
			if after := snapshot(t, path); !bytes.Equal(before, after) {
				t.Errorf("the damaged file was modified")
			}
		})
	}
}

func TestFileSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", st.Mode().Perm())
	}
	tests := []struct {
		name, pragma, want string
	}{
		{"write-ahead log", "journal_mode", "wal"},
		{"fsync at every commit", "synchronous", "2"},
		{"foreign keys enforced", "foreign_keys", "1"},
		{"waits for locks", "busy_timeout", "10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, db := range []struct {
				name string
				q    func(ctx context.Context, query string, args ...any) interface{ Scan(...any) error }
			}{
				{"writer", func(ctx context.Context, q string, a ...any) interface{ Scan(...any) error } {
					return s.w.QueryRowContext(ctx, q, a...)
				}},
				{"reader", func(ctx context.Context, q string, a ...any) interface{ Scan(...any) error } {
					return s.r.QueryRowContext(ctx, q, a...)
				}},
			} {
				var got string
				if err := db.q(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("%s: PRAGMA %s = %s, want %s", db.name, tt.pragma, got, tt.want)
				}
			}
		})
	}
	if _, err := s.r.ExecContext(t.Context(), `INSERT INTO meta (key, value) VALUES ('x', x'00')`); err == nil {
		t.Error("the read-only pool accepted a write")
	}
}

func TestEmptyFileIsANewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	write(t, path, nil)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open on an empty file: %v", err)
	}
	defer s.Close()
	if err := s.SetMeta(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// truncate cuts the file to frac of its size, on a page boundary when aligned.
func truncate(t *testing.T, path string, frac float64, aligned bool) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(float64(st.Size()) * frac)
	if aligned {
		n -= n % 4096
	} else if n%4096 == 0 {
		n++
	}
	if err := os.Truncate(path, n); err != nil {
		t.Fatal(err)
	}
}

// snapshot returns the file's bytes, or its directory listing for a directory.
func snapshot(t *testing.T, path string) []byte {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.IsDir() {
		return []byte("dir")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
