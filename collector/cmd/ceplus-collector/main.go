// Command ceplus-collector is the ceplus server: it receives agent inventories, keeps the
// assessments and the vulnerability-handling register, and evaluates the rules.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ceplus/ceplus/collector/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
