package enrol

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/atomicfile"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// Files in the state directory.
const (
	KeyFile         = "agent.key"
	CertFile        = "agent.crt"
	CAFile          = "ca.crt"
	CollectorFile   = "collector"
	RenewedFromFile = "renewed-from"
)

// DefaultStateDir is the platform's usual place for the agent's state.
func DefaultStateDir() string {
	switch runtime.GOOS {
	case "windows":
		base := os.Getenv("ProgramData")
		if base == "" {
			base = `C:\ProgramData`
		}
		return filepath.Join(base, "ceplus")
	case "darwin":
		return "/Library/Application Support/ceplus"
	}
	return "/var/lib/ceplus"
}

// Identity is an enrolled agent's certificate, key, pinned CA and collector address.
type Identity struct {
	Dir       string
	Cert      tls.Certificate
	Leaf      *x509.Certificate
	CA        *x509.Certificate
	Collector string
	ID        identity.AgentID
	// RenewedFrom is the ID this certificate replaced, "" if it was not a renewal.
	RenewedFrom string
}

// ErrNotEnrolled: the state directory holds no agent certificate.
var ErrNotEnrolled = errors.New("agent not enrolled")

// Load reads the identity from the state directory dir.
func Load(dir string) (*Identity, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CertFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("state directory %s: %w: run 'ceplus-agent enrol --state %s --collector HOST:PORT --token T --ca-sha256 FP' first", dir, ErrNotEnrolled, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read agent certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, fmt.Errorf("read agent key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("agent certificate and key in %s: %w", dir, err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		return nil, fmt.Errorf("read collector CA: %w", err)
	}
	ca, err := parsePEMCert(caPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, CAFile), err)
	}
	addr, err := os.ReadFile(filepath.Join(dir, CollectorFile))
	if err != nil {
		return nil, fmt.Errorf("read collector address: %w", err)
	}
	prev, err := os.ReadFile(filepath.Join(dir, RenewedFromFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", RenewedFromFile, err)
	}
	return &Identity{Dir: dir, Cert: cert, Leaf: cert.Leaf, CA: ca, Collector: strings.TrimSpace(string(addr)),
		ID: identity.AgentIDFromCert(cert.Leaf.Raw), RenewedFrom: strings.TrimSpace(string(prev))}, nil
}

// save writes the identity files atomically, the certificate last: a state directory with a
// certificate is complete.
func save(dir string, key *ecdsa.PrivateKey, certDER, caDER []byte, collector, renewedFrom string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode agent key: %w", err)
	}
	files := []struct {
		name string
		data []byte
		perm fs.FileMode
	}{
		{KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600},
		{CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644},
		{CollectorFile, []byte(collector + "\n"), 0o644},
		{RenewedFromFile, []byte(renewedFrom + "\n"), 0o644},
		{CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), 0o644},
	}
	for _, f := range files {
		if f.name == RenewedFromFile && renewedFrom == "" {
			if err := os.Remove(filepath.Join(dir, f.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove %s: %w", f.name, err)
			}
			continue
		}
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.data, f.perm); err != nil {
			return err
		}
	}
	return nil
}

func parsePEMCert(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// TLSConfig returns the agent's TLS configuration for its collector: TLS 1.3, ALPN ceplus/1,
// its client certificate, and only the pinned CA as root.
func (id *Identity) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(id.CA)
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		NextProtos:   []string{wire.ALPN},
		ServerName:   wire.ServerName,
		RootCAs:      pool,
		Certificates: []tls.Certificate{id.Cert},
	}
}

// NeedsRenewal reports whether the certificate is within a third of its validity of expiry.
func (id *Identity) NeedsRenewal(now time.Time) bool {
	life := id.Leaf.NotAfter.Sub(id.Leaf.NotBefore)
	return now.After(id.Leaf.NotAfter.Add(-life / 3))
}
