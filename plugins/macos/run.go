package macos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// maxStderr bounds how much of a command's standard error goes into a status error.
const maxStderr = 2000

// run runs name with args under a timeout and returns its standard output and standard error.
// A command that fails or times out returns an error naming it and carrying its standard
// error (whitespace collapsed, bounded).
func run(ctx context.Context, timeout time.Duration, name string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	// A grandchild that keeps the pipes open must not hold Wait past the deadline.
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	stderr = errb.Bytes()
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return out.Bytes(), stderr, fmt.Errorf("%s: no answer within %s%s", name, timeout, suffix(stderr))
	case ctx.Err() != nil:
		return out.Bytes(), stderr, fmt.Errorf("%s: %w", name, ctx.Err())
	case err != nil:
		return out.Bytes(), stderr, fmt.Errorf("%s: %w%s", name, err, suffix(stderr))
	}
	return out.Bytes(), stderr, nil
}

// suffix returns ": " and stderr with its whitespace collapsed and its length bounded, or "".
func suffix(stderr []byte) string {
	s := strings.Join(strings.Fields(string(stderr)), " ")
	if s == "" {
		return ""
	}
	if len(s) > maxStderr {
		s = s[:maxStderr] + "…"
	}
	return ": " + s
}
