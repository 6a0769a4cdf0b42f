//go:build !linux

package pluginapi

import "os/exec"

// setParentDeath has no equivalent outside Linux; there the plugin watches its parent itself.
func setParentDeath(*exec.Cmd) {}
