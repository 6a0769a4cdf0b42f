//go:build windows

package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/shared/cmdline"
)

// serviceInstall creates the ceplus-agent service: this executable with `run --state DIR` and any
// arguments after --, automatic (delayed) start, restarted 5 s, 30 s and 2 min after a failure
// (the count resets after a day), as LocalSystem. LocalSystem because the evidence must be
// complete: the windows source reads the per-user programs of every user (their registry hives)
// and the Windows Update Agent's view of the machine, and the state directory under ProgramData
// is then private to SYSTEM and Administrators. A virtual account (NT SERVICE\ceplus-agent)
// would lose other users' per-user programs (reported as a partial source, so never mistaken
// for compliance) and needs the state directory's ACL granted to it by hand.
func serviceInstall(_ context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " service install"
	fs := cmdline.NewFlags("service install", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [--state DIR] [-- run flags]\n\nInstalls the ceplus-agent Windows service, run as LocalSystem; enrol first.\n\n", name)
		fs.PrintDefaults()
	}
	state := fs.String("state", enrol.DefaultStateDir(), "state `DIR` written by 'ceplus-agent enrol'")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if _, err := enrol.Load(*state); err != nil {
		return failf(stdio, "install", "%v; enrol first (ceplus-agent enrol --state %s ...), so that the service never runs unenrolled", err, *state)
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return failf(stdio, "install", "find this executable: %v", err)
	}
	if pf := os.Getenv("ProgramFiles"); pf != "" && !strings.HasPrefix(strings.ToLower(exe), strings.ToLower(pf)+`\`) {
		fmt.Fprintf(stdio.Stderr, "%s: warning: %s is not under %s; the service runs the plugins beside it as SYSTEM, so keep them where only Administrators can write\n", name, exe, pf)
	}
	m, err := mgr.Connect()
	if err != nil {
		return failf(stdio, "install", "connect to the service manager: %v; run from an elevated (Administrator) prompt", err)
	}
	defer m.Disconnect()
	if s, err := m.OpenService(serviceName); err == nil {
		s.Close()
		return failf(stdio, "install", "service %s already exists; remove it first: ceplus-agent service uninstall", serviceName)
	}
	s, err := m.CreateService(serviceName, exe, mgr.Config{
		DisplayName:      "ceplus agent",
		Description:      "Cyber Essentials Plus inventory: reports installed software and pending updates to the ceplus collector.",
		StartType:        mgr.StartAutomatic,
		DelayedAutoStart: true,
		ErrorControl:     mgr.ErrorNormal,
	}, append([]string{"run", "--state", *state}, fs.Args()...)...)
	if err != nil {
		return failf(stdio, "install", "create service %s: %v", serviceName, err)
	}
	defer s.Close()
	restart := []mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 2 * time.Minute},
	}
	if err := s.SetRecoveryActions(restart, uint32((24 * time.Hour).Seconds())); err != nil {
		return failf(stdio, "install", "set recovery actions: %v; remove the half-installed service: ceplus-agent service uninstall", err)
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return failf(stdio, "install", "restart on failure exit codes: %v; remove the half-installed service: ceplus-agent service uninstall", err)
	}
	err = eventlog.InstallAsEventCreate(serviceName, eventlog.Error|eventlog.Warning|eventlog.Info)
	if err != nil && !strings.Contains(err.Error(), "exists") {
		return failf(stdio, "install", "add event log source %s: %v; remove the half-installed service: ceplus-agent service uninstall", serviceName, err)
	}
	fmt.Fprintf(stdio.Stdout, "installed service %s (%s run --state %s); start it: ceplus-agent service start\nlog: %s\n",
		serviceName, exe, *state, serviceLogFile())
	return cmdline.ExitOK
}

// serviceControl returns the uninstall, start or stop subcommand.
func serviceControl(sub string) command {
	return func(ctx context.Context, stdio cmdline.IO, args []string) int {
		fs := cmdline.NewFlags("service "+sub, stdio)
		if code, ok := cmdline.ParseFlags(fs, args); !ok {
			return code
		}
		if fs.NArg() > 0 {
			return cmdline.Fail(stdio, prog+" service "+sub, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
		}
		m, err := mgr.Connect()
		if err != nil {
			return failf(stdio, sub, "connect to the service manager: %v; run from an elevated (Administrator) prompt", err)
		}
		defer m.Disconnect()
		s, err := m.OpenService(serviceName)
		if err != nil {
			return failf(stdio, sub, "open service %s: %v; is it installed (ceplus-agent service install)?", serviceName, err)
		}
		defer s.Close()
		switch sub {
		case "start":
			err = startService(ctx, s)
		case "stop":
			err = stopService(ctx, s)
		case "uninstall":
			err = uninstallService(ctx, s)
		}
		if err != nil {
			return failf(stdio, sub, "%v", err)
		}
		fmt.Fprintf(stdio.Stdout, "service %s: %s done\n", serviceName, sub)
		return cmdline.ExitOK
	}
}

func startService(ctx context.Context, s *mgr.Service) error {
	if err := s.Start(); err != nil {
		return fmt.Errorf("start %s: %w", serviceName, err)
	}
	st, err := waitState(ctx, s, svc.Running)
	if err != nil {
		return err
	}
	if st.State != svc.Running {
		return fmt.Errorf("%s stopped at start (exit code %d); see %s", serviceName, st.ServiceSpecificExitCode, serviceLogFile())
	}
	return nil
}

func stopService(ctx context.Context, s *mgr.Service) error {
	st, err := s.Control(svc.Stop)
	if errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stop %s: %w", serviceName, err)
	}
	if st.State == svc.Stopped {
		return nil
	}
	if st, err = waitState(ctx, s, svc.Stopped); err != nil {
		return err
	}
	if st.State != svc.Stopped {
		return fmt.Errorf("%s did not stop within %v; see %s", serviceName, 2*stopWait, serviceLogFile())
	}
	return nil
}

func uninstallService(ctx context.Context, s *mgr.Service) error {
	if err := stopService(ctx, s); err != nil {
		return err
	}
	if err := s.Delete(); err != nil {
		return fmt.Errorf("delete service %s: %w", serviceName, err)
	}
	if err := eventlog.Remove(serviceName); err != nil {
		return fmt.Errorf("service deleted; remove its event log source %s: %w", serviceName, err)
	}
	return nil
}

// waitState polls s until it reaches want (or, starting, stops), for at most 2×stopWait.
func waitState(ctx context.Context, s *mgr.Service, want svc.State) (svc.Status, error) {
	deadline := time.Now().Add(2 * stopWait)
	for {
		st, err := s.Query()
		if err != nil {
			return st, fmt.Errorf("query %s: %w", serviceName, err)
		}
		// A start settles as Running or, failed, as Stopped; a stop only as Stopped.
		if st.State == want || want == svc.Running && st.State == svc.Stopped || time.Now().After(deadline) {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}
