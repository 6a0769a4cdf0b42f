package spool

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/wire"
)

func upload(body string) *wire.Upload {
	return &wire.Upload{ID: wire.NewUploadID(), ContentHash: "ab", Codec: wire.CodecGzip, RawSize: 9,
		CollectedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), RequestID: "r", Body: []byte(body)}
}

func TestSpoolSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 10, 1<<20, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	a, b := upload("first"), upload("second")
	for _, u := range []*wire.Upload{a, b} {
		if err := s.Put(u); err != nil {
			t.Fatal(err)
		}
	}
	s2, err := Open(dir, 10, 1<<20, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ids := s2.List()
	if len(ids) != 2 || ids[0] != a.ID || ids[1] != b.ID {
		t.Fatalf("after reopen: %v, want [%s %s]", ids, a.ID, b.ID)
	}
	got, ok, err := s2.Get(b.ID)
	if err != nil || !ok || !bytes.Equal(got.Body, b.Body) || !got.CollectedAt.Equal(b.CollectedAt) || got.RequestID != "r" {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	if err := s2.Remove(a.ID); err != nil {
		t.Fatal(err)
	}
	s3, err := Open(dir, 10, 1<<20, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if ids := s3.List(); len(ids) != 1 || ids[0] != b.ID {
		t.Fatalf("after Remove and reopen: %v, want [%s]", ids, b.ID)
	}
	// a new entry after reopen sorts after the old ones
	c := upload("third")
	if err := s3.Put(c); err != nil {
		t.Fatal(err)
	}
	if ids := s3.List(); ids[len(ids)-1] != c.ID {
		t.Fatalf("newest entry not last: %v", ids)
	}
}

// entrySize is the file size of an upload with an n-byte body.
func entrySize(t *testing.T, n int) int64 {
	b, err := encode(upload(string(make([]byte, n))))
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(b))
}

func TestSpoolDropsOldestWhenFull(t *testing.T) {
	tests := []struct {
		name     string
		maxItems int
		maxBytes int64
		bodies   []string
		keep     int // the newest `keep` entries remain
	}{
		{name: "by items", maxItems: 2, maxBytes: 1 << 20, bodies: []string{"a", "b", "c", "d"}, keep: 2},
		{name: "by bytes", maxItems: 100, maxBytes: 2*entrySize(t, 200) + 10, bodies: []string{string(make([]byte, 200)), string(make([]byte, 200)), string(make([]byte, 200))}, keep: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, tc.maxItems, tc.maxBytes, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			var ups []*wire.Upload
			for _, b := range tc.bodies {
				u := upload(b)
				ups = append(ups, u)
				if err := s.Put(u); err != nil {
					t.Fatal(err)
				}
			}
			ids := s.List()
			if len(ids) != tc.keep {
				t.Fatalf("%d entries kept, want %d", len(ids), tc.keep)
			}
			for i, id := range ids {
				if want := ups[len(ups)-tc.keep+i].ID; id != want {
					t.Errorf("entry %d = %s, want %s", i, id, want)
				}
			}
			_, _, dropped := s.Stats()
			if want := uint64(len(tc.bodies) - tc.keep); dropped != want {
				t.Errorf("dropped = %d, want %d", dropped, want)
			}
			s2, err := Open(dir, tc.maxItems, tc.maxBytes, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, d := s2.Stats(); d != dropped {
				t.Errorf("drop counter after reopen = %d, want %d", d, dropped)
			}
		})
	}
}

func TestSpoolMovesDamagedFilesAside(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 10, 1<<20, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	u := upload("x")
	if err := s.Put(u); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "00000000000000000099-"+wire.NewUploadID().String()+suffix)
	if err := os.WriteFile(bad, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, 10, 1<<20, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if ids := s2.List(); len(ids) != 1 || ids[0] != u.ID {
		t.Fatalf("entries = %v, want only %s", ids, u.ID)
	}
	if _, err := os.Stat(bad + ".bad"); err != nil {
		t.Errorf("damaged file not moved aside: %v", err)
	}
}
