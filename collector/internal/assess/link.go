package assess

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// LinkAgent links an agent of its assessment (a `ceplus-agent once` run, which enrols a new
// agent every time) to the scope entry it reports for: the entry its token names, else the one
// entry with its machine id, else the one entry with its hostname (case-insensitive). An entry
// already linked to another agent is re-linked to this one: the newest run reports for the
// device. When no entry fits, the error (code not_linked) says what the assessor should do.
func (s *Service) LinkAgent(ctx context.Context, a store.Agent) (AgentLink, error) {
	aid := a.ID.String()
	if a.AssessmentID == "" {
		return AgentLink{}, fail(ErrConflict, "not_linked", "agent %s was enrolled with a token bound to no assessment: "+
			"the assessor creates one with 'ceplus-collector token create --assessment ID [--device SCOPE_ID]', then run 'ceplus-agent once' again", a.ID.Short())
	}
	unlock, err := s.lock(ctx, a.AssessmentID)
	if err != nil {
		return AgentLink{}, err
	}
	defer unlock()
	st, err := s.Load(ctx, a.AssessmentID)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == "assessment_not_found" {
			return AgentLink{}, fail(ErrConflict, "not_linked", "the token names assessment %s, which this collector does not hold: ask the assessor for a token of an existing assessment", a.AssessmentID)
		}
		return AgentLink{}, err
	}
	dev, by, problem := findEntry(st, a)
	if dev == "" {
		return AgentLink{}, fail(ErrConflict, "not_linked", "%s", problem)
	}
	l := AgentLink{Device: dev, Agent: aid, By: by}
	if d, _ := st.Device(dev); d.Agent == aid {
		return l, nil
	}
	if _, err := s.appendEvent(ctx, st.ID, KindAgentLinked, agentLinked(l)); err != nil {
		return AgentLink{}, err
	}
	return l, nil
}

// findEntry finds the scope entry of a once agent, or says why there is none.
func findEntry(st *State, a store.Agent) (device, by, problem string) {
	fix := fmt.Sprintf("the assessor adds the device to the scope of %s with its hostname or machine_id column ('ceplus-collector assessment scope import'), "+
		"or issues a per-device token ('ceplus-collector token create --assessment %s --device SCOPE_ID'); then run 'ceplus-agent once' again", st.ID, st.ID)
	if a.ScopeEntry != "" {
		if _, ok := st.Device(a.ScopeEntry); ok {
			return a.ScopeEntry, "scope_entry", ""
		}
		return "", "", fmt.Sprintf("the token names scope entry %q, which is not in the scope of assessment %s: %s", a.ScopeEntry, st.ID, fix)
	}
	all := func(eq func(ScopeDevice) bool) []string {
		var ids []string
		for _, d := range st.Scope {
			if eq(d) {
				ids = append(ids, d.ID)
			}
		}
		return ids
	}
	var tried []string
	if a.MachineID != "" {
		switch ids := all(func(d ScopeDevice) bool { return d.MachineID == a.MachineID }); len(ids) {
		case 1:
			return ids[0], "machine_id", ""
		case 0:
			tried = append(tried, fmt.Sprintf("no entry has machine id %q", a.MachineID))
		default:
			return "", "", fmt.Sprintf("entries %s of assessment %s share machine id %q: the assessor corrects the scope or issues a per-device token ('ceplus-collector token create --assessment %s --device SCOPE_ID'); then run 'ceplus-agent once' again",
				strings.Join(ids, ", "), st.ID, a.MachineID, st.ID)
		}
	}
	if a.Hostname != "" {
		switch ids := all(func(d ScopeDevice) bool { return strings.EqualFold(d.Hostname, a.Hostname) }); len(ids) {
		case 1:
			return ids[0], "hostname", ""
		case 0:
			tried = append(tried, fmt.Sprintf("no entry has hostname %q", a.Hostname))
		default:
			return "", "", fmt.Sprintf("entries %s of assessment %s share hostname %q: the assessor issues a per-device token ('ceplus-collector token create --assessment %s --device SCOPE_ID'); then run 'ceplus-agent once' again",
				strings.Join(ids, ", "), st.ID, a.Hostname, st.ID)
		}
	}
	if len(tried) == 0 {
		tried = append(tried, "the agent reported neither a machine id nor a hostname")
	}
	return "", "", fmt.Sprintf("this device could not be linked to the scope of assessment %s (%s): %s", st.ID, strings.Join(tried, ", "), fix)
}
