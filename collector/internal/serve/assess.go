package serve

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/identity"
)

// VulnDBDir is the folder of the data directory that holds the imported vulnerability
// snapshots assessments pin (vulndb.Import writes there).
const VulnDBDir = "vulndb"

// assessAPI is the assessment API (package api) on this collector's store, clock and agents.
func (c *Collector) assessAPI() http.Handler {
	return api.New(api.Deps{Store: c.store, Now: c.now, Log: c.log,
		Scanner:  assess.ScannerFunc(c.scanForAssessment),
		Matchers: &assess.SnapshotDir{Dir: filepath.Join(c.cfg.DataDir, VulnDBDir)}})
}

// scanForAssessment sends "scan now" to the agent and returns the content hash of the
// inventory it uploaded, which the ingest has committed by the time the agent answers.
func (c *Collector) scanForAssessment(ctx context.Context, id identity.AgentID) (string, error) {
	res, err := c.ingest.ScanNow(ctx, id)
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
