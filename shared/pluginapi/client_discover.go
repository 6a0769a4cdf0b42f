package pluginapi

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ceplus/ceplus/shared/discovery"
)

// Discover runs the plugin's discovery source once, calls progress (may be nil) for every
// progress event as it arrives, and gathers the hosts and the run summary into one Result.
//
// A request the plugin refused before scanning returns an error wrapping ErrInvalidRequest. A run
// that failed after starting returns its summary (outcome Failed) with the error. A stream that
// breaks (the plugin crashed, or ctx ended before the plugin answered) returns an error and the
// hosts received so far with outcome Failed: the caller should bound ctx a little beyond
// req.Timeout, so that a plugin honouring its timeout can still send its partial result.
func (c *Client) Discover(ctx context.Context, req DiscoveryRequest, progress func(discovery.Progress)) (discovery.Result, error) {
	res := discovery.Result{SchemaVersion: discovery.SchemaVersion, Hosts: []discovery.Host{},
		Run: discovery.Run{Targets: req.Targets, Outcome: discovery.Failed}}
	stream, err := c.rpc.Discover(ctx, discoveryRequestToWire(req))
	if err != nil {
		return res, c.discoverError(err)
	}
	gotRun := false
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if !gotRun {
				return res, fmt.Errorf("discover with plugin %s: the stream ended without the run summary: the plugin is broken", c.path)
			}
			return res, nil
		}
		if err != nil {
			return res, c.discoverError(err)
		}
		switch {
		case m.GetProgress() != nil:
			if progress != nil {
				progress(progressFromWire(m.GetProgress()))
			}
		case m.GetHost() != nil:
			h, err := hostFromWire(m.GetHost())
			if err != nil {
				return res, fmt.Errorf("discover with plugin %s: %w", c.path, err)
			}
			res.Hosts = append(res.Hosts, h)
		case m.GetRun() != nil:
			schema, run, err := runFromWire(m.GetRun())
			if err != nil {
				return res, fmt.Errorf("discover with plugin %s: %w", c.path, err)
			}
			res.SchemaVersion, res.Run, gotRun = schema, run, true
		default:
			return res, fmt.Errorf("discover with plugin %s: empty or unknown message in the stream: rebuild the plugin for this agent", c.path)
		}
	}
}

// discoverError names the plugin and maps the gRPC status of a refused or unsupported request
// to what the caller can act on.
func (c *Client) discoverError(err error) error {
	switch status.Code(err) {
	case codes.InvalidArgument:
		return refusedError(fmt.Sprintf("plugin %s: %s", c.path, status.Convert(err).Message()))
	case codes.Unimplemented:
		return fmt.Errorf("plugin %s does not run discoveries (%s): use a discovery plugin", c.path, status.Convert(err).Message())
	case codes.DeadlineExceeded:
		return fmt.Errorf("discover with plugin %s: %w (%v)", c.path, context.DeadlineExceeded, err)
	case codes.Canceled:
		return fmt.Errorf("discover with plugin %s: %w (%v)", c.path, context.Canceled, err)
	}
	return fmt.Errorf("discover with plugin %s: %w", c.path, err)
}

// refusedError carries a plugin's refusal of a request (whose message already says "refused")
// across the wire; it matches ErrInvalidRequest.
type refusedError string

func (e refusedError) Error() string { return string(e) }

func (e refusedError) Unwrap() error { return ErrInvalidRequest }
