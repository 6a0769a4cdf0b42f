//go:build unix

package pluginapi

import (
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
)

// watchParent exits the plugin when the agent that started it has gone: the plugin is then
// re-parented, so its parent process id changes. The agent also asks Linux to kill its plugins
// when it dies (Pdeathsig); this watch covers the other Unix systems and a lost signal.
func watchParent(logger hclog.Logger) {
	ppid := os.Getppid()
	if ppid <= 1 {
		return
	}
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != ppid {
				logger.Error("agent process has gone, exiting", "agent_pid", ppid)
				os.Exit(3)
			}
		}
	}()
}
