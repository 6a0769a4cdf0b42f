package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/ingest"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// VulnDBDir is the folder of the data directory that holds the imported vulnerability
// snapshots assessments pin (vulndb.Import writes there).
const VulnDBDir = "vulndb"

// newAssess returns the collector's one assessment service: the API and the ingest (which
// links `ceplus-agent once` uploads) share it, and with it its per-assessment locks.
func (c *Collector) newAssess() *assess.Service {
	return assess.New(assess.Deps{Store: c.store, Now: c.now,
		Scanner:  assess.ScannerFunc(c.scanForAssessment),
		Matchers: &assess.SnapshotDir{Dir: filepath.Join(c.cfg.DataDir, VulnDBDir)}})
}

// assessAPI is the assessment API (package api) on this collector's store, clock and agents.
func (c *Collector) assessAPI() http.Handler {
	return api.New(api.Deps{Store: c.store, Now: c.now, Log: c.log, Service: c.assess, Discovery: c.newDiscovery()})
}

// scanForAssessment sends "scan now" to the agent and returns the content hash of the
// inventory it uploaded, which the ingest has committed by the time the agent answers. An
// agent connected to no collector gives an error wrapping assess.ErrAgentNotConnected.
func (c *Collector) scanForAssessment(ctx context.Context, id identity.AgentID) (string, error) {
	res, err := c.scanNow(ctx, id)
	if errors.Is(err, ingest.ErrNotConnected) {
		return "", fmt.Errorf("%w: %w", assess.ErrAgentNotConnected, err)
	}
	if err != nil {
		return "", err
	}
	if !res.OK {
		return "", errors.New("the agent could not inventory: " + res.Error)
	}
	if res.ContentHash == "" {
		return "", errors.New("the agent reported success without an inventory content hash")
	}
	return res.ContentHash, nil
}

// linkOnce links the upload of a `ceplus-agent once` run to its assessment's scope entry
// (ingest.Linker).
func (c *Collector) linkOnce(ctx context.Context, id identity.AgentID) *wire.ScopeLink {
	a, err := c.store.GetAgent(ctx, id)
	if err != nil {
		c.log.Error("link a once agent: read the agent", "agent", id, "err", err)
		return &wire.ScopeLink{Problem: "the collector could not read this agent's record to link it: the assessor links it with 'ceplus-collector assessment scope add-agents'"}
	}
	l, err := c.assess.LinkAgent(ctx, a)
	var ae *assess.Error
	switch {
	case errors.As(err, &ae):
		c.log.Warn("once agent not linked to the scope", "agent", id, "assessment", a.AssessmentID, "hostname", a.Hostname, "machine_id", a.MachineID, "why", ae.Message)
		return &wire.ScopeLink{Assessment: a.AssessmentID, Problem: ae.Message}
	case err != nil:
		c.log.Error("link a once agent", "agent", id, "assessment", a.AssessmentID, "err", err)
		return &wire.ScopeLink{Assessment: a.AssessmentID, Problem: "the collector could not record the link: the assessor links it with 'ceplus-collector assessment scope add-agents " + a.AssessmentID + "'"}
	}
	c.log.Info("once agent linked to the scope", "agent", id, "assessment", a.AssessmentID, "device", l.Device, "by", l.By)
	return &wire.ScopeLink{Assessment: a.AssessmentID, Device: l.Device, By: l.By}
}
