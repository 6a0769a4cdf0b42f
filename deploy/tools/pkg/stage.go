package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// stage writes p's files below root with their modes (directories that p does not list get
// 0755), mapping each installed path through rename. It returns the total size in bytes.
func stage(root string, p pkg, rename func(string) string) (int64, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return 0, fmt.Errorf("stage: %w", err)
	}
	var size int64
	for _, f := range p.Files {
		dst := filepath.Join(root, filepath.FromSlash(rename(f.Path)))
		if err := mkdirs(root, filepath.Dir(dst)); err != nil {
			return 0, err
		}
		switch {
		case f.Link != "":
			if err := os.Symlink(f.Link, dst); err != nil {
				return 0, fmt.Errorf("stage %s: %w", f.Path, err)
			}
		case f.Src == "":
			if err := mkdirs(root, dst); err != nil {
				return 0, err
			}
		default:
			n, err := copyFile(f.Src, dst)
			if err != nil {
				return 0, fmt.Errorf("stage %s: %w", f.Path, err)
			}
			size += n
		}
		if f.Link == "" {
			// Explicitly, so that the umask of whoever builds does not reach the package.
			if err := os.Chmod(dst, f.Mode); err != nil {
				return 0, fmt.Errorf("stage %s: %w", f.Path, err)
			}
		}
	}
	return size, nil
}

// mkdirs creates dir and its parents up to root with mode 0755.
func mkdirs(root, dir string) error {
	if dir == root || !strings.HasPrefix(dir, root) {
		return nil
	}
	if err := mkdirs(root, filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		return fmt.Errorf("stage directory: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("stage directory: %w", err)
	}
	return nil
}

// copyFile copies src to a new file dst and returns the bytes copied.
func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}
