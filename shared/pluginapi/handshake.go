package pluginapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/ceplus/ceplus/shared/pluginapi/proto/ceplus/plugin/v1"
)

// Handshake is the fixed go-plugin handshake of ceplus source plugins. ProtocolVersion is
// APIVersion, so a plugin built for another API version is refused before any call.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  APIVersion,
	MagicCookieKey:   "CEPLUS_SOURCE_PLUGIN",
	MagicCookieValue: "c3f1d0a4-7b5e-4e0c-9a51-ceplus-source-v1",
}

// pluginName is the name under which the source is dispensed.
const pluginName = "source"

// Description is what a plugin binary prints for its describe subcommand: its Info and the
// API version it was built for.
type Description struct {
	APIVersion int `json:"api_version"`
	Info
}

// grpcPlugin is the go-plugin glue: gRPC only (net/rpc is refused).
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	src Plugin // nil on the host side
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterSourceServiceServer(s, &server{src: p.src})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return pb.NewSourceServiceClient(c), nil
}

func pluginSets(src Plugin) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{APIVersion: {pluginName: &grpcPlugin{src: src}}}
}

// server serves one Source or DiscoverySource over gRPC; the RPC of the other kind answers
// Unimplemented.
type server struct {
	pb.UnimplementedSourceServiceServer
	src Plugin
}

func (s *server) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return &pb.DescribeResponse{ApiVersion: APIVersion, Info: infoToWire(s.src.Info())}, nil
}

func (s *server) Collect(req *pb.CollectRequest, stream grpc.ServerStreamingServer[pb.CollectResponse]) error {
	src, ok := s.src.(Source)
	if !ok {
		return status.Errorf(codes.Unimplemented, "plugin %s is a %s source: it has no Collect", s.src.Info().Name, s.src.Info().Kind)
	}
	res, err := src.Collect(stream.Context(), Request{Root: req.GetRoot()})
	if errors.Is(err, ErrNotApplicable) {
		return stream.Send(&pb.CollectResponse{NotApplicable: err.Error()})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.src.Info().Name, err)
	}
	for _, page := range resultToWire(res) {
		if err := stream.Send(page); err != nil {
			return fmt.Errorf("send result page: %w", err)
		}
	}
	return nil
}
