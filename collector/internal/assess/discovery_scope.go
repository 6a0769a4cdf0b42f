package assess

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/rules"
)

// AddHostRequest adds a host found by a discovery run to the scope.
type AddHostRequest struct {
	Run     string `json:"run"`
	Address string `json:"address"`
	// Device is the new scope entry's id; default host-<address>.
	Device string `json:"device,omitempty"`
	// Type and Build are declared by the assessor: a scan sees neither reliably.
	Type  string `json:"type"`
	Build string `json:"build"`
	// Hostname defaults to the first name the run knows for the host.
	Hostname string `json:"hostname,omitempty"`
}

// AddHostResult is the new scope entry and, when the scope was frozen, its new hash.
type AddHostResult struct {
	Device ScopeDevice `json:"device"`
	// Refrozen is true when the scope was frozen: the addition is followed by a new freeze
	// (scope_frozen with the new hash), both recorded.
	Refrozen  bool   `json:"refrozen"`
	ScopeHash string `json:"scope_hash,omitempty"`
}

// AddHost adds an up host of a recorded run that is in no scope entry to the scope
// (scope_added with source discovery, the run and the address). The scope may change until
// Sample 1 is committed: after a freeze the addition is followed by a new freeze, so that the
// frozen scope the draws use includes the host and the history shows both steps. Once Sample 1
// is committed the scope the draws are bound to is final: the host can be marked out of scope
// with a reason, or the matter recorded as an assessor decision.
func (d *Discovery) AddHost(ctx context.Context, id string, req AddHostRequest) (AddHostResult, error) {
	s := d.svc
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return AddHostResult{}, err
	}
	defer unlock()
	st, h, err := d.foundHost(ctx, id, req.Run, req.Address)
	if err != nil {
		return AddHostResult{}, err
	}
	if st.Samples[1] != nil {
		return AddHostResult{}, fail(ErrConflict, "sample_committed", "assessment %s: Sample 1 is already committed to the frozen scope %s, so host %s cannot join the scope the draws use: "+
			"mark it out of scope with a reason ('assessment discovery exclude'), or record an assessor decision ('assessment decide')", id, st.Frozen.ScopeHash, req.Address)
	}
	if x, ok := st.excluded(h); ok {
		return AddHostResult{}, fail(ErrConflict, "host_excluded", "host %s was marked out of scope on %s (%s): it is not added", req.Address, x.At.Format("2006-01-02"), x.Reason)
	}
	if !rules.ValidDeviceType(req.Type) {
		return AddHostResult{}, fail(ErrInvalid, "invalid_type", "type %q: a scan cannot tell the device type: give one of %s", req.Type, strings.Join(rules.DeviceTypes, ", "))
	}
	if strings.TrimSpace(req.Build) == "" {
		return AddHostResult{}, fail(ErrInvalid, "invalid_build", "build is empty: declare the device's build (OS family, edition, version, feature update), as on a scope CSV line")
	}
	dev := ScopeDevice{ID: req.Device, Type: req.Type, Build: strings.TrimSpace(req.Build), Hostname: req.Hostname}
	if dev.ID == "" {
		dev.ID = "host-" + strings.NewReplacer(".", "-", ":", "-").Replace(h.Addresses[0].String())
	}
	if dev.Hostname == "" && len(h.Hostnames) > 0 {
		dev.Hostname = h.Hostnames[0]
	}
	for _, a := range h.Addresses {
		dev.Addresses = append(dev.Addresses, a.String())
	}
	if err := dev.Rules().Validate(); err != nil {
		return AddHostResult{}, fail(ErrInvalid, "invalid_device", "%v", err)
	}
	if _, ok := st.Device(dev.ID); ok {
		return AddHostResult{}, fail(ErrConflict, "device_exists", "device %q is already in the scope: give the new entry another id", dev.ID)
	}
	addr := h.Addresses[0]
	e, err := s.appendEvent(ctx, id, KindScopeAdded, foundHostAdded{scopeAdded: scopeAdded{Source: "discovery", Devices: []ScopeDevice{dev}}, Run: req.Run, Address: addr})
	if err != nil {
		return AddHostResult{}, err
	}
	out := AddHostResult{Device: dev}
	if st.Frozen == nil {
		return out, nil
	}
	if err := st.applyNext(e); err != nil {
		return out, err
	}
	devs := make([]rules.Device, len(st.Scope))
	for i, sd := range st.Scope {
		devs[i] = sd.Rules()
	}
	if err := sample.ValidateScope(devs); err != nil {
		return out, fail(ErrInvalid, "invalid_scope", "assessment %s: host %s was added, but the scope cannot be frozen again: %v; fix the scope, then 'assessment freeze %s'", id, req.Address, err, id)
	}
	out.Refrozen, out.ScopeHash = true, sample.ScopeHash(devs)
	if _, err := s.appendEvent(ctx, id, KindFrozen, frozen{ScopeHash: out.ScopeHash, Devices: len(devs)}); err != nil {
		return out, fmt.Errorf("%w; host %s was added: freeze the scope again with 'assessment freeze %s'", err, req.Address, id)
	}
	return out, nil
}

// ExcludeRequest marks a host found by a discovery run out of scope.
type ExcludeRequest struct {
	Run     string `json:"run"`
	Address string `json:"address"`
	Reason  string `json:"reason"`
}

// ExcludeHost records that an up host of a recorded run, in no scope entry, is out of scope,
// with the assessor's reason (host_excluded). Marking it again records the new reason.
func (d *Discovery) ExcludeHost(ctx context.Context, id string, req ExcludeRequest) (Exclusion, error) {
	s := d.svc
	if strings.TrimSpace(req.Reason) == "" {
		return Exclusion{}, fail(ErrInvalid, "invalid_reason", "no reason given: say why host %s is out of scope (for example: guest Wi-Fi, segregated by the firewall)", req.Address)
	}
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return Exclusion{}, err
	}
	defer unlock()
	_, h, err := d.foundHost(ctx, id, req.Run, req.Address)
	if err != nil {
		return Exclusion{}, err
	}
	p := hostExcluded{Run: req.Run, Address: h.Addresses[0].Unmap(), Reason: strings.TrimSpace(req.Reason)}
	e, err := s.appendEvent(ctx, id, KindHostExcluded, p)
	if err != nil {
		return Exclusion{}, err
	}
	return Exclusion{Address: p.Address, Reason: p.Reason, Run: p.Run, At: e.At}, nil
}

// foundHost loads the assessment and returns the up host of a recorded run with the address,
// refusing a host that already matches a scope entry.
func (d *Discovery) foundHost(ctx context.Context, id, run, address string) (*State, discovery.Host, error) {
	st, err := d.svc.Load(ctx, id)
	if err != nil {
		return nil, discovery.Host{}, err
	}
	if run == "" || run == "latest" {
		return nil, discovery.Host{}, fail(ErrInvalid, "invalid_run", "name the discovery run the host was found in (see 'assessment discovery list %s')", id)
	}
	r, err := st.run(run, true)
	if err != nil {
		return nil, discovery.Host{}, err
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(address))
	if err != nil {
		return nil, discovery.Host{}, fail(ErrInvalid, "invalid_address", "address %q: not an IP address", address)
	}
	ip = ip.Unmap()
	res, _, err := d.load(ctx, r)
	if err != nil {
		return nil, discovery.Host{}, err
	}
	var host *discovery.Host
	for i, h := range res.Hosts {
		for _, a := range h.Addresses {
			if a.Unmap() == ip && h.Up() {
				host = &res.Hosts[i]
			}
		}
	}
	if host == nil {
		return nil, discovery.Host{}, fail(ErrNotFound, "host_not_found", "run %s found no up host with address %s: see 'assessment discovery reconcile %s %s'", run, ip, id, run)
	}
	rep := st.reconcile(run, discovery.Result{Hosts: []discovery.Host{*host}})
	if len(rep.Report.Matches) > 0 || len(rep.Report.Ambiguous) > 0 {
		ids := []string{}
		for _, m := range rep.Report.Matches {
			ids = append(ids, m.DeviceID)
		}
		for _, a := range rep.Report.Ambiguous {
			ids = append(ids, a.DeviceIDs...)
		}
		return nil, discovery.Host{}, fail(ErrConflict, "host_in_scope", "host %s is already in the scope as %s", ip, strings.Join(ids, ", "))
	}
	return st, *host, nil
}
