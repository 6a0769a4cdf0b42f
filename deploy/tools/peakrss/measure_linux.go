package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measure runs args traced (exec stops reported as events, so that no SIGTRAP of an exec is
// delivered to it), stops it at its exit (PTRACE_EVENT_EXIT, before its memory is
// released) to read VmHWM, and returns that, the wall time and the exit code.
func measure(args []string) (hwmKB int, wall time.Duration, code int, err error) {
	runtime.LockOSThread() // every ptrace request must come from the tracing thread
	defer runtime.UnlockOSThread()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	pid := cmd.Process.Pid
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		return 0, 0, 0, fmt.Errorf("wait for exec stop: %w", err)
	}

	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACEEXIT|syscall.PTRACE_O_TRACEEXEC); err != nil {
		return 0, 0, 0, fmt.Errorf("ptrace options: %w", err)
	}
	sig := 0
	for {
		if err := syscall.PtraceCont(pid, sig); err != nil {
			return 0, 0, 0, fmt.Errorf("ptrace cont: %w", err)
		}
		if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err != nil {
			return 0, 0, 0, fmt.Errorf("wait: %w", err)
		}
		switch {
		case ws.Exited():
			return hwmKB, time.Since(start), ws.ExitStatus(), nil
		case ws.Signaled():
			return hwmKB, time.Since(start), 128 + int(ws.Signal()), nil
		case ws.Stopped() && ws.StopSignal() == syscall.SIGTRAP && ws.TrapCause() == syscall.PTRACE_EVENT_EXIT:
			if hwmKB, err = vmHWM(pid); err != nil {
				return 0, 0, 0, err
			}
			sig = 0
		case ws.Stopped() && ws.StopSignal() == syscall.SIGTRAP && ws.TrapCause() == syscall.PTRACE_EVENT_EXEC:
			sig = 0 // a further exec: not a signal to deliver
		case ws.Stopped():
			sig = int(ws.StopSignal()) // deliver the signal the tracee was stopped for
		}
	}
}

func vmHWM(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}
