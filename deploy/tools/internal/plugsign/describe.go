package plugsign

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// Describer describes plugin binaries. A binary built for this platform is asked with its
// describe subcommand. One built for another platform cannot run here, so the Go package it was
// built from (read from its embedded build information, as are its build flags) is built again
// for this platform, with the same flags, and that copy is asked: a cross-built nmap plugin is
// thus described as kind discovery, exactly as it would describe itself.
type Describer struct {
	// Go is the go command used for host copies; "go" when empty. It runs in the current
	// directory, which must be inside the module that built the plugins.
	Go string
	// LDFlags are the -ldflags the plugins were built with, used for host copies of binaries
	// built with -trimpath (which keeps -ldflags out of a binary's build information) so that
	// the copy states the same version.
	LDFlags string

	tmp   string
	hosts map[string]string // package and flags -> host copy
}

// Close removes the host copies.
func (d *Describer) Close() error {
	if d.tmp == "" {
		return nil
	}
	err := os.RemoveAll(d.tmp)
	d.tmp, d.hosts = "", nil
	return err
}

// Describe returns the manifest entry of the plugin binary at path.
func (d *Describer) Describe(ctx context.Context, path string) (pluginapi.Entry, error) {
	sum, err := pluginapi.HashFile(path)
	if err != nil {
		return pluginapi.Entry{}, err
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return pluginapi.Entry{}, fmt.Errorf("%s is not a Go plugin binary (%v): remove it from the plugin directory", path, err)
	}
	goos, goarch := setting(bi, "GOOS"), setting(bi, "GOARCH")
	base := filepath.Base(path)
	name := strings.TrimSuffix(strings.TrimPrefix(base, pluginapi.FilePrefix), ".exe")
	run := path
	if goos != runtime.GOOS || goarch != runtime.GOARCH {
		if run, err = d.hostCopy(ctx, path, bi); err != nil {
			return pluginapi.Entry{}, err
		}
	}
	desc, err := ask(ctx, run)
	if err != nil {
		return pluginapi.Entry{}, fmt.Errorf("%s: %w", path, err)
	}
	if desc.Name != name || desc.APIVersion != pluginapi.APIVersion {
		return pluginapi.Entry{}, fmt.Errorf("%s describes itself as %q for API %d, want %q for API %d: rename or rebuild it",
			path, desc.Name, desc.APIVersion, name, pluginapi.APIVersion)
	}
	return pluginapi.Entry{File: base, SHA256: sum, Name: name, Version: desc.Version, Kind: desc.Kind, OS: desc.OS}, nil
}

// ask runs the describe subcommand of the binary at path.
func ask(ctx context.Context, path string) (pluginapi.Description, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, "describe")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return pluginapi.Description{}, fmt.Errorf("describe: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var desc pluginapi.Description
	if err := json.Unmarshal(out, &desc); err != nil {
		return pluginapi.Description{}, fmt.Errorf("describe printed no description: %w", err)
	}
	return desc, nil
}

// hostCopy builds the Go package of the cross-built binary at path for this platform with the
// build flags recorded in it, and checks that the copy comes from the same revision and
// dependencies, so that it describes the same plugin.
func (d *Describer) hostCopy(ctx context.Context, path string, bi *buildinfo.BuildInfo) (string, error) {
	args := []string{"build", "-o"}
	flags := []string{}
	if v := setting(bi, "-tags"); v != "" {
		flags = append(flags, "-tags="+v)
	}
	ldflags := setting(bi, "-ldflags")
	if setting(bi, "-trimpath") == "true" {
		flags = append(flags, "-trimpath")
		ldflags = d.LDFlags
	}
	if ldflags != "" {
		flags = append(flags, "-ldflags="+ldflags)
	}
	key := bi.Path + " " + strings.Join(flags, " ")
	if p, ok := d.hosts[key]; ok {
		return p, nil
	}
	if d.tmp == "" {
		tmp, err := os.MkdirTemp("", "plugsign-")
		if err != nil {
			return "", fmt.Errorf("describe cross-built plugins: %w", err)
		}
		d.tmp, d.hosts = tmp, map[string]string{}
	}
	out := filepath.Join(d.tmp, fmt.Sprintf("host-%d-%s", len(d.hosts), filepath.Base(bi.Path)))
	args = append(append(args, out), flags...)
	args = append(args, bi.Path)
	goCmd := d.Go
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH, "CGO_ENABLED="+setting(bi, "CGO_ENABLED"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("describe %s (built for %s/%s): build %s for this platform (run from the module that built it): %w\n%s",
			path, setting(bi, "GOOS"), setting(bi, "GOARCH"), bi.Path, err, msg)
	}
	host, err := buildinfo.ReadFile(out)
	if err != nil {
		return "", fmt.Errorf("describe %s: read the host copy: %w", path, err)
	}
	if err := sameSource(bi, host); err != nil {
		return "", fmt.Errorf("describe %s: %w: rebuild the plugins and sign them again", path, err)
	}
	d.hosts[key] = out
	return out, nil
}

// sameSource reports a host copy built from another revision or other dependencies than the
// cross-built binary.
func sameSource(cross, host *buildinfo.BuildInfo) error {
	for _, k := range []string{"vcs.revision", "vcs.modified"} {
		if a, b := setting(cross, k), setting(host, k); a != b {
			return fmt.Errorf("built with %s %q, the source tree now has %q", k, a, b)
		}
	}
	deps := func(bi *buildinfo.BuildInfo) string {
		var s []string
		for _, m := range bi.Deps {
			s = append(s, m.Path+"@"+m.Version)
		}
		return strings.Join(s, " ")
	}
	if deps(cross) != deps(host) {
		return fmt.Errorf("built with other module versions than the source tree now requires")
	}
	return nil
}

// setting returns the build setting k of bi, "" when absent.
func setting(bi *buildinfo.BuildInfo, k string) string {
	for _, s := range bi.Settings {
		if s.Key == k {
			return s.Value
		}
	}
	return ""
}
