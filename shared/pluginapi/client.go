package pluginapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/ceplus/ceplus/shared/inventory"
	pb "github.com/ceplus/ceplus/shared/pluginapi/proto/ceplus/plugin/v1"
)

// ErrTampered is returned (wrapped) when a plugin binary's SHA-256 is not the one its signed
// manifest lists.
var ErrTampered = errors.New("plugin binary does not match its signed checksum")

// StartConfig says how to start one plugin binary.
type StartConfig struct {
	// Path is the plugin binary.
	Path string
	// SHA256 is the checksum of Path from the signed manifest; the binary is refused unless
	// it matches.
	SHA256 []byte
	// SocketDir is a private directory for the plugin's unix socket (PLUGIN_UNIX_SOCKET_DIR).
	SocketDir string
	// StartTimeout bounds exec plus handshake; 5 s when zero.
	StartTimeout time.Duration
	// Log receives the plugin's own log lines (its stderr); nothing is logged when nil.
	Log io.Writer
}

// Client is a running plugin, started and verified by Start. Close stops it.
type Client struct {
	path   string
	pc     *plugin.Client
	rpc    pb.SourceServiceClient
	closed bool
}

// Start verifies the binary at cfg.Path against cfg.SHA256, starts it with AutoMTLS over gRPC
// and completes the handshake. A fresh go-plugin SecureConfig is made for every call: its hash
// state is never reset, so a shared one fails the checksum of the right binary.
func Start(ctx context.Context, cfg StartConfig) (*Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start plugin %s: %w", cfg.Path, err)
	}
	if len(cfg.SHA256) != sha256.Size {
		return nil, fmt.Errorf("start plugin %s: no SHA-256 checksum given: only plugins listed in the signed manifest can run", cfg.Path)
	}
	timeout := cfg.StartTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		if timeout = time.Until(dl); timeout <= 0 {
			return nil, fmt.Errorf("start plugin %s: %w", cfg.Path, context.DeadlineExceeded)
		}
	}
	logOut := cfg.Log
	if logOut == nil {
		logOut = io.Discard
	}
	cmd := exec.Command(cfg.Path)
	cmd.Env = pluginEnv(cfg.SocketDir)
	setParentDeath(cmd)
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(nil),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Cmd:              cmd,
		SkipHostEnv:      true,
		SecureConfig:     &plugin.SecureConfig{Checksum: cfg.SHA256, Hash: sha256.New()},
		AutoMTLS:         true,
		StartTimeout:     timeout,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: hclog.Warn, Output: logOut}),
	})
	rpcClient, err := pc.Client()
	if err != nil {
		pc.Kill()
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			return nil, fmt.Errorf("start plugin %s: %w (%w): reinstall it from a signed build", cfg.Path, ErrTampered, err)
		}
		return nil, fmt.Errorf("start plugin %s: %w", cfg.Path, err)
	}
	raw, err := rpcClient.Dispense(pluginName)
	if err != nil {
		pc.Kill()
		return nil, fmt.Errorf("start plugin %s: dispense %q: %w", cfg.Path, pluginName, err)
	}
	rpc, ok := raw.(pb.SourceServiceClient)
	if !ok {
		pc.Kill()
		return nil, fmt.Errorf("start plugin %s: dispensed %T, not a source", cfg.Path, raw)
	}
	return &Client{path: cfg.Path, pc: pc, rpc: rpc}, nil
}

// pluginEnv is the plugin's environment: the agent's own, without any PLUGIN_ variables that
// could redirect the plugin's socket, and with the private socket directory.
func pluginEnv(socketDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PLUGIN_") || strings.HasPrefix(kv, Handshake.MagicCookieKey+"=") {
			continue
		}
		env = append(env, kv)
	}
	if socketDir != "" {
		env = append(env, plugin.EnvUnixSocketDir+"="+socketDir)
	}
	return env
}

// Describe asks the running plugin what it is.
func (c *Client) Describe(ctx context.Context) (Description, error) {
	resp, err := c.rpc.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return Description{}, fmt.Errorf("describe plugin %s: %w", c.path, err)
	}
	return Description{APIVersion: int(resp.GetApiVersion()), Info: infoFromWire(resp.GetInfo())}, nil
}

// Collect runs the plugin's source once and gathers the streamed pages into one Result. An
// error wrapping ErrNotApplicable means the source has nothing to collect on this system.
func (c *Client) Collect(ctx context.Context, req Request) (inventory.Result, error) {
	stream, err := c.rpc.Collect(ctx, &pb.CollectRequest{Root: req.Root})
	if err != nil {
		return inventory.Result{}, fmt.Errorf("collect from plugin %s: %w", c.path, err)
	}
	var res inventory.Result
	for {
		page, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return inventory.Result{}, fmt.Errorf("collect from plugin %s: %w", c.path, err)
		}
		if reason := page.GetNotApplicable(); reason != "" {
			return inventory.Result{}, notApplicableError(reason)
		}
		addFromWire(&res, page)
	}
}

// Pid returns the plugin's process id, or 0 when it is not running.
func (c *Client) Pid() int {
	if rc := c.pc.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Exited reports whether the plugin process has ended.
func (c *Client) Exited() bool { return c.pc.Exited() }

// Close stops the plugin process (gracefully, then by force after two seconds).
func (c *Client) Close() {
	if !c.closed {
		c.closed = true
		c.pc.Kill()
	}
}

// notApplicableError carries a plugin's not-applicable reason (which already says "not
// applicable") across the wire; it matches ErrNotApplicable.
type notApplicableError string

func (e notApplicableError) Error() string { return string(e) }

func (e notApplicableError) Unwrap() error { return ErrNotApplicable }
