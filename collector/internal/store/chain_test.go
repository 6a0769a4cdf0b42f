package store

import (
	"errors"
	"testing"
	"time"
)

// The test vector of docs/store.md: change it only together with EventHashVersion.
var (
	vectorAt   = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	vectorHash = "8d271e9acaa6725079dd7ebed368fc25e60aa956098804680e726745502740c0"
)

func TestEventHashVector(t *testing.T) {
	first := EventHash("asm-1", 1, "scope_frozen", vectorAt, []byte(`{"scope_hash":"ab"}`), "")
	got := EventHash("asm-1", 2, "sample_drawn", vectorAt.Add(time.Second), []byte(`{"n":3}`), first)
	if got != vectorHash {
		t.Errorf("EventHash vector = %s, want %s (first %s)", got, vectorHash, first)
	}
}

func TestEventHashCoversEveryField(t *testing.T) {
	base := func() (string, int64, string, time.Time, []byte, string) {
		return "asm-1", 2, "kind", vectorAt, []byte(`{"a":1}`), "prev"
	}
	ref := EventHash(base())
	tests := []struct {
		name string
		hash string
	}{
		{"stream", EventHash("asm-2", 2, "kind", vectorAt, []byte(`{"a":1}`), "prev")},
		{"seq", EventHash("asm-1", 3, "kind", vectorAt, []byte(`{"a":1}`), "prev")},
		{"kind", EventHash("asm-1", 2, "kinD", vectorAt, []byte(`{"a":1}`), "prev")},
		{"time", EventHash("asm-1", 2, "kind", vectorAt.Add(time.Microsecond), []byte(`{"a":1}`), "prev")},
		{"payload bytes", EventHash("asm-1", 2, "kind", vectorAt, []byte(`{"a": 1}`), "prev")},
		{"prev hash", EventHash("asm-1", 2, "kind", vectorAt, []byte(`{"a":1}`), "prev2")},
		{"field boundary", EventHash("asm-1", 2, "kin", vectorAt, []byte(`d{"a":1}`), "prev")},
		{"stream/kind boundary", EventHash("asm-12", 2, "ind", vectorAt, []byte(`{"a":1}`), "prev")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.hash == ref {
				t.Errorf("changing the %s left the hash unchanged", tt.name)
			}
		})
	}
	if h := EventHash("asm-1", 2, "kind", vectorAt.In(time.FixedZone("X", 3600)).Add(999), []byte(`{"a":1}`), "prev"); h != ref {
		t.Errorf("the same instant in another zone, with nanoseconds below the microsecond, hashed differently")
	}
}

func TestVerifyEvents(t *testing.T) {
	chain := func() []Event {
		var evs []Event
		var prev *Event
		for i := range 4 {
			e := NextEvent("s", prev, "k", vectorAt.Add(time.Duration(i)*time.Second), []byte(`{}`))
			evs = append(evs, e)
			prev = &evs[len(evs)-1]
		}
		return evs
	}
	tests := []struct {
		name    string
		edit    func([]Event) []Event
		wantSeq int64 // 0: intact
	}{
		{"intact", func(e []Event) []Event { return e }, 0},
		{"empty", func([]Event) []Event { return nil }, 0},
		{"payload changed", func(e []Event) []Event { e[2].Payload = []byte(`{"x":1}`); return e }, 3},
		{"time changed", func(e []Event) []Event { e[1].At = e[1].At.Add(time.Microsecond); return e }, 2},
		{"middle removed", func(e []Event) []Event { return append(e[:1], e[2:]...) }, 2},
		{"first removed", func(e []Event) []Event { return e[1:] }, 1},
		{"rehashed but unlinked", func(e []Event) []Event {
			e[1].Kind = "forged"
			e[1].Hash = EventHash(e[1].Stream, e[1].Seq, e[1].Kind, e[1].At, e[1].Payload, e[1].PrevHash)
			return e
		}, 3},
		{"other stream", func(e []Event) []Event { e[0].Stream = "t"; return e }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyEvents("s", tt.edit(chain()))
			if tt.wantSeq == 0 {
				if err != nil {
					t.Errorf("VerifyEvents = %v, want nil", err)
				}
				return
			}
			var ce *ChainError
			if !errors.As(err, &ce) || !errors.Is(err, ErrChainBroken) {
				t.Fatalf("VerifyEvents = %v, want a *ChainError", err)
			}
			if ce.Seq != tt.wantSeq {
				t.Errorf("broken at seq %d, want %d (%v)", ce.Seq, tt.wantSeq, err)
			}
		})
	}
}
