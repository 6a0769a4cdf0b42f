package assess

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/rules"
)

// CSVColumns are the columns of a scope CSV file; the first line names them (any order);
// id, type and build are required, the others optional.
var CSVColumns = []string{"id", "type", "build", "hostname", "machine_id", "addresses"}

// ParseScopeCSV reads devices from a scope CSV: a header line naming the columns, then one
// device per line; addresses are separated by spaces or semicolons; lines starting with # are
// comments. Errors name the line and say what to fix.
func ParseScopeCSV(r io.Reader) ([]ScopeDevice, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fail(ErrInvalid, "invalid_csv", "scope CSV is empty: want a header line (%s) and one device per line", strings.Join(CSVColumns, ","))
	}
	if err != nil {
		return nil, fail(ErrInvalid, "invalid_csv", "scope CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range CSVColumns {
			known = known || c == h
		}
		if !known {
			return nil, fail(ErrInvalid, "invalid_csv", "scope CSV line 1: unknown column %q: the columns are %s", h, strings.Join(CSVColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, fail(ErrInvalid, "invalid_csv", "scope CSV line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, c := range CSVColumns[:3] {
		if _, ok := col[c]; !ok {
			return nil, fail(ErrInvalid, "invalid_csv", "scope CSV line 1: column %q is missing: the header must name at least id, type and build", c)
		}
	}
	var out []ScopeDevice
	lineOf := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fail(ErrInvalid, "invalid_csv", "scope CSV: %v", err)
		}
		if len(rec) != len(header) {
			return nil, fail(ErrInvalid, "invalid_csv", "scope CSV line %d: %d fields, the header has %d", line, len(rec), len(header))
		}
		get := func(c string) string {
			if i, ok := col[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		d := ScopeDevice{ID: get("id"), Type: strings.ToLower(get("type")), Build: get("build"), Hostname: get("hostname"), MachineID: get("machine_id")}
		if a := get("addresses"); a != "" {
			d.Addresses = strings.FieldsFunc(a, func(r rune) bool { return r == ' ' || r == ';' })
		}
		if err := d.Rules().Validate(); err != nil {
			return nil, fail(ErrInvalid, "invalid_csv", "scope CSV line %d: %v", line, err)
		}
		if prev, dup := lineOf[d.ID]; dup {
			return nil, fail(ErrInvalid, "invalid_csv", "scope CSV line %d: device id %q repeats line %d: ids must be unique", line, d.ID, prev)
		}
		lineOf[d.ID] = line
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fail(ErrInvalid, "invalid_csv", "scope CSV has a header but no devices")
	}
	return out, nil
}

// ScopeChange is the answer to a scope step.
type ScopeChange struct {
	Added   []string       `json:"added"`
	Linked  []AgentLink    `json:"linked"`
	Skipped []SkippedAgent `json:"skipped"`
	// AfterFreeze is true when the scope was already frozen: the change is recorded but is not
	// part of the frozen scope.
	AfterFreeze bool `json:"after_freeze"`
}

// AgentLink says which agent now reports for which scope entry, and how they were matched.
type AgentLink struct {
	Device string `json:"device"`
	Agent  string `json:"agent"`
	By     string `json:"by"`
}

// SkippedAgent is an agent that was not added, with the reason.
type SkippedAgent struct {
	Agent  string `json:"agent"`
	Reason string `json:"reason"`
}

// ImportScope adds devices (read with ParseScopeCSV) to the scope. A device whose id is already
// in the scope is an error unless it is identical.
func (s *Service) ImportScope(ctx context.Context, id string, devices []ScopeDevice) (ScopeChange, error) {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return ScopeChange{}, err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return ScopeChange{}, err
	}
	ch := ScopeChange{Added: []string{}, Linked: []AgentLink{}, Skipped: []SkippedAgent{}, AfterFreeze: st.Frozen != nil}
	var add []ScopeDevice
	for _, d := range devices {
		if err := d.Rules().Validate(); err != nil {
			return ScopeChange{}, fail(ErrInvalid, "invalid_device", "%v", err)
		}
		if old, ok := st.Device(d.ID); ok {
			old.Agent = ""
			if fmt.Sprint(old) != fmt.Sprint(d) {
				return ScopeChange{}, fail(ErrConflict, "device_exists", "device %q is already in the scope as %s %q: give new devices new ids", d.ID, old.Type, old.Build)
			}
			continue
		}
		add = append(add, d)
		ch.Added = append(ch.Added, d.ID)
	}
	if len(add) > 0 {
		if _, err := s.appendEvent(ctx, id, KindScopeAdded, scopeAdded{Source: "csv", Devices: add, AfterFreeze: st.Frozen != nil}); err != nil {
			return ScopeChange{}, err
		}
	}
	return ch, nil
}

// AgentsRequest selects the enrolled agents of an assessment to add to its scope.
type AgentsRequest struct {
	// Type is the device type of the agents' devices that are new to the scope (agents do not
	// report it): desktop, laptop, thin_client, server, mobile, network or other.
	Type string `json:"type"`
	// Agents limits the step to these agent ids (or unique prefixes); empty means all.
	Agents []string `json:"agents,omitempty"`
}

// AddAgents brings the assessment's enrolled, unrevoked agents into the scope: an agent bound
// to a scope entry, or whose machine id or hostname matches exactly one entry, is linked to it;
// the others become new devices with req.Type and their reported build.
func (s *Service) AddAgents(ctx context.Context, id string, req AgentsRequest) (ScopeChange, error) {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return ScopeChange{}, err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return ScopeChange{}, err
	}
	agents, err := s.store.ListAgents(ctx, store.AgentFilter{AssessmentID: id, ExcludeRevoked: true})
	if err != nil {
		return ScopeChange{}, fmt.Errorf("assessment %s: list agents: %w", id, err)
	}
	agents, err = selectAgents(agents, req.Agents)
	if err != nil {
		return ScopeChange{}, err
	}
	ch := ScopeChange{Added: []string{}, Linked: []AgentLink{}, Skipped: []SkippedAgent{}, AfterFreeze: st.Frozen != nil}
	linked := map[string]bool{}
	for _, d := range st.Scope {
		if d.Agent != "" {
			linked[d.Agent] = true
		}
	}
	var add []ScopeDevice
	taken := map[string]bool{}
	for _, a := range agents {
		aid := a.ID.String()
		if linked[aid] {
			continue
		}
		if dev, by := matchEntry(st, a); dev != "" {
			ch.Linked = append(ch.Linked, AgentLink{Device: dev, Agent: aid, By: by})
			continue
		}
		build := a.Build
		if build == "" && a.Latest != nil {
			build = a.Latest.Build
		}
		if build == "" {
			ch.Skipped = append(ch.Skipped, SkippedAgent{Agent: aid, Reason: "no build reported yet: wait for the agent's first inventory, then add it again"})
			continue
		}
		if !rules.ValidDeviceType(req.Type) {
			return ScopeChange{}, fail(ErrInvalid, "invalid_type", "type %q: agents do not report their device type: give one of %s", req.Type, strings.Join(rules.DeviceTypes, ", "))
		}
		devID := strings.ToLower(a.Hostname)
		if _, ok := st.Device(devID); ok || devID == "" || taken[devID] {
			devID = "agent-" + aid[:12]
		}
		taken[devID] = true
		add = append(add, ScopeDevice{ID: devID, Type: req.Type, Build: build, Hostname: a.Hostname, MachineID: a.MachineID, Agent: aid})
		ch.Added = append(ch.Added, devID)
	}
	if len(add) > 0 {
		if _, err := s.appendEvent(ctx, id, KindScopeAdded, scopeAdded{Source: "agents", Devices: add, AfterFreeze: st.Frozen != nil}); err != nil {
			return ScopeChange{}, err
		}
	}
	for _, l := range ch.Linked {
		if _, err := s.appendEvent(ctx, id, KindAgentLinked, agentLinked(l)); err != nil {
			return ScopeChange{}, err
		}
	}
	return ch, nil
}

func selectAgents(all []store.Agent, want []string) ([]store.Agent, error) {
	if len(want) == 0 {
		return all, nil
	}
	var out []store.Agent
	for _, w := range want {
		var hit []store.Agent
		for _, a := range all {
			if strings.HasPrefix(a.ID.String(), strings.ToLower(w)) {
				hit = append(hit, a)
			}
		}
		switch {
		case len(hit) == 0:
			return nil, fail(ErrNotFound, "agent_not_found", "agent %q is not an enrolled, unrevoked agent of this assessment: enrol it with a token created with --assessment", w)
		case len(hit) > 1:
			return nil, fail(ErrInvalid, "agent_ambiguous", "agent prefix %q matches %d agents: give more characters", w, len(hit))
		}
		out = append(out, hit[0])
	}
	return out, nil
}

// matchEntry finds the scope entry an agent reports for: its bound scope entry, else the one
// entry with its machine id, else the one entry with its hostname (case-insensitive).
func matchEntry(st *State, a store.Agent) (device, by string) {
	if a.ScopeEntry != "" {
		if _, ok := st.Device(a.ScopeEntry); ok {
			return a.ScopeEntry, "scope_entry"
		}
	}
	one := func(eq func(ScopeDevice) bool) string {
		found := ""
		for _, d := range st.Scope {
			if d.Agent == "" && eq(d) {
				if found != "" {
					return ""
				}
				found = d.ID
			}
		}
		return found
	}
	if a.MachineID != "" {
		if d := one(func(d ScopeDevice) bool { return d.MachineID == a.MachineID }); d != "" {
			return d, "machine_id"
		}
	}
	if a.Hostname != "" {
		if d := one(func(d ScopeDevice) bool { return strings.EqualFold(d.Hostname, a.Hostname) }); d != "" {
			return d, "hostname"
		}
	}
	return "", ""
}

// Freeze freezes the scope: its hash (sample.ScopeHash) keys every draw. The scope can be
// frozen again until Sample 1 is committed; after that, changes are recorded but not frozen.
func (s *Service) Freeze(ctx context.Context, id string) (*State, error) {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.Samples[1] != nil {
		return nil, fail(ErrConflict, "sample_committed", "assessment %s: Sample 1 is already committed to the frozen scope %s: the scope cannot be frozen again", id, st.Frozen.ScopeHash)
	}
	if len(st.Scope) == 0 {
		return nil, fail(ErrConflict, "scope_empty", "assessment %s: the scope is empty: import a CSV or add enrolled agents first", id)
	}
	devs := make([]rules.Device, len(st.Scope))
	for i, d := range st.Scope {
		devs[i] = d.Rules()
	}
	if err := sample.ValidateScope(devs); err != nil {
		return nil, fail(ErrInvalid, "invalid_scope", "assessment %s: %v", id, err)
	}
	if _, err := s.appendEvent(ctx, id, KindFrozen, frozen{ScopeHash: sample.ScopeHash(devs), Devices: len(devs)}); err != nil {
		return nil, err
	}
	return s.Load(ctx, id)
}
