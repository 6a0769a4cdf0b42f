//go:build windows

package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"

	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/shared/cmdline"
)

// serviceName is the agent's service name (and its event log source).
const serviceName = "ceplus-agent"

// stopWait is how long a Stop or Shutdown waits for the daemon to finish its upload and spool
// writes; Windows allows a service about 20 seconds at shutdown.
const stopWait = 15 * time.Second

// asService wraps the run command: started by the Windows service manager, it runs the command
// as the ceplus-agent service (Stop and Shutdown cancel its context; a failure ends the service
// with the command's exit code, so that the recovery actions restart it), with its log in
// serviceLogFile and its start, stop and failures in the Application event log. Started from a
// console, it is run itself.
func asService(run command) command {
	return func(ctx context.Context, stdio cmdline.IO, args []string) int {
		isService, err := svc.IsWindowsService()
		if err != nil {
			return cmdline.Fail(stdio, prog+" run", cmdline.ExitError, "tell whether the service manager started this process: %v", err)
		}
		if !isService {
			return run(ctx, stdio, args)
		}
		logPath := serviceLogFile()
		f, err := openServiceLog(logPath)
		if err != nil {
			// Nowhere to write but the event log: say it there, and fail the start.
			eventError(fmt.Sprintf("%s: open log %s: %v", serviceName, logPath, err))
			return cmdline.ExitError
		}
		defer f.Close()
		h := &handler{ctx: ctx, log: logPath, run: func(ctx context.Context) int {
			return run(ctx, cmdline.IO{Stdin: stdio.Stdin, Stdout: f, Stderr: f}, args)
		}}
		if err := svc.Run(serviceName, h); err != nil {
			fmt.Fprintf(f, "%s: run as a service: %v\n", serviceName, err)
			return cmdline.ExitError
		}
		return h.code
	}
}

// handler is the agent as a Windows service.
type handler struct {
	ctx  context.Context
	log  string
	run  func(ctx context.Context) int
	code int
}

// Execute implements svc.Handler: it runs the daemon until it ends or Stop or Shutdown arrives.
func (h *handler) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- h.run(ctx) }()
	elog, err := eventlog.Open(serviceName)
	if err != nil {
		elog = nil // not installed as a source (service install does it): the log file has everything
	}
	report := func(ok bool, msg string) {
		if elog == nil {
			return
		}
		if ok {
			_ = elog.Info(1, msg) // best effort: the same is in the log file
		} else {
			_ = elog.Error(2, msg)
		}
	}
	if elog != nil {
		defer elog.Close()
	}
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	report(true, "ceplus-agent started; log: "+h.log)
	for {
		select {
		case h.code = <-done:
			return h.stopped(report)
		case r := <-requests:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending, WaitHint: uint32(stopWait / time.Millisecond)}
				cancel()
				select {
				case h.code = <-done:
				case <-time.After(stopWait):
					report(false, fmt.Sprintf("ceplus-agent did not stop within %v; stopped anyway (log: %s)", stopWait, h.log))
					return false, 0
				}
				// A requested stop is never a failure to the service manager: no restart.
				if h.code != cmdline.ExitOK {
					report(false, fmt.Sprintf("ceplus-agent ended with exit code %d while stopping; see %s", h.code, h.log))
				} else {
					report(true, "ceplus-agent stopped")
				}
				return false, 0
			}
		}
	}
}

// stopped reports the end of the daemon: a failure becomes a service-specific exit code, which
// the recovery actions of service install answer with a restart.
func (h *handler) stopped(report func(bool, string)) (bool, uint32) {
	if h.code == cmdline.ExitOK {
		report(true, "ceplus-agent stopped")
		return false, 0
	}
	report(false, fmt.Sprintf("ceplus-agent failed with exit code %d; see %s", h.code, h.log))
	return true, uint32(h.code)
}

// serviceLogFile is where the service writes its log: %ProgramData%\ceplus\logs.
func serviceLogFile() string {
	return filepath.Join(enrol.DefaultStateDir(), "logs", "ceplus-agent.log")
}

// openServiceLog opens the log file for appending, creating its directory.
func openServiceLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
}

// eventError writes msg to the Application event log as an error of the ceplus-agent source.
func eventError(msg string) {
	elog, err := eventlog.Open(serviceName)
	if err != nil {
		return // no event source and no log file: the service manager still records the failed start
	}
	defer elog.Close()
	_ = elog.Error(2, msg) // the last place left to report to
}
