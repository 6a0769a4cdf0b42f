package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func csrFor(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestLoadOrCreateKeepsTheCA(t *testing.T) {
	dir := t.TempDir()
	ca, created, err := LoadOrCreate(dir, t0)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	fi, err := os.Stat(filepath.Join(dir, CAKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("CA key mode %v, err %v; want 0600", fi.Mode().Perm(), err)
	}
	again, created, err := LoadOrCreate(dir, t0.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("second start: created=%v err=%v", created, err)
	}
	if again.Fingerprint() != ca.Fingerprint() {
		t.Fatal("the CA changed between starts")
	}
	if err := os.Remove(filepath.Join(dir, CAKeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreate(dir, t0); err == nil {
		t.Fatal("a CA with its key missing was replaced silently")
	}
}

func TestSignAndVerifyAgent(t *testing.T) {
	ca, _, err := LoadOrCreate(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := ca.SignAgent(csrFor(t, key), "laptop-1", t0, AgentCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.VerifyAgent(der, t0.Add(time.Hour)); err != nil {
		t.Fatalf("fresh agent certificate rejected: %v", err)
	}
	if _, err := ca.VerifyAgent(der, t0.Add(AgentCertValidity+time.Hour)); err == nil {
		t.Error("expired agent certificate accepted")
	}
	other, _, _ := LoadOrCreate(t.TempDir(), t0)
	if _, err := other.VerifyAgent(der, t0); err == nil {
		t.Error("certificate from another CA accepted")
	}
	srv, err := ca.ServerCertificate([]net.IP{net.IPv4(127, 0, 0, 1)}, t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.VerifyAgent(srv.Certificate[0], t0); err == nil {
		t.Error("server certificate accepted as an agent certificate")
	}
}

func TestSignAgentRejectsBadRequests(t *testing.T) {
	ca, _, _ := LoadOrCreate(t.TempDir(), t0)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	good := csrFor(t, mustP256(t))
	tampered := append([]byte(nil), good...)
	tampered[len(tampered)-5] ^= 0xff
	tests := []struct {
		name string
		csr  []byte
	}{
		{"garbage", []byte("not a csr")},
		{"rsa key", csrFor(t, rsaKey)},
		{"p384 key", csrFor(t, p384)},
		{"bad signature", tampered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ca.SignAgent(tt.csr, "h", t0, time.Hour); !errors.Is(err, ErrBadCSR) {
				t.Fatalf("err = %v, want ErrBadCSR", err)
			}
		})
	}
}

func mustP256(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPEMRoundTrip(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a, err := New(now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(now)
	if err != nil {
		t.Fatal(err)
	}
	pa, err := a.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePEM(pa)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint() != a.Fingerprint() {
		t.Errorf("round trip changed the CA: %s, want %s", got.Fingerprint(), a.Fingerprint())
	}
	// a's certificate with b's key must be refused
	certA, _, _ := strings.Cut(string(pa), "-----BEGIN PRIVATE KEY")
	_, keyB, _ := strings.Cut(string(pb), "-----END CERTIFICATE-----\n")
	if _, err := ParsePEM([]byte(certA + keyB)); err == nil {
		t.Error("ParsePEM accepted a certificate with another CA's key")
	}
	if _, err := ParsePEM([]byte("junk")); err == nil {
		t.Error("ParsePEM accepted junk")
	}
}
