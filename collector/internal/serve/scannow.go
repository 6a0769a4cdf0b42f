package serve

import (
	"context"

	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// scanNow asks an agent to inventory now through this collector's connection to it.
func (c *Collector) scanNow(ctx context.Context, id identity.AgentID) (*wire.CommandResult, error) {
	return c.ingest.ScanNow(ctx, id)
}
