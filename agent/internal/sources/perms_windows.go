//go:build windows

package sources

import "os"

// alive reports whether process pid exists.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Release() == nil
}

// checkPrivate is left to the directory's ACL on Windows (the agent's per-user temp directory).
func checkPrivate(string) error { return nil }

// checkInstall is left to the ACL of the install directory on Windows (Program Files is
// writable by Administrators only).
func checkInstall(string) error { return nil }
