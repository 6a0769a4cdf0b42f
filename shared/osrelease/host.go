package osrelease

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Identity reads the host name (etc/hostname) and machine id (etc/machine-id, falling back
// to var/lib/dbus/machine-id) of the system rooted at fsys. A missing or empty file leaves
// its value empty; any other failure is returned.
func Identity(fsys fs.FS) (hostname, machineID string, err error) {
	hostname, err = firstLine(fsys, "etc/hostname")
	if err != nil {
		return "", "", err
	}
	for _, p := range []string{"etc/machine-id", "var/lib/dbus/machine-id"} {
		machineID, err = firstLine(fsys, p)
		if err != nil {
			return "", "", err
		}
		if machineID != "" {
			break
		}
	}
	return hostname, machineID, nil
}

// firstLine returns the first non-comment line of name, trimmed, or "" if the file does
// not exist.
func firstLine(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			return line, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return "", nil
}
