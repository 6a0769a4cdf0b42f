package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// writeAtomic writes data to path through a synced temporary file and a rename, then syncs the
// directory.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("spool write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // nothing left to remove after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("spool write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("spool sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("spool write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("spool write %s: %w", path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("spool sync directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool sync directory %s: %w", dir, err)
	}
	return nil
}
