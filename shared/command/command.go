// Package command runs the external programs that plugins read the system with: under a
// deadline, with standard output and standard error captured, and errors that name the program
// and carry what it said on standard error.
package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// MaxStderr bounds how much of a program's standard error goes into an error.
const MaxStderr = 2000

// Run runs name with args under a timeout and returns its standard output and standard error.
// A program that fails or times out returns an error naming it and carrying clean(stderr);
// clean is Summary when nil.
func Run(ctx context.Context, timeout time.Duration, clean func(stderr []byte) string, name string, args ...string) (stdout, stderr []byte, err error) {
	if clean == nil {
		clean = Summary
	}
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
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return out.Bytes(), stderr, fmt.Errorf("%s: no answer within %s%s", name, timeout, Suffix(clean(stderr)))
	case ctx.Err() != nil:
		return out.Bytes(), stderr, fmt.Errorf("%s: %w", name, ctx.Err())
	case err != nil:
		return out.Bytes(), stderr, fmt.Errorf("%s: %w%s", name, err, Suffix(clean(stderr)))
	}
	return out.Bytes(), stderr, nil
}

// Summary returns stderr with its whitespace collapsed and its length bounded by MaxStderr.
func Summary(stderr []byte) string {
	s := strings.Join(strings.Fields(string(stderr)), " ")
	if len(s) > MaxStderr {
		s = s[:MaxStderr] + "…"
	}
	return s
}

// Suffix returns ": " and s, or "" when s is empty: the tail of an error that carries what a
// program said.
func Suffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}
