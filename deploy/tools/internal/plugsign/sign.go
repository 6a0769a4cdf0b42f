package plugsign

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// Sign describes the plugin binaries in dir and writes the manifest and its signature by priv
// there. With goos set, only the plugins whose description lists goos are signed (the others
// stay in dir, unlisted, for the caller to leave out of a package); with goos "", all are.
func Sign(ctx context.Context, dir string, priv ed25519.PrivateKey, goos string, d *Describer) (*pluginapi.Manifest, error) {
	files, err := filepath.Glob(filepath.Join(dir, pluginapi.FilePrefix+"*"))
	if err != nil {
		return nil, fmt.Errorf("list plugins: %w", err)
	}
	sort.Strings(files)
	m := pluginapi.Manifest{Schema: pluginapi.ManifestSchema, APIVersion: pluginapi.APIVersion, Plugins: []pluginapi.Entry{}}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("list plugins: %w", err)
		}
		if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 && !strings.HasSuffix(f, ".exe") {
			continue
		}
		e, err := d.Describe(ctx, f)
		if err != nil {
			return nil, err
		}
		if goos == "" || slices.Contains(e.OS, goos) {
			m.Plugins = append(m.Plugins, e)
		}
	}
	manifest, sig, err := pluginapi.Sign(m, priv)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, pluginapi.ManifestFile), manifest, 0o644); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, pluginapi.SignatureFile), sig, 0o644); err != nil {
		return nil, fmt.Errorf("write manifest signature: %w", err)
	}
	return &m, nil
}
