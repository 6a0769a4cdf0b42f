package pluginapi

import (
	"os/exec"
	"syscall"
)

// setParentDeath asks Linux to SIGKILL the plugin when the agent dies, so that a killed agent
// leaves no orphan plugin behind.
func setParentDeath(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
