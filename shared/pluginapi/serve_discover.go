package pluginapi

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ceplus/ceplus/shared/discovery"
	pb "github.com/ceplus/ceplus/shared/pluginapi/proto/ceplus/plugin/v1"
)

// Discover serves one discovery run: progress events while the source runs, then the hosts one
// message each, then the run summary. A refused request ends with InvalidArgument and no summary;
// a failed run sends its summary and then the error.
func (s *server) Discover(req *pb.DiscoverRequest, stream grpc.ServerStreamingServer[pb.DiscoverResponse]) error {
	src, ok := s.src.(DiscoverySource)
	if !ok {
		return status.Errorf(codes.Unimplemented, "plugin %s is a %s source: it has no Discover", s.src.Info().Name, s.src.Info().Kind)
	}
	r, err := discoveryRequestFromWire(req)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "%s: %v", s.src.Info().Name, err)
	}
	ctx := stream.Context()
	if r.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	// Progress is sent from the source's goroutine; a send error (the agent went away) is kept
	// and ends the run once the source returns.
	var mu sync.Mutex
	var sendErr error
	send := func(m *pb.DiscoverResponse) {
		mu.Lock()
		defer mu.Unlock()
		if sendErr == nil {
			if err := stream.Send(m); err != nil {
				sendErr = fmt.Errorf("send discovery progress: %w", err)
			}
		}
	}
	res, runErr := src.Discover(ctx, r, func(p discovery.Progress) {
		send(&pb.DiscoverResponse{Event: &pb.DiscoverResponse_Progress{Progress: progressToWire(p)}})
	})
	if errors.Is(runErr, ErrInvalidRequest) {
		return status.Errorf(codes.InvalidArgument, "%s: %v", s.src.Info().Name, runErr)
	}
	for _, h := range res.Hosts {
		send(&pb.DiscoverResponse{Event: &pb.DiscoverResponse_Host{Host: hostToWire(h)}})
	}
	send(&pb.DiscoverResponse{Event: &pb.DiscoverResponse_Run{Run: runToWire(res.SchemaVersion, res.Run)}})
	mu.Lock()
	defer mu.Unlock()
	if sendErr != nil {
		return sendErr
	}
	if runErr != nil {
		return fmt.Errorf("%s: %w", s.src.Info().Name, runErr)
	}
	return nil
}
