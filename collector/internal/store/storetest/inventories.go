package storetest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/google/go-cmp/cmp"
)

var inventoryTests = []test{
	{"put, get, latest and history", func(t *testing.T, e *env) {
		a := agent("alpha")
		mustPutAgent(t, e, a)
		if _, err := e.s.LatestInventory(e.ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LatestInventory before any upload = %v, want ErrNotFound", err)
		}
		// u2 is collected last but arrives first (a spool draining out of order).
		u1 := upload(a, "u1", "one", at(time.Hour))
		u2 := upload(a, "u2", "two", at(3*time.Hour))
		u3 := upload(a, "u3", "three", at(2*time.Hour))
		for i, u := range []store.Upload{u2, u1, u3} {
			dup, err := e.s.PutInventory(e.ctx, u, at(time.Duration(4+i)*time.Hour))
			if err != nil || dup {
				t.Fatalf("PutInventory %s = %v, %v; want false, nil", u.UploadID, dup, err)
			}
		}
		latest, err := e.s.LatestInventory(e.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if latest.UploadID != "u2" || !latest.ReceivedAt.Equal(at(4*time.Hour)) {
			t.Errorf("latest = %s received %v, want u2 (latest collected) received %v", latest.UploadID, latest.ReceivedAt, at(4*time.Hour))
		}
		hist, err := e.s.InventoryHistory(e.ctx, a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hist {
			ids = append(ids, h.UploadID)
		}
		if diff := cmp.Diff([]string{"u2", "u3", "u1"}, ids); diff != "" {
			t.Errorf("history, most recently collected first (-want +got):\n%s", diff)
		}
		if hist, _ := e.s.InventoryHistory(e.ctx, a.ID, 2); len(hist) != 2 {
			t.Errorf("history limited to 2 has %d entries", len(hist))
		}
		doc, err := e.s.GetInventory(e.ctx, u3.ContentHash)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(u3.Document, doc); diff != "" {
			t.Errorf("GetInventory (-want +got):\n%s", diff)
		}
		if _, err := e.s.GetInventory(e.ctx, upload(a, "x", "never", at(0)).ContentHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetInventory unknown = %v, want ErrNotFound", err)
		}
	}},
	{"a retried upload is stored once", func(t *testing.T, e *env) {
		a := agent("alpha")
		mustPutAgent(t, e, a)
		u := upload(a, "u1", "one", at(time.Hour))
		for i, wantDup := range []bool{false, true, true} {
			dup, err := e.s.PutInventory(e.ctx, u, at(time.Duration(2+i)*time.Hour))
			if err != nil || dup != wantDup {
				t.Fatalf("PutInventory #%d = %v, %v; want %v, nil", i+1, dup, err, wantDup)
			}
		}
		hist, err := e.s.InventoryHistory(e.ctx, a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || !hist[0].ReceivedAt.Equal(at(2*time.Hour)) {
			t.Errorf("history = %+v, want the first upload only", hist)
		}
		other := upload(a, "u1", "different", at(time.Hour))
		if dup, err := e.s.PutInventory(e.ctx, other, at(9*time.Hour)); !errors.Is(err, store.ErrUploadConflict) {
			t.Errorf("same upload id, other content = %v, %v; want ErrUploadConflict", dup, err)
		}
	}},
	{"concurrent retries of one upload: one stores", func(t *testing.T, e *env) {
		a := agent("alpha")
		mustPutAgent(t, e, a)
		u := upload(a, "u1", "one", at(time.Hour))
		var (
			wg          sync.WaitGroup
			mu          sync.Mutex
			fresh, dups int
			errs        []error
		)
		for range 8 {
			wg.Go(func() {
				dup, err := e.s.PutInventory(e.ctx, u, at(2*time.Hour))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case dup:
					dups++
				default:
					fresh++
				}
			})
		}
		wg.Wait()
		if fresh != 1 || dups != 7 || len(errs) > 0 {
			t.Errorf("8 concurrent retries: %d stored, %d dup, errors %v; want 1 stored, 7 dup", fresh, dups, errs)
		}
	}},
	{"equal content from two agents is stored once", func(t *testing.T, e *env) {
		a, b := agent("alpha"), agent("bravo")
		mustPutAgent(t, e, a)
		mustPutAgent(t, e, b)
		ua := upload(a, "u1", "same", at(time.Hour))
		ub := upload(b, "u1", "same", at(time.Hour))
		ub.Body = []byte(`{"content":"same","bytes":"of the second agent"}`)
		for _, u := range []store.Upload{ua, ub} {
			if dup, err := e.s.PutInventory(e.ctx, u, at(2*time.Hour)); err != nil || dup {
				t.Fatalf("PutInventory for %s = %v, %v; want false, nil", u.Hostname, dup, err)
			}
		}
		doc, err := e.s.GetInventory(e.ctx, ua.ContentHash)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(doc.Body, ua.Body) {
			t.Errorf("document = %s, want the first stored %s (kept once per content hash)", doc.Body, ua.Body)
		}
		lb, err := e.s.LatestInventory(e.ctx, b.ID)
		if err != nil || lb.Hostname != "bravo" || lb.ContentHash != ua.ContentHash {
			t.Errorf("bravo's latest = %+v, %v; want its own upload of the shared content", lb, err)
		}
	}},
	{"unknown agent and invalid uploads refused", func(t *testing.T, e *env) {
		a := agent("alpha")
		if _, err := e.s.PutInventory(e.ctx, upload(a, "u1", "one", at(0)), at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("upload from an unenrolled agent = %v, want ErrNotFound", err)
		}
		mustPutAgent(t, e, a)
		tests := []struct {
			name string
			edit func(*store.Upload)
		}{
			{"no upload id", func(u *store.Upload) { u.UploadID = "" }},
			{"short hash", func(u *store.Upload) { u.ContentHash = "abc" }},
			{"empty body", func(u *store.Upload) { u.Body = nil }},
			{"meta not JSON", func(u *store.Upload) { u.Meta = []byte("{") }},
			{"unknown encoding", func(u *store.Upload) { u.Encoding = "brotli" }},
			{"no collection time", func(u *store.Upload) { u.CollectedAt = time.Time{} }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := upload(a, "u2", "two", at(0))
				tt.edit(&u)
				if _, err := e.s.PutInventory(e.ctx, u, at(time.Hour)); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("PutInventory = %v, want ErrInvalid", err)
				}
			})
		}
		if hist, err := e.s.InventoryHistory(e.ctx, a.ID, 0); err != nil || len(hist) != 0 {
			t.Errorf("after refused uploads, history = %v, %v; want empty", hist, err)
		}
	}},
	{"compressed documents round-trip", func(t *testing.T, e *env) {
		a := agent("alpha")
		mustPutAgent(t, e, a)
		body, hash := inventoryJSON(50, 1)
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(body)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		u := upload(a, "u1", "", at(0))
		u.Document = store.Document{ContentHash: hash, Encoding: store.EncodingGzip, Body: z.Bytes(), Packages: 50, Build: "Debian 12"}
		if _, err := e.s.PutInventory(e.ctx, u, at(time.Hour)); err != nil {
			t.Fatal(err)
		}
		doc, err := e.s.GetInventory(e.ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		got, err := doc.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, body) {
			t.Errorf("decompressed document differs from the original (%d vs %d bytes)", len(got), len(body))
		}
	}},
}
