package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// PIDFile lists the processes the demo left running, one "PID NAME" a line; `make demo-stop`
// (demo.sh stop) ends exactly these.
const PIDFile = "pids"

// background starts a long-running process in its own session (so that it outlives `make
// demo`), its output appended to WORK/NAME.log, and records its PID.
func (d *demo) background(name string, args ...string) (*os.Process, error) {
	log, err := os.OpenFile(filepath.Join(d.work, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(filepath.Join(d.bin, args[0]), args[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = d.env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	d.procs = append(d.procs, cmd.Process)
	f, err := os.OpenFile(filepath.Join(d.work, PIDFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%d %s\n", cmd.Process.Pid, name); err != nil {
		return nil, fmt.Errorf("record the PID of %s: %w", name, err)
	}
	go func() { _ = cmd.Wait() }() // reap it if it ends while the walk runs
	return cmd.Process, nil
}

// stop ends the processes this walk started (the test's clean-up; `make demo-stop` otherwise).
func (d *demo) stop() {
	for _, p := range d.procs {
		_ = p.Signal(syscall.SIGTERM) // already gone: nothing to stop
	}
}

func (d *demo) env() []string {
	return append(os.Environ(), "CEPLUS_API="+d.api, "CEPLUS_TOKEN="+d.token, "QUIC_GO_DISABLE_RECEIVE_BUFFER_WARNING=true")
}

// run runs a ceplus command to completion and returns its standard output; show prints the
// command, then its output indented (a progress bar in its final state).
func (d *demo) run(ctx context.Context, show bool, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(d.bin, args[0]), args[1:]...)
	cmd.Env = d.env()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if show {
		fmt.Fprintf(d.out, "$ %s\n%s", shellWords(args), indented(errb.String()+out.String()))
	}
	if err != nil {
		return out.String(), fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

// indented returns s with every line indented by two spaces, and of a line redrawn with
// carriage returns (a progress bar) only its last state.
func indented(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		parts := strings.Split(strings.TrimRight(line, "\r"), "\r")
		b.WriteString("  " + parts[len(parts)-1] + "\n")
	}
	return b.String()
}

// waitFor polls cond every 100 ms until it holds, fails, or ctx ends.
func waitFor(ctx context.Context, what string, limit time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		ok, err := cond()
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: gave up after %s", what, limit)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// shellWords joins args as a shell would need them, quoting those with spaces.
func shellWords(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if strings.ContainsAny(a, " '\"") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}
