package cli

import (
	"context"
	"fmt"

	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/version"
)

func runVersion(_ context.Context, stdio cmdline.IO, _ []string) int {
	fmt.Fprintf(stdio.Stdout, "%s %s\n", prog, version.Version)
	return cmdline.ExitOK
}
