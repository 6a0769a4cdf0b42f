package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/google/go-cmp/cmp"
)

var erasureTests = []test{
	{"erase a register record leaves a tombstone", func(t *testing.T, e *env) {
		mustHeader(t, e, "reg-1", store.KindRegisterRecord)
		appendN(t, e, "reg-1", 3)
		evs, err := e.s.ListEvents(e.ctx, "reg-1", 0)
		if err != nil {
			t.Fatal(err)
		}
		req := store.Erasure{ID: "reg-1", At: at(48 * time.Hour), By: "psirt", Reason: "retention ended", RetainedUntil: at(24 * time.Hour)}
		got, err := e.s.EraseRecord(e.ctx, req)
		if err != nil {
			t.Fatalf("EraseRecord: %v", err)
		}
		want := req
		want.Kind, want.Events, want.LastHash = store.KindRegisterRecord, 3, evs[2].Hash
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("EraseRecord (-want +got):\n%s", diff)
		}
		if stored, err := e.s.GetErasure(e.ctx, "reg-1"); err != nil {
			t.Errorf("GetErasure: %v", err)
		} else if diff := cmp.Diff(want, stored); diff != "" {
			t.Errorf("GetErasure (-want +got):\n%s", diff)
		}
		if _, err := e.s.GetHeader(e.ctx, "reg-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetHeader after erasure = %v, want ErrNotFound", err)
		}
		if left, err := e.s.ListEvents(e.ctx, "reg-1", 0); err != nil || len(left) != 0 {
			t.Errorf("events after erasure: %d, %v; want none", len(left), err)
		}
		if _, err := e.s.EraseRecord(e.ctx, req); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("EraseRecord twice = %v, want ErrNotFound", err)
		}
	}},
	{"erasure refuses assessments, unknown IDs and unfinished retention", func(t *testing.T, e *env) {
		mustHeader(t, e, "asm-1", store.KindAssessment)
		appendN(t, e, "asm-1", 2)
		mustHeader(t, e, "reg-2", store.KindRegisterRecord)
		tests := []struct {
			name string
			req  store.Erasure
			want error
		}{
			{"assessment", store.Erasure{ID: "asm-1", At: at(2 * time.Hour), Reason: "r", RetainedUntil: at(time.Hour)}, store.ErrInvalid},
			{"unknown", store.Erasure{ID: "reg-9", At: at(2 * time.Hour), Reason: "r", RetainedUntil: at(time.Hour)}, store.ErrNotFound},
			{"retention not ended", store.Erasure{ID: "reg-2", At: at(time.Hour), Reason: "r", RetainedUntil: at(2 * time.Hour)}, store.ErrInvalid},
			{"no reason", store.Erasure{ID: "reg-2", At: at(2 * time.Hour), RetainedUntil: at(time.Hour)}, store.ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := e.s.EraseRecord(e.ctx, tt.req); !errors.Is(err, tt.want) {
					t.Errorf("EraseRecord = %v, want %v", err, tt.want)
				}
			})
		}
		if evs, err := e.s.ListEvents(e.ctx, "asm-1", 0); err != nil || len(evs) != 2 {
			t.Errorf("assessment events after refused erasure: %d, %v", len(evs), err)
		}
		if _, err := e.s.GetHeader(e.ctx, "reg-2"); err != nil {
			t.Errorf("register header after refused erasure: %v", err)
		}
	}},
	{"the guard still refuses deleting events of a live record", func(t *testing.T, e *env) {
		mustHeader(t, e, "reg-3", store.KindRegisterRecord)
		appendN(t, e, "reg-3", 2)
		if err := e.raw(t, `DELETE FROM events WHERE stream = 'reg-3'`); err == nil {
			t.Error("deleting a live record's events succeeded; the append-only guard is missing")
		}
		if err := e.raw(t, `INSERT INTO erasures (id, kind, erased_at, reason, retained_until, events) VALUES ('reg-3', 'register_record', 1, 'r', 1, 0)`); err != nil {
			t.Logf("insert tombstone by hand: %v", err) // the PostgreSQL timestamp type refuses 1; try its form
			if err := e.raw(t, `INSERT INTO erasures (id, kind, erased_at, reason, retained_until, events) VALUES ('reg-3', 'register_record', now(), 'r', now(), 0)`); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.raw(t, `DELETE FROM events WHERE stream = 'reg-3'`); err == nil {
			t.Error("deleting events of a record whose header still exists succeeded")
		}
	}},
}

func mustHeader(t testing.TB, e *env, id, kind string) {
	t.Helper()
	if err := e.s.CreateHeader(e.ctx, store.Header{ID: id, Kind: kind, CreatedAt: at(0)}); err != nil {
		t.Fatalf("CreateHeader %s: %v", id, err)
	}
}
