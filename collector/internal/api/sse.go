package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// scanEvents streams a scan's progress as server-sent events: one `progress` event per device
// state change (id = its seq, so a reconnecting client resumes with Last-Event-ID), then one
// `done` event with the final status.
func (s *server) scanEvents(w http.ResponseWriter, r *http.Request, _ principal) error {
	id, scan := r.PathValue("id"), r.PathValue("scan")
	seen := 0
	if l := r.Header.Get("Last-Event-ID"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "invalid_last_event_id", "Last-Event-ID %q: want the seq of the last progress event received", l)
		}
		seen = n
	}
	wt, err := s.svc.WatchScan(id, scan, seen)
	if err != nil {
		return err
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("scan events: the response writer cannot flush")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	for {
		for _, u := range wt.Updates {
			b, err := json.Marshal(u)
			if err != nil {
				s.log.Error("scan events: encode progress", "scan", scan, "err", err)
				return nil
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: progress\ndata: %s\n\n", u.Seq, b); err != nil {
				return nil // the client went away
			}
			seen = u.Seq
		}
		if wt.Done {
			st, err := s.svc.ScanStatus(id, scan)
			if err == nil {
				var b []byte
				if b, err = json.Marshal(st); err == nil {
					_, err = fmt.Fprintf(w, "event: done\ndata: %s\n\n", b)
				}
			}
			if err != nil {
				s.log.Info("scan events: final status not sent", "scan", scan, "err", err)
			}
			fl.Flush()
			return nil
		}
		fl.Flush()
		select {
		case <-wt.Changed:
		case <-r.Context().Done():
			return nil
		}
		if wt, err = s.svc.WatchScan(id, scan, seen); err != nil {
			s.log.Error("scan events: scan vanished", "scan", scan, "err", err)
			return nil
		}
	}
}
