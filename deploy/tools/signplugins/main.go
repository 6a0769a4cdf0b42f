// Command signplugins signs the source plugins of a build: it writes plugins.json (file name,
// SHA-256 and describe output of every ceplus-plugin-* binary in -dir) and plugins.json.sig
// (ed25519). The private key is generated on first use at -key (mode 0600, kept out of git);
// -print-pub prints the base64 public key that `make build` embeds in ceplus-agent.
//
//	go run ./deploy/tools/signplugins -key deploy/keys/plugins.key -dir bin
//	go run ./deploy/tools/signplugins -key deploy/keys/plugins.key -print-pub
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	keyPath := flag.String("key", "deploy/keys/plugins.key", "ed25519 private key file (created on first use)")
	dir := flag.String("dir", "bin", "directory holding the ceplus-plugin-* binaries; the manifest is written there")
	printPub := flag.Bool("print-pub", false, "print the base64 public key and exit")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, *keyPath, *dir, *printPub); err != nil {
		fmt.Fprintf(os.Stderr, "signplugins: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, keyPath, dir string, printPub bool) error {
	priv, err := loadOrCreateKey(keyPath)
	if err != nil {
		return err
	}
	pub, ok := priv.Public().(ed25519.PublicKey)
	if !ok {
		return fmt.Errorf("key %s is not an ed25519 key", keyPath)
	}
	if printPub {
		fmt.Println(base64.StdEncoding.EncodeToString(pub))
		return nil
	}
	m, err := buildManifest(ctx, dir)
	if err != nil {
		return err
	}
	manifest, sig, err := pluginapi.Sign(*m, priv)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, pluginapi.ManifestFile), manifest, 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, pluginapi.SignatureFile), sig, 0o644); err != nil {
		return fmt.Errorf("write manifest signature: %w", err)
	}
	names := make([]string, len(m.Plugins))
	for i, e := range m.Plugins {
		names[i] = e.File
	}
	fmt.Printf("signed %d plugins in %s with key %s: %s\n", len(names), dir, pluginapi.KeyID(pub), strings.Join(names, " "))
	return nil
}

// loadOrCreateKey reads the base64 ed25519 seed at path, creating it (and path.pub) when absent.
func loadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate plugin signing key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create key directory: %w", err)
		}
		seed := base64.StdEncoding.EncodeToString(priv.Seed()) + "\n"
		if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
			return nil, fmt.Errorf("write plugin signing key: %w", err)
		}
		if err := os.WriteFile(path+".pub", []byte(base64.StdEncoding.EncodeToString(pub)+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("write plugin public key: %w", err)
		}
		fmt.Fprintf(os.Stderr, "signplugins: generated plugin signing key %s (key id %s); keep it out of git\n", path, pluginapi.KeyID(pub))
		return priv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read plugin signing key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("plugin signing key %s is not a base64 ed25519 seed; delete it to generate a new one (and rebuild the agent)", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// buildManifest lists, hashes and describes every plugin binary in dir.
func buildManifest(ctx context.Context, dir string) (*pluginapi.Manifest, error) {
	files, err := filepath.Glob(filepath.Join(dir, pluginapi.FilePrefix+"*"))
	if err != nil {
		return nil, fmt.Errorf("list plugins: %w", err)
	}
	sort.Strings(files)
	m := &pluginapi.Manifest{Schema: pluginapi.ManifestSchema, APIVersion: pluginapi.APIVersion, Plugins: []pluginapi.Entry{}}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() || st.Mode()&0o111 == 0 && !strings.HasSuffix(f, ".exe") {
			continue
		}
		e, err := describe(ctx, f)
		if err != nil {
			return nil, err
		}
		m.Plugins = append(m.Plugins, e)
	}
	return m, nil
}

// describe returns the manifest entry of the binary at path. A binary of this platform is asked
// with its describe subcommand; one of another platform is described by its name and header.
func describe(ctx context.Context, path string) (pluginapi.Entry, error) {
	sum, err := pluginapi.HashFile(path)
	if err != nil {
		return pluginapi.Entry{}, err
	}
	base := filepath.Base(path)
	name := strings.TrimSuffix(strings.TrimPrefix(base, pluginapi.FilePrefix), ".exe")
	goos, goarch, err := platform(path)
	if err != nil {
		return pluginapi.Entry{}, err
	}
	e := pluginapi.Entry{File: base, SHA256: sum, Name: name, Kind: pluginapi.KindPackages, OS: []string{goos}}
	if goos != runtime.GOOS || goarch != runtime.GOARCH {
		return e, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "describe").Output()
	if err != nil {
		return pluginapi.Entry{}, fmt.Errorf("%s describe: %w", path, err)
	}
	var d pluginapi.Description
	if err := json.Unmarshal(out, &d); err != nil {
		return pluginapi.Entry{}, fmt.Errorf("%s describe printed no description: %w", path, err)
	}
	if d.Name != name || d.APIVersion != pluginapi.APIVersion {
		return pluginapi.Entry{}, fmt.Errorf("%s describes itself as %q for API %d, want %q for API %d: rename or rebuild it",
			path, d.Name, d.APIVersion, name, pluginapi.APIVersion)
	}
	e.Version, e.Kind, e.OS = d.Version, d.Kind, d.OS
	return e, nil
}

// platform reads the GOOS and GOARCH a binary was built for from its header.
func platform(path string) (goos, goarch string, err error) {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386", elf.EM_ARM: "arm"}[f.Machine]
		return "linux", arch, nil
	}
	if f, err := pe.Open(path); err == nil {
		defer f.Close()
		arch := map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64", pe.IMAGE_FILE_MACHINE_I386: "386"}[f.Machine]
		return "windows", arch, nil
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		arch := map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
		return "darwin", arch, nil
	}
	return "", "", fmt.Errorf("%s is not an ELF, PE or Mach-O binary: remove it from the plugin directory", path)
}
