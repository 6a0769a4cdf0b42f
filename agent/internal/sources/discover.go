package sources

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// DefaultDiscoveryTimeout bounds a discovery whose request gives no timeout.
const DefaultDiscoveryTimeout = 2 * time.Minute

// DefaultDiscoveryGrace is how long after the request's timeout the agent still waits for the
// plugin's partial result before it stops the plugin.
const DefaultDiscoveryGrace = 10 * time.Second

// Discover runs the signed discovery plugin name once, with the same checks as the package
// sources (manifest signature, install permissions, pinned checksum, name, API and kind), and
// passes its progress events to progress (may be nil) as they arrive.
//
// req.Timeout (DefaultDiscoveryTimeout when zero) is the plugin's own bound: it stops the scanner
// and sends the hosts completed so far. The agent stops the plugin itself Grace
// (DefaultDiscoveryGrace when zero) later, so a plugin that hangs, or crashes, costs at most
// that and yields a Failed result with an error naming it.
func (l *Loader) Discover(ctx context.Context, name string, req pluginapi.DiscoveryRequest, progress func(discovery.Progress)) (discovery.Result, error) {
	res := discovery.Result{SchemaVersion: discovery.SchemaVersion, Hosts: []discovery.Host{},
		Run: discovery.Run{Source: name, Targets: req.Targets, Outcome: discovery.Failed}}
	fail := func(err error) (discovery.Result, error) {
		res.Run.Errors = append(res.Run.Errors, err.Error())
		return res, err
	}
	if err := checkInstall(l.Dir); err != nil {
		return fail(err)
	}
	m, err := pluginapi.LoadManifest(l.Dir, l.PublicKey)
	if err != nil {
		return fail(err)
	}
	e, err := l.discoveryEntry(m, name)
	if err != nil {
		return fail(err)
	}
	root := l.SocketRoot
	if root == "" {
		root = DefaultSocketRoot()
	}
	sockets, err := runSocketDir(root)
	if err != nil {
		return fail(err)
	}
	res, err = l.discover(ctx, e, req, sockets, progress)
	if rmErr := os.RemoveAll(sockets); rmErr != nil && err == nil {
		err = fmt.Errorf("remove plugin sockets: %w", rmErr)
	}
	return res, err
}

// discoveryEntry finds the signed discovery plugin name for the loader's OS.
func (l *Loader) discoveryEntry(m *pluginapi.Manifest, name string) (pluginapi.Entry, error) {
	i := slices.IndexFunc(m.Plugins, func(e pluginapi.Entry) bool { return e.Name == name })
	if i < 0 {
		return pluginapi.Entry{}, fmt.Errorf("discovery source %s has no signed plugin %s in %s: reinstall the agent",
			name, pluginapi.FileName(name, l.GOOS), l.Dir)
	}
	e := m.Plugins[i]
	if e.Kind != pluginapi.KindDiscovery {
		return pluginapi.Entry{}, fmt.Errorf("plugin %s is a %s source, not a discovery source: name a discovery source", e.File, e.Kind)
	}
	if !slices.Contains(e.OS, l.GOOS) {
		return pluginapi.Entry{}, fmt.Errorf("discovery plugin %s runs on %v, not on %s", e.File, e.OS, l.GOOS)
	}
	return e, nil
}

// discover starts, checks and runs one discovery plugin, and always stops it.
func (l *Loader) discover(ctx context.Context, e pluginapi.Entry, req pluginapi.DiscoveryRequest, sockets string,
	progress func(discovery.Progress)) (discovery.Result, error) {
	res := discovery.Result{SchemaVersion: discovery.SchemaVersion, Hosts: []discovery.Host{},
		Run: discovery.Run{Source: e.Name, Targets: req.Targets, Outcome: discovery.Failed}}
	if req.Timeout <= 0 {
		req.Timeout = DefaultDiscoveryTimeout
	}
	grace := l.Grace
	if grace <= 0 {
		grace = DefaultDiscoveryGrace
	}
	hard := req.Timeout + grace
	ctx, cancel := context.WithTimeout(ctx, hard)
	defer cancel()
	fail := func(err error) (discovery.Result, error) {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("discovery source %s gave no result within %v (its timeout %v plus %v) and was stopped: %w",
				e.Name, hard, req.Timeout, grace, err)
		}
		res.Run.Errors = append(res.Run.Errors, err.Error())
		return res, err
	}
	c, _, err := l.start(ctx, e, sockets)
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	got, err := c.Discover(ctx, req, progress)
	if err == nil {
		return got, nil
	}
	if got.Run.Source == "" {
		// No summary arrived (refused, crashed or cut): keep the hosts that did.
		res.Hosts = got.Hosts
		if errors.Is(err, pluginapi.ErrInvalidRequest) {
			res.Run.Errors = append(res.Run.Errors, err.Error())
			return res, err
		}
		return fail(err)
	}
	// The plugin sent its summary, which already says why the run failed.
	return got, err
}
