package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ceplus/ceplus/deploy/tools/internal/plugsign"
	"github.com/ceplus/ceplus/shared/version"
)

// config is what to build, from the command line.
type config struct {
	Key     string   // plugin signing key
	Out     string   // output directory
	Version string   // package version; from git describe when empty
	Targets []string // GOOS/GOARCH
	Formats []string // deb, rpm, tar
}

// target is one GOOS/GOARCH to build for.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "-" + t.Arch }

// release is the shared state of one run.
type release struct {
	Version string
	Module  string    // module root: go commands, deploy/ files
	Work    string    // scratch directory under Out, removed at the end
	Out     string    // where packages go
	MTime   time.Time // file times in packages: the last commit's
	Log     io.Writer
}

// run builds every target and writes the packages; it returns their paths.
func run(ctx context.Context, c config, log io.Writer) (files []string, err error) {
	targets, err := parseTargets(c.Targets)
	if err != nil {
		return nil, err
	}
	for _, f := range c.Formats {
		if !slices.Contains([]string{"deb", "rpm", "tar"}, f) {
			return nil, fmt.Errorf("-formats: %q is not deb, rpm or tar", f)
		}
	}
	if c.Out, err = filepath.Abs(c.Out); err != nil {
		return nil, fmt.Errorf("-out: %w", err)
	}
	mod, err := output(ctx, "", "go", "env", "GOMOD")
	if err != nil || mod == "" || mod == os.DevNull {
		return nil, fmt.Errorf("run pkg from inside the ceplus module (go env GOMOD said %q: %v)", mod, err)
	}
	r := &release{Version: c.Version, Module: filepath.Dir(mod), Out: c.Out, Log: log}
	if r.Version == "" {
		desc, err := output(ctx, r.Module, "git", "describe", "--tags", "--long", "--always", "--dirty")
		if err != nil {
			return nil, fmt.Errorf("version from git describe: %w; pass -version", err)
		}
		base, _, _ := strings.Cut(version.Version, "-")
		if r.Version, err = packageVersion(desc, base); err != nil {
			return nil, err
		}
	}
	if r.MTime, err = commitTime(ctx, r.Module); err != nil {
		return nil, err
	}
	priv, err := plugsign.LoadOrCreateKey(c.Key, log)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	if r.Work, err = os.MkdirTemp(c.Out, ".work-"); err != nil {
		return nil, fmt.Errorf("create work directory: %w", err)
	}
	defer func() {
		if rerr := os.RemoveAll(r.Work); rerr != nil && err == nil {
			err = fmt.Errorf("remove work directory: %w", rerr)
		}
	}()
	d := plugsign.Describer{LDFlags: r.ldflags()}
	defer func() {
		if cerr := d.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("remove host copies of plugins: %w", cerr)
		}
	}()
	for _, t := range targets {
		fmt.Fprintf(log, "pkg: building %s %s\n", r.Version, t)
		b, err := r.build(ctx, t, priv, &d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		for _, f := range c.Formats {
			out, err := r.write(ctx, f, b)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", t, f, err)
			}
			files = append(files, out...)
		}
	}
	return files, nil
}

// write makes the packages of format f from b.
func (r *release) write(ctx context.Context, f string, b *build) ([]string, error) {
	if f == "tar" {
		p, err := r.tarball(b)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	}
	if b.Target.OS != "linux" {
		return nil, nil
	}
	var out []string
	for _, p := range []pkg{r.agentPackage(b), r.collectorPackage(b)} {
		var file string
		var err error
		if f == "deb" {
			file, err = r.deb(ctx, p)
		} else {
			file, err = r.rpm(ctx, p)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, file)
	}
	return out, nil
}

func parseTargets(list []string) ([]target, error) {
	var out []target
	for _, s := range list {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(s), "/")
		if !ok || !slices.Contains([]string{"linux", "windows", "darwin"}, goos) || !slices.Contains([]string{"amd64", "arm64"}, goarch) {
			return nil, fmt.Errorf("-targets: %q is not linux, windows or darwin / amd64 or arm64", s)
		}
		out = append(out, target{goos, goarch})
	}
	return out, nil
}

// commitTime is the time of the last commit ($SOURCE_DATE_EPOCH when set): packages of one
// commit carry the same file times.
func commitTime(ctx context.Context, dir string) (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		var err error
		if s, err = output(ctx, dir, "git", "log", "-1", "--format=%ct"); err != nil {
			return time.Time{}, fmt.Errorf("last commit time: %w; set SOURCE_DATE_EPOCH", err)
		}
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("file time %q is not seconds since 1970: set SOURCE_DATE_EPOCH", s)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// output runs a command in dir and returns its trimmed standard output.
func output(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// command runs a command with extra environment, its output going to the log only on failure.
func command(ctx context.Context, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
