package web

import (
	"net/http"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/store"
)

// agentRow is one agent as the agents page lists it.
type agentRow struct {
	store.Agent
	Build    string
	Packages int
	// Inventory is the content hash of the latest inventory, "" when none.
	Inventory string
}

// agents lists the enrolled agents. The API has no agents route, so the page reads the store,
// with the rule of the API's other reading routes of the history and scans: assessors and
// viewers only, and a token bound to an assessment sees that assessment's agents only.
func (s *server) agents(w http.ResponseWriter, r *http.Request, q *request) error {
	if !q.who.Reader() {
		return &api.Error{Status: http.StatusForbidden, Code: "forbidden_role",
			Message: "an " + string(q.who.Role) + " token cannot list agents: this needs a token with role assessor or viewer"}
	}
	if s.store == nil {
		return &api.Error{Status: http.StatusNotFound, Code: "no_agents", Message: "this collector's UI was started without its store: agents are listed by 'ceplus-collector agents list'"}
	}
	as, err := s.store.ListAgents(r.Context(), store.AgentFilter{AssessmentID: q.who.Assessment})
	if err != nil {
		return err
	}
	rows := make([]agentRow, 0, len(as))
	for _, a := range as {
		row := agentRow{Agent: a, Build: a.Build}
		if a.Latest != nil {
			row.Packages, row.Inventory = a.Latest.Packages, a.Latest.ContentHash
			if row.Build == "" {
				row.Build = a.Latest.Build
			}
		}
		rows = append(rows, row)
	}
	s.render(w, r, http.StatusOK, "agents", s.page(q, "Agents", "agents", rows))
	return nil
}
