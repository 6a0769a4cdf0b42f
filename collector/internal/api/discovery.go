package api

import (
	"net/http"

	"github.com/ceplus/ceplus/collector/internal/assess"
)

// discoveryRoutes are the network discovery operations of an assessment (docs/discovery.md).
func (s *server) discoveryRoutes() []route {
	const a = "/api/v1/assessments/{id}/discovery"
	return []route{
		{method: "GET", path: a, summary: "List the scanners, discovery runs and hosts marked out of scope", roles: anyRole, handle: s.discoveryOverview},
		{method: "POST", path: a + "/scanners", summary: "Mark an agent as a scanner with an allow-list", roles: assessor,
			body: "application/json", bodyDoc: "{agent, allow: [CIDR prefix or address, …]}", handle: s.addScanner},
		{method: "DELETE", path: a + "/scanners/{agent}", summary: "Withdraw an agent's scanner mark", roles: assessor, handle: s.removeScanner},
		{method: "POST", path: a + "/runs", summary: "Run discovery on a scanner agent", roles: assessor, status: http.StatusAccepted,
			body: "application/json", bodyDoc: "{agent?, targets, ports? | top_ports?, service_detection?, intensity?, host_timeout?, timeout?, timing?}; targets outside the scanner's allow-list are refused before anything is sent", handle: s.startDiscovery},
		{method: "GET", path: a + "/runs/{run}", summary: "Show a discovery run with its hosts, services and progress", roles: anyRole, handle: s.showRun},
		{method: "GET", path: a + "/runs/{run}/events", summary: "Follow a discovery run's progress (server-sent events)", roles: anyRole, stream: s.runEvents},
		{method: "GET", path: a + "/runs/{run}/reconcile", summary: "Compare a discovery run with the scope", roles: anyRole, handle: s.reconcile},
		{method: "GET", path: a + "/runs/{run}/exposure", summary: "List a discovery run's exposure findings per host", roles: anyRole, handle: s.exposure},
		{method: "POST", path: a + "/scope", summary: "Add a found host to the scope", roles: assessor,
			body: "application/json", bodyDoc: "{run, address, type, build, device?, hostname?}", handle: s.addHost},
		{method: "POST", path: a + "/exclusions", summary: "Mark a found host out of scope with a reason", roles: assessor,
			body: "application/json", bodyDoc: "{run, address, reason}", handle: s.excludeHost},
	}
}

func (s *server) discoveryOverview(r *http.Request, _ principal) (any, error) {
	return s.disc.Overview(r.Context(), r.PathValue("id"))
}

func (s *server) addScanner(r *http.Request, _ principal) (any, error) {
	var req assess.ScannerRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return s.disc.AddScanner(r.Context(), r.PathValue("id"), req)
}

func (s *server) removeScanner(r *http.Request, _ principal) (any, error) {
	if err := s.disc.RemoveScanner(r.Context(), r.PathValue("id"), r.PathValue("agent")); err != nil {
		return nil, err
	}
	return map[string]string{"removed": r.PathValue("agent")}, nil
}

func (s *server) startDiscovery(r *http.Request, _ principal) (any, error) {
	var job assess.DiscoveryJob
	if err := decode(r, &job); err != nil {
		return nil, err
	}
	return s.disc.StartDiscovery(r.Context(), r.PathValue("id"), job)
}

func (s *server) showRun(r *http.Request, _ principal) (any, error) {
	return s.disc.Run(r.Context(), r.PathValue("id"), r.PathValue("run"))
}

func (s *server) reconcile(r *http.Request, _ principal) (any, error) {
	return s.disc.Reconcile(r.Context(), r.PathValue("id"), r.PathValue("run"))
}

func (s *server) exposure(r *http.Request, _ principal) (any, error) {
	return s.disc.Exposure(r.Context(), r.PathValue("id"), r.PathValue("run"))
}

func (s *server) addHost(r *http.Request, _ principal) (any, error) {
	var req assess.AddHostRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return s.disc.AddHost(r.Context(), r.PathValue("id"), req)
}

func (s *server) excludeHost(r *http.Request, _ principal) (any, error) {
	var req assess.ExcludeRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return s.disc.ExcludeHost(r.Context(), r.PathValue("id"), req)
}

// runEvents streams a running discovery's progress as server-sent events: one `progress` event
// per report of the scanner (id = its seq, for Last-Event-ID), then one `done` event with the
// final status.
func (s *server) runEvents(w http.ResponseWriter, r *http.Request, _ principal) error {
	id, run := r.PathValue("id"), r.PathValue("run")
	return streamEvents(w, r, s.log, eventStream[assess.RunProgress]{
		label: "discovery events", key: "run", id: run,
		seq: func(u assess.RunProgress) int { return u.Seq },
		watch: func(seen int) (watched[assess.RunProgress], error) {
			wt, err := s.disc.WatchDiscovery(id, run, seen)
			return watched[assess.RunProgress]{
				updates: wt.Updates, done: wt.Status.Done, changed: wt.Changed,
				final: func() (any, error) { return wt.Status, nil },
			}, err
		},
	})
}
