package assess

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
)

// ErrAgentNotConnected is wrapped by a Scanner's error when the agent has no live connection
// to any collector: the scan then uses the inventory a `ceplus-agent once` run uploaded for
// the sample, if there is one.
var ErrAgentNotConnected = errors.New("agent not connected")

// uploadedSince returns the content hash of the agent's latest inventory when the collector
// received it after Sample n was drawn (and, for Sample 2, declared): what `ceplus-agent once`
// left for this sample before it removed itself. Otherwise it returns notConnected, with what
// to do.
func (s *Service) uploadedSince(ctx context.Context, st *State, n int, device string, agent identity.AgentID, notConnected error) (string, error) {
	since := st.Samples[n].DrawnAt
	if n == 2 && st.Declared != nil && st.Declared.At.After(since) {
		since = st.Declared.At
	}
	u, err := s.store.LatestInventory(ctx, agent)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", fmt.Errorf("%w; it has uploaded no inventory: run 'ceplus-agent once' on the device, then scan again", notConnected)
	case err != nil:
		return "", fmt.Errorf("device %s: latest inventory of agent %s: %w", device, agent.Short(), err)
	case u.ReceivedAt.Before(since):
		return "", fmt.Errorf("%w, and its latest inventory arrived at %s, before Sample %d was drawn or declared (%s): run 'ceplus-agent once' on the device, then scan again",
			notConnected, u.ReceivedAt.Format(time.RFC3339), n, since.Format(time.RFC3339))
	}
	return u.ContentHash, nil
}
