//go:build windows

package pluginapi

import (
	"os"

	"github.com/hashicorp/go-hclog"
)

// watchParent exits the plugin when the agent that started it has gone. On Windows a process
// id is not re-assigned on parent exit, so the plugin waits on a handle of the parent process.
func watchParent(logger hclog.Logger) {
	ppid := os.Getppid()
	parent, err := os.FindProcess(ppid)
	if err != nil {
		logger.Error("cannot watch the agent process; the plugin will not exit with it", "agent_pid", ppid, "error", err)
		return
	}
	go func() {
		if _, err := parent.Wait(); err != nil {
			logger.Error("waiting for the agent process failed, exiting", "agent_pid", ppid, "error", err)
		} else {
			logger.Error("agent process has gone, exiting", "agent_pid", ppid)
		}
		os.Exit(3)
	}()
}
