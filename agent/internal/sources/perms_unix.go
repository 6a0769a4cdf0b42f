//go:build unix

package sources

import (
	"fmt"
	"os"
	"syscall"
)

// alive reports whether process pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// checkPrivate refuses a socket directory that another user owns or can write.
func checkPrivate(dir string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("plugin socket directory: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !st.IsDir() || !ok || int(sys.Uid) != os.Geteuid() || st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("plugin socket directory %s must be a directory owned by uid %d with mode 0700 (it is %v): remove it and run again",
			dir, os.Geteuid(), st.Mode())
	}
	return nil
}

// checkInstall refuses a plugin directory or binary that someone other than root or the agent's
// own user could change: whoever can write there could swap a binary between the checksum test
// and its start.
func checkInstall(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("plugin install: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("plugin install %s: cannot read its owner", path)
	}
	if owner := int(sys.Uid); owner != 0 && owner != os.Geteuid() {
		return fmt.Errorf("plugin install %s is owned by uid %d, not root or the agent's user: refused; chown root:root it", path, owner)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("plugin install %s is writable by group or others (mode %v): refused; chmod go-w it", path, st.Mode().Perm())
	}
	return nil
}
