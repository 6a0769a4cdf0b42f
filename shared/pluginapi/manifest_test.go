package pluginapi

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestManifestSignVerify(t *testing.T) {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	m := Manifest{Schema: ManifestSchema, APIVersion: APIVersion, Plugins: []Entry{{File: "ceplus-plugin-dpkg",
		SHA256: strings.Repeat("ab", 32), Name: "dpkg", Version: "1", Kind: KindPackages, OS: []string{"linux"}}}}
	manifest, sig, err := Sign(m, priv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyManifest("plugins.json", manifest, sig, pub)
	if err != nil {
		t.Fatalf("VerifyManifest(good): %v", err)
	}
	if diff := cmp.Diff(&m, got); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	_, otherSig, err := Sign(m, otherPriv)
	if err != nil {
		t.Fatal(err)
	}
	// A signature by another key that claims the trusted key's id.
	var forged bytes.Buffer
	forged.WriteString(strings.Replace(string(otherSig), KeyID(otherPub), KeyID(pub), 1))
	bad, badSig, err := Sign(Manifest{Schema: 2}, priv)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		manifest []byte
		sig      []byte
		key      ed25519.PublicKey
		want     error
	}{
		{"manifest changed after signing", bytes.Replace(manifest, []byte("abab"), []byte("cdcd"), 1), sig, pub, ErrBadSignature},
		{"signature of the wrong key", manifest, otherSig, pub, ErrWrongKey},
		{"agent holds the wrong key", manifest, sig, otherPub, ErrWrongKey},
		{"forged key id", manifest, forged.Bytes(), pub, ErrBadSignature},
		{"garbage signature", manifest, []byte("{}"), pub, ErrBadSignature},
		{"signed but wrong schema", bad, badSig, pub, ErrBadManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyManifest("dir/plugins.json", tt.manifest, tt.sig, tt.key)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "dir/plugins.json") {
				t.Fatalf("VerifyManifest = %v, want %v naming the file", err, tt.want)
			}
		})
	}
	if _, err := VerifyManifest("x", manifest, sig, nil); err == nil || !strings.Contains(err.Error(), "no plugin public key") {
		t.Errorf("VerifyManifest without a key = %v", err)
	}
}

func TestLoadManifestAndLookup(t *testing.T) {
	pub, priv := newKey(t)
	dir := t.TempDir()
	if _, err := LoadManifest(dir, pub); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("LoadManifest(empty dir) = %v, want ErrNoManifest", err)
	}
	m := Manifest{Schema: ManifestSchema, APIVersion: APIVersion, Plugins: []Entry{{File: "ceplus-plugin-a", SHA256: strings.Repeat("0", 64), Name: "a"}}}
	manifest, sig, err := Sign(m, priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadManifest(dir, pub); !errors.Is(err, ErrNoManifest) || !strings.Contains(err.Error(), SignatureFile) {
		t.Fatalf("LoadManifest(unsigned) = %v, want ErrNoManifest naming %s", err, SignatureFile)
	}
	if err := os.WriteFile(filepath.Join(dir, SignatureFile), sig, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadManifest(dir, pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.Lookup("ceplus-plugin-a"); err != nil {
		t.Errorf("Lookup(listed) = %v", err)
	}
	if _, err := got.Lookup("ceplus-plugin-b"); !errors.Is(err, ErrUnlisted) || !strings.Contains(err.Error(), "ceplus-plugin-b") {
		t.Errorf("Lookup(unlisted) = %v, want ErrUnlisted naming the file", err)
	}
}

func TestParsePublicKey(t *testing.T) {
	pub, _ := newKey(t)
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"good", base64.StdEncoding.EncodeToString(pub) + "\n", false},
		{"not base64", "!!", true},
		{"short", base64.StdEncoding.EncodeToString(pub[:16]), true},
		{"empty", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKey(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParsePublicKey err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && !got.Equal(pub) {
				t.Errorf("key differs")
			}
		})
	}
}
