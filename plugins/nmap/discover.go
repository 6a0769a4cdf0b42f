package nmap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
	"time"

	nmapxml "github.com/Ullaakut/nmap/v3"

	"github.com/ceplus/ceplus/shared/discovery"
)

// Name is the source name.
const Name = "nmap"

// waitDelay bounds how long Wait waits for nmap's pipes after nmap was killed.
const waitDelay = 5 * time.Second

// Discover validates o, runs nmap and returns what it found. progress (may be nil) is called from
// the calling goroutine as nmap reports its tasks and completes hosts.
//
// Nothing runs when an option or a target is bad: the error wraps ErrInvalidOptions,
// ErrNmapNotFound or, as a *TargetError, ErrInvalidTarget, ErrUnresolvable or ErrNotAllowed.
// When ctx ends during the scan, nmap is killed and the result holds the hosts nmap had completed,
// with Outcome Partial and a nil error (Failed and an error when none had completed). Any other
// failure returns Outcome Failed and an error; the result then still carries the run summary.
func Discover(ctx context.Context, o Options, progress func(Progress)) (discovery.Result, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	res := discovery.Result{SchemaVersion: discovery.SchemaVersion, Hosts: []discovery.Host{}, Run: discovery.Run{
		Source: Name, Targets: o.Targets, ServiceDetection: o.serviceLabel(), Outcome: discovery.Failed, Start: now(),
	}}
	fail := func(err error) (discovery.Result, error) {
		res.Run.Outcome = discovery.Failed
		res.Run.Errors = append(res.Run.Errors, err.Error())
		res.Run.End = now()
		return res, err
	}
	if err := o.check(); err != nil {
		return fail(err)
	}
	path, err := lookNmap(o.NmapPath)
	if err != nil {
		return fail(err)
	}
	if o.AllowNames && o.Resolver == nil {
		return fail(fmt.Errorf("%w: names are allowed but no resolver is set", ErrInvalidOptions))
	}
	set, err := resolveTargets(ctx, o)
	if err != nil {
		return fail(err)
	}
	pl := buildArgs(o, set, isPrivileged())
	res.Run.Scanned = set.prefixes()
	res.Run.Args = append([]string{path}, pl.args...)
	res.Run.Privileged = pl.privileged
	res.Run.ScanType = pl.scanType
	res.Run.Warnings = append(res.Run.Warnings, pl.warnings...)
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("discovery not started: %w", err))
	}
	return run(ctx, path, pl, set, res, progress, now)
}

// lookNmap finds the nmap binary: path may be a name searched in PATH or a file path.
func lookNmap(path string) (string, error) {
	if path == "" {
		path = "nmap"
	}
	found, err := exec.LookPath(path)
	if err != nil {
		return "", notFoundError(path, err)
	}
	return found, nil
}

// run executes nmap, streams its XML and builds the result.
func run(ctx context.Context, path string, pl plan, set targetSet, res discovery.Result,
	progress func(Progress), now func() time.Time) (discovery.Result, error) {
	fail := func(err error) (discovery.Result, error) {
		res.Run.Outcome = discovery.Failed
		res.Run.Errors = append(res.Run.Errors, err.Error())
		res.Run.End = now()
		return res, err
	}
	cmd := exec.CommandContext(ctx, path, pl.args...)
	ownProcessGroup(cmd)
	cmd.WaitDelay = waitDelay
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrNmapFailed, err))
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
			return fail(notFoundError(path, err))
		}
		return fail(fmt.Errorf("%w: start %s: %v", ErrNmapFailed, path, err))
	}
	var all bytes.Buffer
	tee := io.TeeReader(stdout, &all)
	st, decErr := decodeStream(tee, progress)
	if decErr != nil {
		// Keep reading, or nmap blocks on a full pipe; the final parse reports the damage.
		if _, err := io.Copy(io.Discard, tee); err != nil {
			decErr = fmt.Errorf("%v, then reading the rest: %w", decErr, err)
		}
	}
	waitErr := cmd.Wait()
	res.Run.End = now()
	warnings, nmapErr := classifyStderr(stderr.String())
	res.Run.Warnings = append(res.Run.Warnings, warnings...)

	if ctxErr := ctx.Err(); ctxErr != nil && (waitErr != nil || !st.complete) {
		return partial(res, all.Bytes(), st, set, ctxErr)
	}
	if waitErr != nil {
		if nmapErr != nil {
			return fail(nmapErr)
		}
		return fail(fmt.Errorf("%w: %v; nmap said: %s", ErrNmapFailed, waitErr, firstLines(stderr.String(), 3)))
	}
	if nmapErr != nil {
		return fail(nmapErr)
	}
	var nr nmapxml.Run
	if err := nmapxml.Parse(all.Bytes(), &nr); err != nil {
		return fail(fmt.Errorf("%w: parse nmap XML (%d bytes): %v", ErrNmapFailed, all.Len(), err))
	}
	if !st.complete {
		return fail(fmt.Errorf("%w: nmap XML ended early (%v)", ErrNmapFailed, decErr))
	}
	if nr.Stats.Finished.Exit != "" && nr.Stats.Finished.Exit != "success" {
		return fail(fmt.Errorf("%w: nmap reports %q: %s", ErrNmapFailed, nr.Stats.Finished.Exit, nr.Stats.Finished.ErrorMsg))
	}
	if nr.Stats.Hosts.Total == 0 {
		return fail(fmt.Errorf("%w: nmap finished with 0 hosts scanned; check the targets", ErrNoHostsScanned))
	}
	res.Run.Scanner = strings.TrimSpace(nr.Scanner + " " + nr.Version)
	res.Hosts, _, _ = convertHosts(nr.Hosts, set)
	res.Run.HostsUp, res.Run.HostsDown, res.Run.HostsTotal = nr.Stats.Hosts.Up, nr.Stats.Hosts.Down, nr.Stats.Hosts.Total
	addHostWarnings(&res)
	res.Run.Outcome = discovery.Succeeded
	return res, nil
}

// partial builds the result of a scan cut by ctx from the hosts the stream had completed.
func partial(res discovery.Result, all []byte, st streamState, set targetSet, ctxErr error) (discovery.Result, error) {
	hosts, perr := partialHosts(all, st.hosts)
	res.Hosts, res.Run.HostsUp, res.Run.HostsDown = convertHosts(hosts, set)
	res.Run.HostsTotal = res.Run.HostsUp + res.Run.HostsDown
	msg := fmt.Sprintf("scan stopped early (%v) after %s: %d host(s) completed; hosts still being scanned are missing, not down",
		ctxErr, res.Run.End.Sub(res.Run.Start).Round(time.Millisecond), len(hosts))
	res.Run.Errors = append(res.Run.Errors, msg)
	if perr != nil {
		res.Run.Errors = append(res.Run.Errors, fmt.Sprintf("decode a completed host: %v", perr))
	}
	addHostWarnings(&res)
	if len(hosts) == 0 {
		res.Run.Outcome = discovery.Failed
		return res, fmt.Errorf("nmap %s: %w", msg, ctxErr)
	}
	res.Run.Outcome = discovery.Partial
	return res, nil
}

// addHostWarnings warns about hosts whose ports were dropped by the host timeout.
func addHostWarnings(res *discovery.Result) {
	for _, h := range res.Hosts {
		if h.TimedOut && len(h.Addresses) > 0 {
			res.Run.Warnings = append(res.Run.Warnings, fmt.Sprintf(
				"host %s hit the host timeout: nmap dropped all its ports; raise the host timeout", h.Addresses[0]))
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "(nothing on stderr)"
	}
	return strings.Join(lines, " / ")
}
