package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// deb writes p as name_version_arch.deb into r.Out with dpkg-deb (every file root:root).
func (r *release) deb(ctx context.Context, p pkg) (string, error) {
	root := filepath.Join(r.Work, "deb-"+p.Name+"-"+p.Arch)
	size, err := stage(root, p, func(s string) string { return s })
	if err != nil {
		return "", err
	}
	ctl := filepath.Join(root, "DEBIAN")
	if err := os.Mkdir(ctl, 0o755); err != nil {
		return "", fmt.Errorf("stage DEBIAN: %w", err)
	}
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: ceplus <ceplus@users.noreply.github.com>\n"+
		"Section: admin\nPriority: optional\nInstalled-Size: %d\nHomepage: https://github.com/ceplus/ceplus\n",
		p.Name, p.Version, p.Arch, (size+1023)/1024)
	if p.Suggests != "" {
		control += "Suggests: " + p.Suggests + "\n"
	}
	control += "Description: " + p.Summary + "\n" + wrap(p.Description, 78, " ") + "\n"
	if err := writeFile(filepath.Join(ctl, "control"), control, 0o644); err != nil {
		return "", err
	}
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		b, err := os.ReadFile(filepath.Join(p.Scripts, s))
		if err != nil {
			return "", fmt.Errorf("maintainer script: %w", err)
		}
		if err := writeFile(filepath.Join(ctl, s), string(b), 0o755); err != nil {
			return "", err
		}
	}
	out := filepath.Join(r.Out, p.Name+"_"+p.Version+"_"+p.Arch+".deb")
	env := []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(r.MTime.Unix(), 10)}
	if err := command(ctx, "", env, "dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", root, out); err != nil {
		return "", fmt.Errorf("%w(dpkg-deb is in Debian's dpkg package)", err)
	}
	return out, nil
}

// wrap folds text into lines of at most width characters, each starting with indent.
func wrap(text string, width int, indent string) string {
	var lines []string
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// writeFile writes content to path with mode, whatever the umask.
func writeFile(path, content string, mode os.FileMode) error {
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
