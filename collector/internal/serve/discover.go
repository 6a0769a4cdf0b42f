package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// newDiscovery returns the assessments' discovery service: jobs go to scanner agents connected
// to this collector, exposure findings use the pinned snapshots of the data directory.
func (c *Collector) newDiscovery() *assess.Discovery {
	return assess.NewDiscovery(c.assess, assess.DiscoveryDeps{Runner: assess.DiscoveryRunnerFunc(c.runDiscovery),
		SnapshotDir: filepath.Join(c.cfg.DataDir, VulnDBDir)})
}

// runDiscovery sends a checked job to a scanner agent connected to this collector and decodes
// its result. Discovery is not relayed between replicas: the collector holding the agent's
// connection runs it.
func (c *Collector) runDiscovery(ctx context.Context, agent identity.AgentID, job assess.ScanJob, progress func(discovery.Progress)) (*discovery.Result, error) {
	wj := wire.DiscoveryJob{Targets: job.Targets, Ports: job.Ports, TopPorts: job.TopPorts, Service: job.Service, Intensity: job.Intensity,
		HostTimeout: job.HostTimeout, Timeout: job.Timeout, AllowedPrefixes: job.Allowed, Timing: job.Timing, MaxAddresses: job.MaxAddresses}
	raw, res, err := c.ingest.Discover(ctx, agent, wj, func(p wire.JobProgress) {
		progress(discovery.Progress{Task: p.Task, Percent: p.Percent, Remaining: p.Remaining, HostsDone: p.HostsDone, Done: p.Done})
	})
	if err != nil {
		return nil, err
	}
	var runErr error
	if !res.OK {
		runErr = errors.New("the agent reported: " + res.Error)
	}
	if raw == nil {
		if runErr == nil {
			runErr = errors.New("the agent reported success without a result")
		}
		return nil, runErr
	}
	var out discovery.Result
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode the discovery result of agent %s: %w", agent.Short(), err)
	}
	if out.SchemaVersion != discovery.SchemaVersion {
		return nil, fmt.Errorf("agent %s sent a discovery result of schema %d, this collector reads %d: upgrade the older side", agent.Short(), out.SchemaVersion, discovery.SchemaVersion)
	}
	return &out, runErr
}
