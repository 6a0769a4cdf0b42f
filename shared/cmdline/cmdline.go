// Package cmdline dispatches the subcommands of the ceplus binaries and holds the conventions
// they share: exit codes, usage output and JSON printing.
package cmdline

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes shared by every ceplus command.
const (
	ExitOK    = 0 // success
	ExitError = 1 // the command ran and failed (I/O, network, server error)
	ExitUsage = 2 // bad arguments or malformed input: nothing was done
)

// IO carries the standard streams of one invocation, so commands never touch os.Std*.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Command is one subcommand. Run receives the arguments after the command's own name.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, io IO, args []string) int
}

// Dispatch runs the command named by args[0] from cmds, printing usage for help or unknown names.
// prog is the program name used in messages, such as "ceplus-collector" or "ceplus-collector sample".
func Dispatch(ctx context.Context, prog string, cmds []Command, stdio IO, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		out := stdio.Stdout
		code := ExitOK
		if len(args) == 0 {
			out, code = stdio.Stderr, ExitUsage
		}
		Usage(out, prog, cmds)
		return code
	}
	for _, c := range cmds {
		if c.Name == args[0] {
			return c.Run(ctx, stdio, args[1:])
		}
	}
	fmt.Fprintf(stdio.Stderr, "%s: unknown command %q\n\n", prog, args[0])
	Usage(stdio.Stderr, prog, cmds)
	return ExitUsage
}

// Usage prints the list of commands.
func Usage(w io.Writer, prog string, cmds []Command) {
	fmt.Fprintf(w, "usage: %s <command> [flags]\n\ncommands:\n", prog)
	sorted := append([]Command(nil), cmds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-12s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> -h' for the flags of a command.\n", prog)
}

// NewFlags returns a FlagSet that reports errors instead of exiting and prints usage to stderr.
func NewFlags(name string, stdio IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	return fs
}

// ParseFlags parses args into fs and returns the exit code to use when parsing failed:
// ExitOK for -h (usage was printed), ExitUsage otherwise. ok is true when the command should go on.
func ParseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, false
		}
		return ExitUsage, false
	}
	return ExitOK, true
}

// PrintJSON writes v as indented JSON followed by a newline.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Fail prints "prog: message" to stderr and returns code.
func Fail(stdio IO, prog string, code int, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(stdio.Stderr, "%s: %s\n", prog, strings.TrimRight(msg, "\n"))
	return code
}
