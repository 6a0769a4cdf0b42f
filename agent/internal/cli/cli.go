// Package cli implements the ceplus-agent command line. Each command lives in its own file
// and is listed once in commands.
package cli

import (
	"context"
	"io"

	"github.com/ceplus/ceplus/shared/cmdline"
)

const prog = "ceplus-agent"

// commands is the one list of top-level commands.
func commands() []cmdline.Command {
	return []cmdline.Command{
		{Name: "version", Summary: "print the version", Run: runVersion},
		{Name: "inventory", Summary: "inventory this system (or --root) through the signed plugins", Run: runInventory},
	}
}

// Run executes the command line args (args[0] is the program path) and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stdio := cmdline.IO{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) > 0 {
		args = args[1:]
	}
	return cmdline.Dispatch(ctx, prog, commands(), stdio, args)
}
