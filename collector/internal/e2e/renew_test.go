package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// helloAs dials with cert and sends a Hello naming renewedFrom; it returns the connection
// after the Welcome.
func helloAs(ctx context.Context, t *testing.T, c *collector, cert *tls.Certificate, renewedFrom string) *quic.Conn {
	t.Helper()
	conn, err := quic.DialAddr(ctx, c.agents, collectorTLS(t, c, cert), wire.QUICConfig(8))
	if err != nil {
		t.Fatal(err)
	}
	str, err := conn.OpenStreamSync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := wire.WriteFrame(str, &wire.Hello{ProtocolVersion: wire.ProtocolVersion, AgentTime: time.Now(), RenewedFrom: renewedFrom}); err != nil {
		t.Fatal(err)
	}
	if m, err := wire.ReadFrame(str, wire.DefaultMaxFrame); err != nil {
		t.Fatalf("hello: %v", err)
	} else if _, ok := m.(*wire.Welcome); !ok {
		t.Fatalf("hello answered with %T", m)
	}
	return conn
}

func TestCertificateRenewalOnTheAuthenticatedConnection(t *testing.T) {
	c := newCollector(t)
	a, bystander := c.enrol("pc-renew"), c.enrol("pc-bystander")
	cert, err := tls.LoadX509KeyPair(filepath.Join(a.state, "agent.crt"), filepath.Join(a.state, "agent.key"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := helloAs(ctx, t, c, &cert, "")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "pc-renew"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	str, err := conn.OpenStreamSync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := wire.WriteFrame(str, &wire.RenewRequest{CSR: csr}); err != nil {
		t.Fatal(err)
	}
	_ = str.Close()
	m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
	resp, ok := m.(*wire.RenewResponse)
	if err != nil || !ok {
		t.Fatalf("renewal answered %#v, %v", m, err)
	}
	sum := sha256.Sum256(resp.Cert)
	if newID := hex.EncodeToString(sum[:]); resp.AgentID != newID || newID == a.id {
		t.Fatalf("renewed agent id %s, want the SHA-256 of the new certificate %s (and not the old %s)", resp.AgentID, newID, a.id)
	}
	conn.CloseWithError(0, "")

	// a client that claims to replace an agent it did not renew changes nothing
	helloAs(ctx, t, c, &cert, bystander.id).CloseWithError(0, "")
	// the new certificate works, and its first connection retires the old one
	renewed := tls.Certificate{Certificate: [][]byte{resp.Cert}, PrivateKey: key}
	helloAs(ctx, t, c, &renewed, a.id).CloseWithError(0, "")
	rows := map[string]agentRow{}
	for _, r := range c.list() {
		rows[r.ID] = r
	}
	if r := rows[resp.AgentID]; r.Hostname != "pc-renew" || r.Revoked {
		t.Errorf("renewed agent %+v: want pc-renew, active", r)
	}
	if !rows[a.id].Revoked {
		t.Errorf("the replaced certificate is still active")
	}
	if rows[bystander.id].Revoked {
		t.Errorf("a false renewed_from claim revoked another agent")
	}
	if !strings.Contains(c.p.Output(), "the collector issued no such renewal") {
		t.Errorf("the false claim was not logged")
	}
}
