package macos

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/command"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
)

// Commands, by full path so that nothing planted in PATH runs with the agent's rights.
const (
	swVers         = "/usr/bin/sw_vers"
	softwareUpdate = "/usr/sbin/softwareupdate"
)

// Timeouts. softwareupdate --list contacts the update catalogue and can take minutes.
const (
	swVersTimeout      = 30 * time.Second
	onlineListTimeout  = 10 * time.Minute
	cachedListTimeout  = 2 * time.Minute
	safariBundleName   = "Safari"
	sourceName         = "macos"
	softwareUpdateName = "softwareupdate"
)

// host is what the source reads from a running macOS system.
type host interface {
	// run runs a command and returns its standard output and standard error.
	run(ctx context.Context, timeout time.Duration, name string, args ...string) (stdout, stderr []byte, err error)
	// root is the filesystem the application bundles are read from.
	root() fs.FS
}

type source struct {
	host host // nil where the source does not apply
	now  func() time.Time
}

// New returns the macOS inventory source. On systems other than macOS its Collect returns an
// error wrapping pluginapi.ErrNotApplicable.
func New() pluginapi.Source {
	return &source{host: newHost(), now: time.Now}
}

// Info implements pluginapi.Source.
func (s *source) Info() pluginapi.Info {
	return pluginapi.Info{
		Name:          sourceName,
		Version:       version.Version,
		Kind:          pluginapi.KindPackages,
		OS:            []string{"darwin"},
		RunningSystem: true,
		Root:          false,
		Description:   "macOS version and build (sw_vers), pending updates (softwareupdate --list), installed applications (Info.plist of application bundles).",
	}
}

// Collect implements pluginapi.Source. Problems with one kind of evidence are recorded in the
// status errors and end the run Partial (Failed when sw_vers could not be read); the returned
// error is only for a system where the source does not apply and for a cancelled ctx. The
// source reads the running system (Info.RunningSystem): req.Root is not used.
func (s *source) Collect(ctx context.Context, req pluginapi.Request) (inventory.Result, error) {
	if s.host == nil {
		return inventory.Result{Status: inventory.SourceStatus{Name: sourceName, Version: version.Version, Status: inventory.NotApplicable}},
			fmt.Errorf("macos source: %w: this is not macOS", pluginapi.ErrNotApplicable)
	}
	start := s.now()
	var res inventory.Result
	var errs []string
	note := func(err error) { errs = append(errs, err.Error()) }

	deviceOK := false
	if out, _, err := s.host.run(ctx, swVersTimeout, swVers); err != nil {
		note(fmt.Errorf("os version: %w", err))
	} else if d, err := parseSwVers(bytes.NewReader(out)); err != nil {
		note(err)
	} else {
		res.Device, deviceOK = d, true
	}

	apps, aerrs := applications(ctx, s.host.root())
	res.Applications = apps
	for _, err := range aerrs {
		note(err)
	}

	ups, uerrs := s.pendingUpdates(ctx, res.Device.OSVersion)
	for i := range ups {
		if strings.HasPrefix(ups[i].Title, safariBundleName) {
			ups[i].Installed = appVersion(apps, safariBundleName)
		}
	}
	res.PendingUpdates = ups
	for _, err := range uerrs {
		note(err)
	}

	status := inventory.Succeeded
	switch {
	case !deviceOK:
		status = inventory.Failed
	case len(errs) > 0:
		status = inventory.Partial
	}
	res.Status = inventory.SourceStatus{Name: sourceName, Version: version.Version, Status: status, Errors: errs, DurationMS: s.now().Sub(start).Milliseconds()}
	if err := ctx.Err(); err != nil {
		res.Status.Status = inventory.Failed
		return res, fmt.Errorf("macos source: %w", err)
	}
	return res, nil
}

// pendingUpdates runs softwareupdate --list, falling back to --no-scan (the last scan's
// result). Every error is returned, so a fallback answer always leaves the source Partial.
func (s *source) pendingUpdates(ctx context.Context, installed string) ([]inventory.PendingUpdate, []error) {
	var errs []error
	for _, online := range []bool{true, false} {
		args, mode, timeout := []string{"--list"}, "scan", onlineListTimeout
		if !online {
			args, mode, timeout = []string{"--list", "--no-scan"}, "last scan (--no-scan)", cachedListTimeout
		}
		out, stderr, err := s.host.run(ctx, timeout, softwareUpdate, args...)
		if err != nil {
			errs = append(errs, fmt.Errorf("pending updates (softwareupdate %s): %w", mode, err))
			if ctx.Err() != nil {
				return nil, errs
			}
			continue
		}
		// softwareupdate prints "No new software available." on standard error.
		ups, err := parseSoftwareUpdate(io.MultiReader(bytes.NewReader(out), strings.NewReader("\n"), bytes.NewReader(stderr)), installed)
		if err != nil {
			errs = append(errs, fmt.Errorf("pending updates (softwareupdate %s): %w%s", mode, err, command.Suffix(command.Summary(stderr))))
			continue
		}
		if !online {
			errs = append(errs, fmt.Errorf("pending updates come from softwareupdate's last scan, not a fresh one: updates released since may be missing"))
		}
		return ups, errs
	}
	return nil, errs
}

func appVersion(apps []inventory.Application, name string) string {
	for _, a := range apps {
		if a.Name == name {
			return a.Version
		}
	}
	return ""
}
