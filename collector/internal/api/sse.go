package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/ceplus/ceplus/collector/internal/assess"
)

// scanEvents streams a scan's progress as server-sent events: one `progress` event per device
// state change (id = its seq, so a reconnecting client resumes with Last-Event-ID), then one
// `done` event with the final status.
func (s *server) scanEvents(w http.ResponseWriter, r *http.Request, _ principal) error {
	id, scan := r.PathValue("id"), r.PathValue("scan")
	return streamEvents(w, r, s.log, eventStream[assess.Progress]{
		label: "scan events", key: "scan", id: scan,
		seq: func(u assess.Progress) int { return u.Seq },
		watch: func(seen int) (watched[assess.Progress], error) {
			wt, err := s.svc.WatchScan(id, scan, seen)
			return watched[assess.Progress]{
				updates: wt.Updates, done: wt.Done, changed: wt.Changed,
				final: func() (any, error) { return s.svc.ScanStatus(id, scan) },
			}, err
		},
	})
}

// watched is one look at a live stream: the updates after those the client has seen, whether
// the stream has ended (then final gives the `done` event's data), and a channel closed at its
// next change.
type watched[U any] struct {
	updates []U
	done    bool
	final   func() (any, error)
	changed <-chan struct{}
}

// eventStream is a live stream for streamEvents. label names it in errors and logs ("scan
// events"), key and id in log attributes; watch returns the updates after the first seen, seq
// an update's sequence number (1, 2, 3…).
type eventStream[U any] struct {
	label, key, id string
	watch          func(seen int) (watched[U], error)
	seq            func(U) int
}

// streamEvents streams es as server-sent events: one `progress` event per update (id = its
// seq, so a reconnecting client resumes with Last-Event-ID), then one `done` event with the
// final status. An error from the first watch is returned before anything is written; after
// that, failures are logged and end the stream.
func streamEvents[U any](w http.ResponseWriter, r *http.Request, log *slog.Logger, es eventStream[U]) error {
	seen := 0
	if l := r.Header.Get("Last-Event-ID"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "invalid_last_event_id", "Last-Event-ID %q: want the seq of the last progress event received", l)
		}
		seen = n
	}
	wt, err := es.watch(seen)
	if err != nil {
		return err
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("%s: the response writer cannot flush", es.label)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	for {
		for _, u := range wt.updates {
			b, err := json.Marshal(u)
			if err != nil {
				log.Error(es.label+": encode progress", es.key, es.id, "err", err)
				return nil
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: progress\ndata: %s\n\n", es.seq(u), b); err != nil {
				return nil // the client went away
			}
			seen = es.seq(u)
		}
		if wt.done {
			st, err := wt.final()
			if err == nil {
				var b []byte
				if b, err = json.Marshal(st); err == nil {
					_, err = fmt.Fprintf(w, "event: done\ndata: %s\n\n", b)
				}
			}
			if err != nil {
				log.Info(es.label+": final status not sent", es.key, es.id, "err", err)
			}
			fl.Flush()
			return nil
		}
		fl.Flush()
		select {
		case <-wt.changed:
		case <-r.Context().Done():
			return nil
		}
		if wt, err = es.watch(seen); err != nil {
			log.Error(es.label+": "+es.key+" vanished", es.key, es.id, "err", err)
			return nil
		}
	}
}
