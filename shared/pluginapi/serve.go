package pluginapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Serve is the whole main of a source plugin binary. src is a Source (kind packages) or a
// DiscoverySource (kind discovery); a src whose Info.Kind does not match what it implements
// makes Serve exit with an error. With the single argument "describe" it prints the plugin's
// Description as JSON and exits; otherwise it serves src to the agent over
// go-plugin's gRPC transport (AutoMTLS when the agent asks for it), recovers panics in handlers
// into gRPC errors so that the plugin keeps running, and exits when the agent that started it
// has gone. Serve does not return.
func Serve(src Plugin) {
	if err := checkKind(src); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[0], err)
		os.Exit(1)
	}
	if len(os.Args) == 2 && os.Args[1] == "describe" {
		if err := describe(os.Stdout, src); err != nil {
			fmt.Fprintf(os.Stderr, "%s describe: %v\n", os.Args[0], err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if len(os.Args) > 1 {
		fmt.Fprintf(os.Stderr, "usage: %s [describe]\n(without arguments it is a ceplus source plugin, started by ceplus-agent)\n", os.Args[0])
		os.Exit(2)
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: src.Info().Name, Level: hclog.Info, Output: os.Stderr, JSONFormat: true})
	if os.Getenv(Handshake.MagicCookieKey) == Handshake.MagicCookieValue {
		watchParent(logger)
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(src),
		GRPCServer:       newGRPCServer(logger),
		Logger:           logger,
	})
	os.Exit(0)
}

// checkKind reports a plugin whose declared kind does not match the interface it implements.
func checkKind(src Plugin) error {
	info := src.Info()
	switch info.Kind {
	case KindPackages:
		if _, ok := src.(Source); ok {
			return nil
		}
	case KindDiscovery:
		if _, ok := src.(DiscoverySource); ok {
			return nil
		}
	default:
		return fmt.Errorf("plugin %s declares kind %q: use %q or %q", info.Name, info.Kind, KindPackages, KindDiscovery)
	}
	return fmt.Errorf("plugin %s declares kind %q but %T does not implement its interface (Collect for %q, Discover for %q)",
		info.Name, info.Kind, src, KindPackages, KindDiscovery)
}

// describe writes the JSON Description of src to w.
func describe(w io.Writer, src Plugin) error {
	b, err := json.MarshalIndent(Description{APIVersion: APIVersion, Info: src.Info()}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode description: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// newGRPCServer returns go-plugin's server factory with the recovery interceptors added.
func newGRPCServer(logger hclog.Logger) func([]grpc.ServerOption) *grpc.Server {
	return func(opts []grpc.ServerOption) *grpc.Server {
		opts = append(opts,
			grpc.ChainUnaryInterceptor(recoverUnary(logger)),
			grpc.ChainStreamInterceptor(recoverStream(logger)),
		)
		return grpc.NewServer(opts...)
	}
}

// recovered turns a panic value into the gRPC error the caller sees, and logs the stack.
func recovered(logger hclog.Logger, method string, p any) error {
	logger.Error("panic in handler recovered", "method", method, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	return status.Errorf(codes.Internal, "plugin panicked in %s: %v", method, p)
}

func recoverUnary(logger hclog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if p := recover(); p != nil {
				resp, err = nil, recovered(logger, info.FullMethod, p)
			}
		}()
		return handler(ctx, req)
	}
}

func recoverStream(logger hclog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = recovered(logger, info.FullMethod, p)
			}
		}()
		return handler(srv, ss)
	}
}
