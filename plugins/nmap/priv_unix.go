//go:build unix

package nmap

import (
	"os"
	"os/exec"
	"syscall"
)

// isPrivileged reports whether nmap run by this process may send raw packets: root on Unix.
// (A capability-enabled nmap run with --privileged is not detected: run as root instead.)
func isPrivileged() bool { return os.Geteuid() == 0 }

// ownProcessGroup puts nmap in its own process group and makes cancellation kill the whole group,
// so that a wrapper's children die with it and stdout reaches EOF.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
