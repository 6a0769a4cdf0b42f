package storetest

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

var migrationTests = []test{
	{"reopening keeps every kind of data", func(t *testing.T, e *env) {
		a := agent("alpha")
		mustPutAgent(t, e, a)
		if err := e.s.PutToken(e.ctx, token("secret")); err != nil {
			t.Fatal(err)
		}
		u := upload(a, "u1", "one", at(0))
		if _, err := e.s.PutInventory(e.ctx, u, at(time.Hour)); err != nil {
			t.Fatal(err)
		}
		appendN(t, e, "asm-1", 3)
		if err := e.s.CreateHeader(e.ctx, store.Header{ID: "asm-1", Kind: store.KindAssessment, CreatedAt: at(0)}); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SetMeta(e.ctx, "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		e.reopen(t) // migrations run again: they must find nothing to do
		e.reopen(t)
		if got, err := e.s.GetAgent(e.ctx, a.ID); err != nil || got.Latest == nil || got.Latest.UploadID != "u1" {
			t.Errorf("agent after reopen = %+v, %v", got, err)
		}
		if _, err := e.s.ConsumeToken(e.ctx, store.HashToken("secret"), at(time.Hour)); err != nil {
			t.Errorf("token after reopen: %v", err)
		}
		if dup, err := e.s.PutInventory(e.ctx, u, at(2*time.Hour)); err != nil || !dup {
			t.Errorf("retried upload after reopen = %v, %v; want dup", dup, err)
		}
		if evs, err := e.s.ListEvents(e.ctx, "asm-1", 0); err != nil || len(evs) != 3 {
			t.Errorf("events after reopen: %d, %v", len(evs), err)
		}
		if err := e.s.VerifyChain(e.ctx, "asm-1"); err != nil {
			t.Errorf("VerifyChain after reopen: %v", err)
		}
		if _, err := e.s.GetHeader(e.ctx, "asm-1"); err != nil {
			t.Errorf("header after reopen: %v", err)
		}
		if v, err := e.s.GetMeta(e.ctx, "k"); err != nil || string(v) != "v" {
			t.Errorf("meta after reopen = %q, %v", v, err)
		}
		ev, err := e.s.AppendEvent(e.ctx, "asm-1", "k", json.RawMessage(`{}`), at(time.Hour))
		if err != nil || ev.Seq != 4 {
			t.Errorf("append after reopen: seq %d, %v; want 4", ev.Seq, err)
		}
	}},
	{"concurrent starts migrate once", func(t *testing.T, e *env) {
		e.s.Close()
		e.s = nopStore{e.s}
		// A fresh database of its own, opened by several starts at once.
		open := e.h.New(t)
		var wg sync.WaitGroup
		stores := make([]store.Store, 4)
		errs := make([]error, len(stores))
		for i := range stores {
			wg.Go(func() { stores[i], errs[i] = open(e.ctx) })
		}
		wg.Wait()
		for i, s := range stores {
			if errs[i] != nil {
				t.Errorf("concurrent open #%d: %v", i+1, errs[i])
				continue
			}
			defer s.Close()
		}
		if t.Failed() {
			return
		}
		for i, s := range stores {
			if _, err := s.AppendEvent(e.ctx, "asm-1", "k", json.RawMessage(`{}`), at(0)); err != nil {
				t.Errorf("store #%d after concurrent open: %v", i+1, err)
			}
		}
		if err := stores[0].VerifyChain(e.ctx, "asm-1"); err != nil {
			t.Error(err)
		}
	}},
	{"a database from a newer ceplus is refused", func(t *testing.T, e *env) {
		if err := e.raw(t, `INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`); err != nil {
			t.Fatal(err)
		}
		e.s.Close()
		e.s = nopStore{e.s}
		s, err := e.open(e.ctx)
		if err == nil {
			s.Close()
			t.Fatal("opened a database at schema version 9999")
		}
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Errorf("open = %v, want ErrSchemaTooNew", err)
		}
		t.Logf("message: %v", err)
	}},
}

// nopStore stands in for a store that was already closed, so the cleanup does not close twice.
type nopStore struct{ store.Store }

func (nopStore) Close() error { return nil }
