package plugsign

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// LoadOrCreateKey reads the base64 ed25519 seed at path, creating it (mode 0600) and path.pub
// when absent; a notice of the creation goes to notice.
func LoadOrCreateKey(path string, notice io.Writer) (ed25519.PrivateKey, error) {
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
		if err := os.WriteFile(path+".pub", []byte(PublicKey(priv)+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("write plugin public key: %w", err)
		}
		fmt.Fprintf(notice, "signplugins: generated plugin signing key %s (key id %s); keep it out of git\n", path, pluginapi.KeyID(pub))
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

// PublicKey returns the base64 public key of priv, the value linked into ceplus-agent
// (-X …/agent/internal/sources.publicKey=…).
func PublicKey(priv ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
}

// KeyID returns the short fingerprint of priv's public key shown in messages.
func KeyID(priv ed25519.PrivateKey) string {
	return pluginapi.KeyID(priv.Public().(ed25519.PublicKey))
}
