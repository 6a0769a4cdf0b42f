package api

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestStreamEvents(t *testing.T) {
	type update struct{ Seq int }
	all := []update{{1}, {2}, {3}}
	stream := eventStream[update]{
		label: "test events", key: "run", id: "r1",
		seq: func(u update) int { return u.Seq },
		watch: func(seen int) (watched[update], error) {
			if seen > len(all) {
				return watched[update]{}, errors.New("gone")
			}
			return watched[update]{updates: all[seen:], done: true,
				final: func() (any, error) { return map[string]bool{"done": true}, nil }}, nil
		},
	}
	tests := []struct {
		name, lastID string
		code         int
		body         string
	}{
		{name: "from the start", code: http.StatusOK,
			body: "id: 1\nevent: progress\ndata: {\"Seq\":1}\n\nid: 2\nevent: progress\ndata: {\"Seq\":2}\n\nid: 3\nevent: progress\ndata: {\"Seq\":3}\n\nevent: done\ndata: {\"done\":true}\n\n"},
		{name: "resumed", lastID: "2", code: http.StatusOK,
			body: "id: 3\nevent: progress\ndata: {\"Seq\":3}\n\nevent: done\ndata: {\"done\":true}\n\n"},
		{name: "bad Last-Event-ID", lastID: "x", code: http.StatusBadRequest},
		{name: "first watch fails", lastID: "9", code: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/events", nil)
			if tc.lastID != "" {
				r.Header.Set("Last-Event-ID", tc.lastID)
			}
			w := httptest.NewRecorder()
			err := streamEvents(w, r, slog.New(slog.DiscardHandler), stream)
			if tc.code != http.StatusOK {
				var ae *apiError
				if err == nil || (tc.code != 0 && (!errors.As(err, &ae) || ae.status != tc.code)) {
					t.Fatalf("err = %v, want status %d", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Body.String(); got != tc.body {
				t.Errorf("body =\n%q\nwant\n%q", got, tc.body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/event-stream" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}
