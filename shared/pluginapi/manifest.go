package pluginapi

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files of a plugin directory: the plugin binaries, the manifest that lists them with their
// checksums, and its ed25519 signature.
const (
	FilePrefix    = "ceplus-plugin-"
	ManifestFile  = "plugins.json"
	SignatureFile = "plugins.json.sig"
	// ManifestSchema is the version of the manifest layout.
	ManifestSchema = 1
)

// Errors of plugin trust, checked with errors.Is. The wrapping error names the file.
var (
	ErrNoManifest   = errors.New("plugin manifest or its signature is missing")
	ErrBadManifest  = errors.New("plugin manifest is malformed")
	ErrWrongKey     = errors.New("plugin manifest is signed with a key this agent does not trust")
	ErrBadSignature = errors.New("plugin manifest signature does not verify")
	ErrUnlisted     = errors.New("plugin is not listed in the signed manifest")
)

// Manifest lists the plugin binaries an agent may run. It is trusted only once its signature
// has been verified with the agent's public key (VerifyManifest).
type Manifest struct {
	Schema     int     `json:"schema"`
	APIVersion int     `json:"api_version"`
	Plugins    []Entry `json:"plugins"`
}

// Entry is one plugin binary of the manifest.
type Entry struct {
	// File is the binary's base name, such as "ceplus-plugin-dpkg".
	File string `json:"file"`
	// SHA256 is the hex SHA-256 of the binary.
	SHA256 string `json:"sha256"`
	// Name, Version, Kind and OS are the plugin's Info as its describe subcommand stated it at
	// signing time (for a binary of another platform, as read from its file name and header).
	Name    string   `json:"name"`
	Version string   `json:"version,omitempty"`
	Kind    string   `json:"kind"`
	OS      []string `json:"os"`
}

// signature is the content of SignatureFile.
type signature struct {
	Algorithm string `json:"algorithm"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// FileName returns the binary name of plugin name for goos: "ceplus-plugin-dpkg", or
// "ceplus-plugin-windows.exe" on Windows.
func FileName(name, goos string) string {
	if goos == "windows" {
		return FilePrefix + name + ".exe"
	}
	return FilePrefix + name
}

// KeyID returns a short fingerprint of a public key (16 hex digits of its SHA-256) for messages.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ParsePublicKey decodes a base64 ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("plugin public key is not base64: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("plugin public key has %d bytes, want %d (ed25519)", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// Sign encodes m and returns the manifest bytes and the content of its signature file.
func Sign(m Manifest, priv ed25519.PrivateKey) (manifest, sig []byte, err error) {
	manifest, err = json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode plugin manifest: %w", err)
	}
	manifest = append(manifest, '\n')
	pub, ok := priv.Public().(ed25519.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("sign plugin manifest: the key is not an ed25519 key")
	}
	sig, err = json.MarshalIndent(signature{Algorithm: "ed25519", KeyID: KeyID(pub),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(priv, manifest))}, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode plugin manifest signature: %w", err)
	}
	return manifest, append(sig, '\n'), nil
}

// VerifyManifest checks the signature sig of the manifest bytes with pub and only then decodes
// the manifest. name is the manifest's path, used in errors.
func VerifyManifest(name string, manifest, sig []byte, pub ed25519.PublicKey) (*Manifest, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("verify %s: this agent has no plugin public key: build it with `make build`", name)
	}
	var s signature
	dec := json.NewDecoder(bytes.NewReader(sig))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("verify %s: signature file %s: %w: %v", name, SignatureFile, ErrBadSignature, err)
	}
	raw, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || s.Algorithm != "ed25519" || len(raw) != ed25519.SignatureSize {
		return nil, fmt.Errorf("verify %s: signature file %s holds no ed25519 signature: %w", name, SignatureFile, ErrBadSignature)
	}
	if want := KeyID(pub); s.KeyID != want {
		return nil, fmt.Errorf("verify %s: signed with key %s, this agent trusts key %s: %w; re-sign the plugins with the agent's key or install the matching agent",
			name, s.KeyID, want, ErrWrongKey)
	}
	if !ed25519.Verify(pub, manifest, raw) {
		return nil, fmt.Errorf("verify %s: %w with key %s: the manifest or its signature was changed after signing; reinstall the plugins",
			name, ErrBadSignature, s.KeyID)
	}
	var m Manifest
	dec = json.NewDecoder(bytes.NewReader(manifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("verify %s: %w: %v", name, ErrBadManifest, err)
	}
	if m.Schema != ManifestSchema {
		return nil, fmt.Errorf("verify %s: %w: schema %d, want %d", name, ErrBadManifest, m.Schema, ManifestSchema)
	}
	seen := map[string]bool{}
	for _, e := range m.Plugins {
		if e.File != filepath.Base(e.File) || !strings.HasPrefix(e.File, FilePrefix) || seen[e.File] {
			return nil, fmt.Errorf("verify %s: %w: bad or repeated file name %q", name, ErrBadManifest, e.File)
		}
		if b, err := hex.DecodeString(e.SHA256); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("verify %s: %w: %s has no hex SHA-256", name, ErrBadManifest, e.File)
		}
		seen[e.File] = true
	}
	return &m, nil
}

// LoadManifest reads ManifestFile and SignatureFile from dir and verifies them with pub.
func LoadManifest(dir string, pub ed25519.PublicKey) (*Manifest, error) {
	mpath := filepath.Join(dir, ManifestFile)
	manifest, err := os.ReadFile(mpath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w: install the signed plugins (make build writes them to bin/)", mpath, ErrNoManifest)
	}
	if err != nil {
		return nil, fmt.Errorf("read plugin manifest: %w", err)
	}
	spath := filepath.Join(dir, SignatureFile)
	sig, err := os.ReadFile(spath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w: the manifest is unsigned; sign it (make build)", spath, ErrNoManifest)
	}
	if err != nil {
		return nil, fmt.Errorf("read plugin manifest signature: %w", err)
	}
	return VerifyManifest(mpath, manifest, sig, pub)
}

// Lookup returns the entry of the binary named file, or an error wrapping ErrUnlisted.
func (m *Manifest) Lookup(file string) (Entry, error) {
	for _, e := range m.Plugins {
		if e.File == file {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("plugin %s: %w: refused; remove it, or sign it with the agent's key", file, ErrUnlisted)
}

// Checksum returns the entry's SHA-256 as bytes.
func (e Entry) Checksum() []byte {
	b, err := hex.DecodeString(e.SHA256)
	if err != nil {
		return nil // VerifyManifest has checked every entry; an unchecked one gets no checksum
	}
	return b
}

// HashFile returns the hex SHA-256 of the file at path.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash plugin: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash plugin %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckFile verifies that the binary at path has the checksum of e, before anything runs it.
func CheckFile(path string, e Entry) error {
	got, err := HashFile(path)
	if err != nil {
		return err
	}
	if got != e.SHA256 {
		return fmt.Errorf("plugin %s: %w (sha256 %s, manifest lists %s): refused; reinstall it from a signed build",
			path, ErrTampered, got[:16], e.SHA256[:16])
	}
	return nil
}
