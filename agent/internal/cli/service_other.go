//go:build !windows

package cli

import (
	"context"
	"runtime"

	"github.com/ceplus/ceplus/shared/cmdline"
)

// asService returns run unchanged: only Windows has a service manager the agent talks to.
func asService(run command) command { return run }

func serviceInstall(_ context.Context, stdio cmdline.IO, _ []string) int {
	return failf(stdio, "install", "%s", notWindows(runtime.GOOS))
}

func serviceControl(sub string) command {
	return func(_ context.Context, stdio cmdline.IO, _ []string) int {
		return failf(stdio, sub, "%s", notWindows(runtime.GOOS))
	}
}

// notWindows is what `service` says on Linux and macOS, where the system's own service manager
// runs the agent.
func notWindows(goos string) string {
	if goos == "darwin" {
		return "`service` manages the Windows service; on macOS launchd runs the agent: from the unpacked " +
			"ceplus-agent-<version>-darwin-<arch>.tar.gz run `sudo ./install.sh` (deploy/launchd), then " +
			"`sudo launchctl bootstrap system /Library/LaunchDaemons/org.ceplus.agent.plist` once enrolled"
	}
	return "`service` manages the Windows service; on Linux systemd runs the agent: install the ceplus-agent " +
		".deb or .rpm (or deploy/systemd/ceplus-agent.service), enrol, then `systemctl enable --now ceplus-agent`"
}
