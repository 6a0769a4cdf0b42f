package sources

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// Loader runs the signed source plugins of one directory.
type Loader struct {
	// Dir holds the plugin binaries, plugins.json and plugins.json.sig.
	Dir string
	// PublicKey verifies the manifest; the agent passes the key built into it (PublicKey).
	PublicKey ed25519.PublicKey
	// Timeout bounds each source, from start to its last result page; 2 minutes when zero.
	Timeout time.Duration
	// GOOS selects the plugins that apply; the agent passes runtime.GOOS.
	GOOS string
	// Expected are the built-in sources that must be present: one that has no signed plugin is
	// reported as Failed.
	Expected []Builtin
	// SocketRoot is the parent of the private socket directories; DefaultSocketRoot when empty.
	SocketRoot string
	// Log receives the plugins' warnings and errors; nothing is logged when nil.
	Log io.Writer
	// Clock gives the time for durations; time.Now when nil.
	Clock func() time.Time
	// Grace is how long Discover waits past a discovery request's own timeout before it stops
	// the plugin; DefaultDiscoveryGrace when zero.
	Grace time.Duration
}

// Run is the outcome of one source: its Result (with a Failed status when Err is set) and the
// error that ended it, for errors.Is.
type Run struct {
	File   string
	Result inventory.Result
	Err    error
}

// Collect verifies the manifest, then runs every applicable plugin concurrently and returns one
// Run per source, sorted by name. It fails as a whole only when the manifest cannot be trusted
// or the plugins cannot be given a socket directory; a plugin that is refused, crashes or times
// out yields a Failed status and the others carry on.
func (l *Loader) Collect(ctx context.Context, req pluginapi.Request) ([]Run, error) {
	if err := checkInstall(l.Dir); err != nil {
		return nil, err
	}
	m, err := pluginapi.LoadManifest(l.Dir, l.PublicKey)
	if err != nil {
		return nil, err
	}
	root := l.SocketRoot
	if root == "" {
		root = DefaultSocketRoot()
	}
	sockets, err := runSocketDir(root)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(sockets)

	runs, todo, err := l.plan(m)
	if err != nil {
		return nil, err
	}
	results := make([]Run, len(todo))
	var wg sync.WaitGroup
	for i, e := range todo {
		wg.Go(func() { results[i] = l.run(ctx, e, req, sockets) })
	}
	wg.Wait()
	runs = append(runs, results...)
	slices.SortFunc(runs, func(a, b Run) int { return strings.Compare(a.Result.Status.Name, b.Result.Status.Name) })
	if err := os.RemoveAll(sockets); err != nil {
		return runs, fmt.Errorf("remove plugin sockets: %w", err)
	}
	return runs, nil
}

// Inventory runs Collect and merges the results into one inventory collected at now.
func (l *Loader) Inventory(ctx context.Context, req pluginapi.Request, now time.Time) (*inventory.Inventory, []Run, error) {
	runs, err := l.Collect(ctx, req)
	if err != nil {
		return nil, runs, err
	}
	results := make([]inventory.Result, len(runs))
	for i, r := range runs {
		results[i] = r.Result
	}
	return inventory.Merge(now, results), runs, nil
}

// plan sorts the directory into refusals (unlisted binaries, listed or expected plugins that
// are missing), returned as finished runs, and the manifest entries to start.
func (l *Loader) plan(m *pluginapi.Manifest) (done []Run, todo []pluginapi.Entry, err error) {
	files, err := filepath.Glob(filepath.Join(l.Dir, pluginapi.FilePrefix+"*"))
	if err != nil {
		return nil, nil, fmt.Errorf("list plugins in %s: %w", l.Dir, err)
	}
	present := map[string]bool{}
	for _, f := range files {
		base := filepath.Base(f)
		present[base] = true
		if _, err := m.Lookup(base); err != nil {
			name := strings.TrimSuffix(strings.TrimPrefix(base, pluginapi.FilePrefix), ".exe")
			done = append(done, failed(base, name, "", 0, err))
		}
	}
	for _, e := range m.Plugins {
		if !applies(e, l.GOOS) {
			continue
		}
		if !present[e.File] {
			err := fmt.Errorf("plugin %s is listed in the signed manifest but missing from %s: reinstall the agent", e.File, l.Dir)
			done = append(done, failed(e.File, e.Name, e.Version, 0, err))
			continue
		}
		todo = append(todo, e)
	}
	for _, b := range l.Expected {
		if !slices.ContainsFunc(m.Plugins, func(e pluginapi.Entry) bool { return e.Name == b.Name }) {
			file := pluginapi.FileName(b.Name, l.GOOS)
			err := fmt.Errorf("built-in source %s has no signed plugin %s in %s: reinstall the agent", b.Name, file, l.Dir)
			done = append(done, failed(file, b.Name, "", 0, err))
		}
	}
	return done, todo, nil
}

// run starts, checks and runs one plugin under the timeout, and always stops it.
func (l *Loader) run(ctx context.Context, e pluginapi.Entry, req pluginapi.Request, sockets string) Run {
	now := l.Clock
	if now == nil {
		now = time.Now
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	start := now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := func(err error) Run {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("source %s timed out after %v and was stopped: %w", e.Name, timeout, err)
		}
		return failed(e.File, e.Name, e.Version, now().Sub(start), err)
	}
	c, d, err := l.start(ctx, e, sockets)
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	res, err := c.Collect(ctx, req)
	took := now().Sub(start)
	if errors.Is(err, pluginapi.ErrNotApplicable) {
		st := inventory.SourceStatus{Name: e.Name, Version: d.Version, Status: inventory.NotApplicable,
			Errors: []string{err.Error()}, DurationMS: took.Milliseconds()}
		return Run{File: e.File, Result: inventory.Result{Status: st}}
	}
	if err != nil {
		return fail(err)
	}
	res.Status.Name = e.Name
	res.Status.DurationMS = took.Milliseconds()
	if res.Status.Version == "" {
		res.Status.Version = d.Version
	}
	switch res.Status.Status {
	case inventory.Succeeded, inventory.Partial, inventory.Failed, inventory.NotApplicable:
	case "":
		res.Status.Status = inventory.Succeeded
	default:
		res.Status.Errors = append(res.Status.Errors, fmt.Sprintf("plugin %s reported unknown status %q", e.File, res.Status.Status))
		res.Status.Status = inventory.Partial
	}
	return Run{File: e.File, Result: res}
}

// failed is the Run of a source that produced nothing.
func failed(file, name, version string, took time.Duration, err error) Run {
	return Run{File: file, Err: err, Result: inventory.Result{Status: inventory.SourceStatus{
		Name: name, Version: version, Status: inventory.Failed, Errors: []string{err.Error()}, DurationMS: took.Milliseconds()}}}
}

// start checks the installed plugin file of e (its permissions and checksum), starts it and
// checks that it describes itself as e says. The caller closes the client; on error nothing is
// left running.
func (l *Loader) start(ctx context.Context, e pluginapi.Entry, sockets string) (*pluginapi.Client, pluginapi.Description, error) {
	path := filepath.Join(l.Dir, e.File)
	if err := checkInstall(path); err != nil {
		return nil, pluginapi.Description{}, err
	}
	if err := pluginapi.CheckFile(path, e); err != nil {
		return nil, pluginapi.Description{}, err
	}
	c, err := pluginapi.Start(ctx, pluginapi.StartConfig{Path: path, SHA256: e.Checksum(), SocketDir: sockets, Log: l.Log})
	if err != nil {
		return nil, pluginapi.Description{}, err
	}
	d, err := c.Describe(ctx)
	if err == nil {
		err = checkDescription(e, d)
	}
	if err != nil {
		c.Close()
		return nil, pluginapi.Description{}, err
	}
	return c, d, nil
}

// checkDescription refuses a running plugin that is not what its manifest entry says: another
// name, API version or kind.
func checkDescription(e pluginapi.Entry, d pluginapi.Description) error {
	if d.Name != e.Name || d.APIVersion != pluginapi.APIVersion || d.Kind != e.Kind {
		return fmt.Errorf("plugin %s says it is %q (%s) for API %d, the manifest says %q (%s) for API %d: refused",
			e.File, d.Name, d.Kind, d.APIVersion, e.Name, e.Kind, pluginapi.APIVersion)
	}
	return nil
}
