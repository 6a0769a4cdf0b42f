package cli

import (
	"context"
	"fmt"

	"github.com/ceplus/ceplus/shared/cmdline"
)

// command is the signature of a command's Run.
type command = func(ctx context.Context, stdio cmdline.IO, args []string) int

// runServiceCmd runs `ceplus-agent service install|uninstall|start|stop`: the Windows service
// (service_windows.go). On other systems it says how systemd or launchd run the agent.
func runServiceCmd(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, prog+" service", []cmdline.Command{
		{Name: "install", Summary: "install the Windows service (automatic start, restarted on failure, LocalSystem); enrol first", Run: serviceInstall},
		{Name: "uninstall", Summary: "stop and remove the Windows service (the state directory is kept)", Run: serviceControl("uninstall")},
		{Name: "start", Summary: "start the Windows service", Run: serviceControl("start")},
		{Name: "stop", Summary: "stop the Windows service", Run: serviceControl("stop")},
	}, stdio, args)
}

// failf reports an error of `service` and returns ExitError.
func failf(stdio cmdline.IO, sub, format string, args ...any) int {
	return cmdline.Fail(stdio, prog+" service "+sub, cmdline.ExitError, "%s", fmt.Sprintf(format, args...))
}
