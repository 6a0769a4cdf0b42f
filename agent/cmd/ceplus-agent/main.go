// Command ceplus-agent runs on an endpoint: it inventories installed software and pending
// updates through signed source plugins and reports them to a ceplus collector.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ceplus/ceplus/agent/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
