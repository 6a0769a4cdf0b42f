package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ceplus/ceplus/deploy/tools/internal/plugsign"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// Link-time variables, as in the Makefile.
const (
	versionVar   = "github.com/ceplus/ceplus/shared/version.Version"
	publicKeyVar = "github.com/ceplus/ceplus/agent/internal/sources.publicKey"
)

// build is the signed output of one target.
type build struct {
	Target    target
	Dir       string
	Agent     string   // file name of the agent in Dir
	Plugins   []string // signed plugins in Dir: the manifest's files
	Collector string   // file name of the collector in Dir; "" off Linux
}

// ldflags are the link flags of every binary (the agent adds its public key).
func (r *release) ldflags() string {
	return "-s -w -X " + versionVar + "=" + r.Version
}

// build runs the steps of `make build` for t: the plugins, signed with priv (only those that run
// on t.OS are listed), the agent with the public key linked in, and on Linux the collector.
func (r *release) build(ctx context.Context, t target, priv ed25519.PrivateKey, d *plugsign.Describer) (*build, error) {
	dir := filepath.Join(r.Work, t.String())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create build directory: %w", err)
	}
	env := []string{"GOOS=" + t.OS, "GOARCH=" + t.Arch, "CGO_ENABLED=0"}
	cmds, err := filepath.Glob(filepath.Join(r.Module, "plugins", "*", "cmd"))
	if err != nil || len(cmds) == 0 {
		return nil, fmt.Errorf("no plugins/*/cmd in %s (%v): run pkg in the ceplus module", r.Module, err)
	}
	args := []string{"build", "-trimpath", "-ldflags", r.ldflags(), "-o", dir + string(filepath.Separator)}
	for _, c := range cmds {
		rel, err := filepath.Rel(r.Module, c)
		if err != nil {
			return nil, fmt.Errorf("plugin command %s: %w", c, err)
		}
		args = append(args, "./"+filepath.ToSlash(rel)+"/...")
	}
	if err := command(ctx, r.Module, env, "go", args...); err != nil {
		return nil, fmt.Errorf("build plugins: %w", err)
	}
	m, err := plugsign.Sign(ctx, dir, priv, t.OS, d)
	if err != nil {
		return nil, fmt.Errorf("sign plugins: %w", err)
	}
	b := &build{Target: t, Dir: dir, Agent: exe("ceplus-agent", t.OS)}
	for _, e := range m.Plugins {
		b.Plugins = append(b.Plugins, e.File)
	}
	agentFlags := r.ldflags() + " -X " + publicKeyVar + "=" + plugsign.PublicKey(priv)
	if err := command(ctx, r.Module, env, "go", "build", "-trimpath", "-ldflags", agentFlags,
		"-o", filepath.Join(dir, b.Agent), "./agent/cmd/ceplus-agent"); err != nil {
		return nil, fmt.Errorf("build agent: %w", err)
	}
	if t.OS == "linux" {
		b.Collector = "ceplus-collector"
		if err := command(ctx, r.Module, env, "go", "build", "-trimpath", "-ldflags", r.ldflags(),
			"-o", filepath.Join(dir, b.Collector), "./collector/cmd/ceplus-collector"); err != nil {
			return nil, fmt.Errorf("build collector: %w", err)
		}
	}
	return b, nil
}

// exe is the executable file name of name on goos.
func exe(name, goos string) string {
	if goos == "windows" {
		return name + ".exe"
	}
	return name
}

// signedSet is the agent directory of b: the agent, its signed plugins, the manifest and its
// signature, as (file name, mode).
func (b *build) signedSet() []entry {
	set := []entry{{Name: b.Agent, Mode: 0o755}}
	for _, p := range b.Plugins {
		set = append(set, entry{Name: p, Mode: 0o755})
	}
	return append(set, entry{Name: pluginapi.ManifestFile, Mode: 0o644}, entry{Name: pluginapi.SignatureFile, Mode: 0o644})
}

// entry is a file of a build directory and the mode it is installed with.
type entry struct {
	Name string
	Mode os.FileMode
}
