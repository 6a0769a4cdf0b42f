package sources

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultSocketRoot returns where the agent keeps the private directories of its plugins'
// sockets: /run/ceplus-agent for root on Linux, a per-user directory under the temp dir
// otherwise.
func DefaultSocketRoot() string {
	if os.Geteuid() == 0 {
		if st, err := os.Stat("/run"); err == nil && st.IsDir() {
			return "/run/ceplus-agent"
		}
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("ceplus-agent-%d", os.Geteuid()))
}

// runSocketDir makes root private (created 0700, owned by this user, refused otherwise), sweeps
// the directories that earlier agent runs left behind (a crashed plugin leaves its socket), and
// returns a fresh directory for this run's sockets. The caller removes it.
func runSocketDir(root string) (string, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("create plugin socket directory: %w", err)
	}
	if err := checkPrivate(root); err != nil {
		return "", err
	}
	if err := sweep(root); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(root, fmt.Sprintf("run-%d-", os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("create plugin socket directory: %w", err)
	}
	return dir, nil
}

// sweep removes every run directory of root whose agent process is gone, and any stray entry
// that is not a run directory.
func sweep(root string) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("sweep plugin sockets: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if pid, ok := runPID(e.Name()); ok && e.IsDir() && alive(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sweep stale plugin sockets in %s: %w", root, err)
	}
	return nil
}

// runPID returns the agent pid of a run directory name "run-<pid>-<random>".
func runPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "run-")
	if !ok {
		return 0, false
	}
	pidText, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(pidText)
	return pid, err == nil && pid > 0
}
