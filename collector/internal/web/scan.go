package web

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/ceplus/ceplus/collector/internal/assess"
)

// scanPage is the live progress page's data.
type scanPage struct {
	Assessment string
	Status     assess.ScanStatus
	Devices    []scanDevice
	States     []stateCount
	// Events is the UI's server-sent events address for this scan.
	Events string
}

type scanDevice struct {
	ID    string
	State string
}

type stateCount struct {
	State string
	Count int
}

// scanStates are the device states in their order.
var scanStates = []string{assess.StateQueued, assess.StateRunning, assess.StateUploaded, assess.StateMatched, assess.StateFailed}

func (s *server) scanPage(w http.ResponseWriter, r *http.Request, q *request) error {
	id, scan := r.PathValue("id"), r.PathValue("scan")
	var st assess.ScanStatus
	if err := q.api.JSON(r.Context(), "GET", apiPath(id, "scans", url.PathEscape(scan)), nil, &st); err != nil {
		return err
	}
	p := scanPage{Assessment: id, Status: st, Events: "/ui/assessments/" + url.PathEscape(id) + "/scans/" + url.PathEscape(scan) + "/events"}
	for d, state := range st.Devices {
		p.Devices = append(p.Devices, scanDevice{d, state})
	}
	sort.Slice(p.Devices, func(i, j int) bool { return p.Devices[i].ID < p.Devices[j].ID })
	for _, state := range scanStates {
		p.States = append(p.States, stateCount{state, st.Counts[state]})
	}
	s.render(w, r, http.StatusOK, "scan", s.page(q, "Scan "+scan, "assessments", p))
	return nil
}

// scanEvents relays the API's server-sent events of a scan to the browser (EventSource cannot
// send the bearer token; the session supplies it). Last-Event-ID passes through, so a
// reconnecting browser resumes where it was.
func (s *server) scanEvents(w http.ResponseWriter, r *http.Request, q *request) error {
	s.proxy(w, r, q, apiPath(r.PathValue("id"), "scans", url.PathEscape(r.PathValue("scan")), "events"))
	return nil
}
