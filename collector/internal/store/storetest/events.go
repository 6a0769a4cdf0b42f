package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/google/go-cmp/cmp"
)

var eventTests = []test{
	{"append chains events", func(t *testing.T, e *env) {
		payloads := []string{`{"scope":["a","b"]}`, "{ \"spaced\" :  true }", `[1,2,3]`}
		var want []store.Event
		prev := ""
		for i, p := range payloads {
			ev, err := e.s.AppendEvent(e.ctx, "asm-1", fmt.Sprintf("kind-%d", i+1), json.RawMessage(p), t0.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Fatalf("AppendEvent #%d: %v", i+1, err)
			}
			w := store.Event{Stream: "asm-1", Seq: int64(i + 1), Kind: fmt.Sprintf("kind-%d", i+1), At: at(time.Duration(i) * time.Second),
				Payload: json.RawMessage(p), PrevHash: prev}
			w.Hash = store.EventHash(w.Stream, w.Seq, w.Kind, w.At, w.Payload, w.PrevHash)
			if diff := cmp.Diff(w, ev); diff != "" {
				t.Fatalf("AppendEvent #%d (-want +got):\n%s", i+1, diff)
			}
			want, prev = append(want, w), w.Hash
		}
		got, err := e.s.ListEvents(e.ctx, "asm-1", 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListEvents, payload kept byte for byte (-want +got):\n%s", diff)
		}
		tail, err := e.s.ListEvents(e.ctx, "asm-1", 2)
		if err != nil || len(tail) != 1 || tail[0].Seq != 3 {
			t.Errorf("ListEvents after seq 2 = %v, %v; want seq 3 only", tail, err)
		}
		if err := e.s.VerifyChain(e.ctx, "asm-1"); err != nil {
			t.Errorf("VerifyChain: %v", err)
		}
	}},
	{"streams are independent", func(t *testing.T, e *env) {
		for _, s := range []string{"asm-1", "reg-1", "asm-1"} {
			if _, err := e.s.AppendEvent(e.ctx, s, "k", json.RawMessage(`{}`), at(0)); err != nil {
				t.Fatal(err)
			}
		}
		for stream, n := range map[string]int{"asm-1": 2, "reg-1": 1, "unknown": 0} {
			evs, err := e.s.ListEvents(e.ctx, stream, 0)
			if err != nil || len(evs) != n {
				t.Errorf("stream %s: %d events (%v), want %d", stream, len(evs), err, n)
			}
			if err := e.s.VerifyChain(e.ctx, stream); err != nil {
				t.Errorf("VerifyChain %s: %v", stream, err)
			}
		}
	}},
	{"invalid events refused", func(t *testing.T, e *env) {
		tests := []struct {
			name, stream, kind, payload string
			at                          time.Time
		}{
			{"payload not JSON", "s", "k", `{"a":`, at(0)},
			{"empty payload", "s", "k", ``, at(0)},
			{"no stream", "", "k", `{}`, at(0)},
			{"no kind", "s", "", `{}`, at(0)},
			{"no time", "s", "k", `{}`, time.Time{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := e.s.AppendEvent(e.ctx, tt.stream, tt.kind, json.RawMessage(tt.payload), tt.at); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("AppendEvent = %v, want ErrInvalid", err)
				}
			})
		}
		if evs, _ := e.s.ListEvents(e.ctx, "s", 0); len(evs) != 0 {
			t.Errorf("refused events were stored: %v", evs)
		}
	}},
	{"concurrent appends are serialised without gaps", func(t *testing.T, e *env) {
		const writers, each = 6, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					p := json.RawMessage(fmt.Sprintf(`{"writer":%d,"i":%d}`, w, i))
					if _, err := e.s.AppendEvent(e.ctx, "asm-race", "k", p, at(time.Duration(i)*time.Millisecond)); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("AppendEvent: %v", err)
		}
		evs, err := e.s.ListEvents(e.ctx, "asm-race", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != writers*each {
			t.Errorf("%d events stored, want %d", len(evs), writers*each)
		}
		if err := e.s.VerifyChain(e.ctx, "asm-race"); err != nil {
			t.Errorf("VerifyChain after concurrent appends: %v", err)
		}
	}},
	{"history cannot be edited through SQL by mistake", func(t *testing.T, e *env) {
		appendN(t, e, "asm-1", 3)
		for _, q := range []string{
			`UPDATE events SET kind = 'edited' WHERE stream = 'asm-1' AND seq = 2`,
			`DELETE FROM events WHERE stream = 'asm-1' AND seq = 3`,
		} {
			if err := e.raw(t, q); err == nil {
				t.Errorf("%s succeeded; the append-only guard is missing", q)
			}
		}
		if err := e.s.VerifyChain(e.ctx, "asm-1"); err != nil {
			t.Errorf("VerifyChain: %v", err)
		}
	}},
	{"tampering is detected at the first broken seq", func(t *testing.T, e *env) {
		tests := []struct {
			name    string
			tamper  string
			wantSeq int64
		}{
			{"kind edited", `UPDATE events SET kind = 'edited' WHERE stream = '%[1]s' AND seq = 3`, 3},
			{"hash overwritten", `UPDATE events SET hash = 'feed' WHERE stream = '%[1]s' AND seq = 2`, 2},
			{"event deleted", `DELETE FROM events WHERE stream = '%[1]s' AND seq = 2`, 2},
			{"first event deleted", `DELETE FROM events WHERE stream = '%[1]s' AND seq = 1`, 1},
			{"seq renumbered", `UPDATE events SET seq = 9 WHERE stream = '%[1]s' AND seq = 4`, 4},
			{"event moved in from another stream", `UPDATE events SET stream = '%[1]s', seq = 5 WHERE stream = '%[1]s-other'`, 5},
		}
		for _, q := range e.h.Unguard {
			if err := e.raw(t, q); err != nil {
				t.Fatalf("lift the append-only guard with %q: %v", q, err)
			}
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				stream := fmt.Sprintf("asm-%d", i)
				appendN(t, e, stream, 4)
				appendN(t, e, stream+"-other", 1)
				if err := e.raw(t, fmt.Sprintf(tt.tamper, stream)); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				err := e.s.VerifyChain(e.ctx, stream)
				var ce *store.ChainError
				if !errors.As(err, &ce) || !errors.Is(err, store.ErrChainBroken) {
					t.Fatalf("VerifyChain = %v, want a *ChainError", err)
				}
				if ce.Seq != tt.wantSeq || ce.Stream != stream {
					t.Errorf("VerifyChain reports %s seq %d, want %s seq %d (%v)", ce.Stream, ce.Seq, stream, tt.wantSeq, err)
				}
			})
		}
	}},
}

// appendN appends n events to stream.
func appendN(t testing.TB, e *env, stream string, n int) {
	t.Helper()
	for i := range n {
		if _, err := e.s.AppendEvent(e.ctx, stream, "k", json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), at(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("AppendEvent: %v", err)
		}
	}
}
