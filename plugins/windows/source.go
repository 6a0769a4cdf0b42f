package windows

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
)

// Timeouts of the PowerShell runs. An online search of the Windows Update Agent can take
// minutes on a slow WSUS server; the cached search and Get-HotFix take seconds.
const (
	hotfixTimeout       = 2 * time.Minute
	onlineSearchTimeout = 10 * time.Minute
	cachedSearchTimeout = 2 * time.Minute
)

// host is what the source reads from a running Windows system.
type host interface {
	// currentVersion returns the values of HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion.
	currentVersion(ctx context.Context) (regValues, error)
	// uninstallKeys returns the subkeys of every uninstall key, and an error for each key or
	// hive that could not be read.
	uninstallKeys(ctx context.Context) ([]regKey, []error)
	// powershell runs script and returns its standard output and cleaned standard error.
	powershell(ctx context.Context, timeout time.Duration, script string) (stdout []byte, stderr string, err error)
}

type source struct {
	host host // nil where the source does not apply
	now  func() time.Time
}

// New returns the Windows inventory source. On systems other than Windows its Collect returns
// an error wrapping pluginapi.ErrNotApplicable.
func New() pluginapi.Source {
	return &source{host: newHost(), now: time.Now}
}

// Info implements pluginapi.Source.
func (s *source) Info() pluginapi.Info {
	return pluginapi.Info{
		Name:          "windows",
		Version:       version.Version,
		Kind:          pluginapi.KindPackages,
		OS:            []string{"windows"},
		RunningSystem: true,
		Root:          false,
		Description: "Windows edition, version, feature update and build; installed updates (Get-HotFix); " +
			"missing updates from the Windows Update Agent; programs from the uninstall registry keys. " +
			"Runs unelevated; Administrator or SYSTEM adds other signed-in users' per-user programs.",
	}
}

// Collect implements pluginapi.Source. Problems with one kind of evidence are recorded in the
// status errors and end the run Partial (Failed when the device facts themselves could not be
// read); the returned error is only for a system where the source does not apply and for a
// cancelled ctx. The source reads the running system (Info.RunningSystem): req.Root is not used.
func (s *source) Collect(ctx context.Context, req pluginapi.Request) (inventory.Result, error) {
	if s.host == nil {
		return inventory.Result{Status: inventory.SourceStatus{Name: "windows", Version: version.Version, Status: inventory.NotApplicable}},
			fmt.Errorf("windows source: %w: this is not Windows", pluginapi.ErrNotApplicable)
	}
	start := s.now()
	var res inventory.Result
	var errs []string
	note := func(err error) { errs = append(errs, err.Error()) }

	deviceOK := false
	if cv, err := s.host.currentVersion(ctx); err != nil {
		note(err)
	} else if d, err := deviceFromCurrentVersion(cv); err != nil {
		note(err)
	} else {
		res.Device, deviceOK = d, true
	}

	if ups, err := s.installedUpdates(ctx); err != nil {
		note(err)
	} else {
		res.InstalledUpdates = ups
	}

	ups, werrs := s.missingUpdates(ctx)
	res.PendingUpdates = ups
	for _, err := range werrs {
		note(err)
	}

	keys, kerrs := s.host.uninstallKeys(ctx)
	res.Applications = applicationsFromUninstall(keys)
	for _, err := range kerrs {
		note(err)
	}

	status := inventory.Succeeded
	switch {
	case !deviceOK:
		status = inventory.Failed
	case len(errs) > 0:
		status = inventory.Partial
	}
	res.Status = inventory.SourceStatus{Name: "windows", Version: version.Version, Status: status, Errors: errs, DurationMS: s.now().Sub(start).Milliseconds()}
	if err := ctx.Err(); err != nil {
		res.Status.Status = inventory.Failed
		return res, fmt.Errorf("windows source: %w", err)
	}
	return res, nil
}

// installedUpdates runs Get-HotFix. Output on standard error fails the run even when the
// command succeeded: it means some rows could not be read.
func (s *source) installedUpdates(ctx context.Context) ([]inventory.InstalledUpdate, error) {
	out, stderr, err := s.host.powershell(ctx, hotfixTimeout, hotfixScript)
	if err != nil {
		return nil, fmt.Errorf("installed updates (Get-HotFix): %w", err)
	}
	ups, err := parseHotFixes(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("installed updates (Get-HotFix): %w", err)
	}
	if stderr != "" {
		return ups, fmt.Errorf("installed updates (Get-HotFix) wrote errors: %s", stderr)
	}
	return ups, nil
}

// missingUpdates asks the Windows Update Agent online and falls back to its cache of the last
// scan. Every error is returned, so a fallback answer always leaves the source Partial.
func (s *source) missingUpdates(ctx context.Context) ([]inventory.PendingUpdate, []error) {
	var errs []error
	for _, online := range []bool{true, false} {
		mode, timeout := "online search", onlineSearchTimeout
		if !online {
			mode, timeout = "search of the cached last scan", cachedSearchTimeout
		}
		out, stderr, err := s.host.powershell(ctx, timeout, wuaSearchScript(online))
		if err != nil {
			errs = append(errs, fmt.Errorf("missing updates (Windows Update Agent %s): %w", mode, err))
			if ctx.Err() != nil {
				return nil, errs
			}
			continue
		}
		if stderr != "" {
			errs = append(errs, fmt.Errorf("missing updates (Windows Update Agent %s) wrote errors: %s", mode, stderr))
		}
		res, ups, err := parseWUA(bytes.NewReader(out))
		if err != nil {
			errs = append(errs, fmt.Errorf("missing updates (Windows Update Agent %s): %w", mode, err))
			if res.ResultCode != resultSucceededWithErrors {
				continue // nothing trustworthy: try the cache, or give up
			}
		}
		if !online {
			errs = append(errs, fmt.Errorf("missing updates come from the cached scan of %s, not a fresh search: updates released since may be missing", orUnknown(res.LastSearchSuccessDate)))
		}
		return ups, errs
	}
	return nil, errs
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown date"
	}
	return s
}
