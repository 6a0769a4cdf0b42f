package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/ceplus/ceplus/collector/internal/pki"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
)

// serverCertValidity is the lifetime of the QUIC server certificate, re-issued from the CA
// when a third of it is left.
const serverCertValidity = 90 * 24 * time.Hour

// certs issues and renews the collector's server certificate.
type certs struct {
	ca  *pki.CA
	ips []net.IP
	now func() time.Time

	mu   sync.Mutex
	cert *tls.Certificate // leaf and CA
	leaf *tls.Certificate // the same leaf alone
}

// get returns the server certificate with the CA in its chain: enrolling agents check the CA
// against their pin.
func (c *certs) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.cert == nil || now.After(c.cert.Leaf.NotAfter.Add(-serverCertValidity/3)) {
		cert, err := c.ca.ServerCertificate(c.ips, now, serverCertValidity)
		if err != nil {
			return nil, err
		}
		leaf := cert
		leaf.Certificate = cert.Certificate[:1]
		c.cert, c.leaf = &cert, &leaf
	}
	return c.cert, nil
}

// getLeaf returns the server certificate without the CA, for enrolled agents, which hold the
// CA already: a smaller handshake, and quic-go keeps the server's handshake flight with every
// connection (about 0.5 KB less each of 10,000 idle agents).
func (c *certs) getLeaf(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if _, err := c.get(hello); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leaf, nil
}

// tlsConfig returns the listener's TLS configuration (see the package documentation).
func (c *Collector) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion:             tls.VersionTLS13,
		NextProtos:             []string{wire.ALPN, wire.ALPNEnrol},
		GetCertificate:         c.certs.get,
		SessionTicketsDisabled: true,
		GetConfigForClient:     c.configForClient,
	}
}

func (c *Collector) configForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	remote := "?"
	if hello.Conn != nil {
		remote = hello.Conn.RemoteAddr().String()
	}
	conf := &tls.Config{
		MinVersion:             tls.VersionTLS13,
		GetCertificate:         c.certs.get,
		SessionTicketsDisabled: true,
	}
	switch {
	case slices.Contains(hello.SupportedProtos, wire.ALPN):
		conf.NextProtos = []string{wire.ALPN}
		conf.GetCertificate = c.certs.getLeaf
		conf.ClientAuth = tls.RequestClientCert // verified below, always: see the package doc
		conf.ClientCAs = c.ca.Pool()            // the hint that makes agents send their certificate
		conf.VerifyConnection = func(cs tls.ConnectionState) error {
			return c.verifyAgent(hello.Context(), cs, remote)
		}
	case slices.Contains(hello.SupportedProtos, wire.ALPNEnrol):
		conf.NextProtos = []string{wire.ALPNEnrol}
		conf.ClientAuth = tls.NoClientCert
	default:
		c.log.Warn("REJECT handshake: no ceplus protocol offered", "remote", remote, "alpn", hello.SupportedProtos)
		return nil, fmt.Errorf("no supported application protocol (want %s or %s)", wire.ALPN, wire.ALPNEnrol)
	}
	return conf, nil
}

// verifyAgent admits an agent certificate only when it chains to the CA for client auth, is
// valid now, and belongs to an enrolled, unrevoked agent. Every refusal is logged.
func (c *Collector) verifyAgent(ctx context.Context, cs tls.ConnectionState, remote string) error {
	reject := func(reason string, args ...any) error {
		c.log.Warn("REJECT agent handshake: "+reason, append([]any{"remote", remote}, args...)...)
		return errors.New(reason)
	}
	if len(cs.PeerCertificates) == 0 {
		return reject("no client certificate (enrol the agent first: ceplus-agent enrol)")
	}
	leaf := cs.PeerCertificates[0]
	if _, err := c.ca.VerifyAgent(leaf.Raw, c.now()); err != nil {
		return reject("client certificate not valid for this collector", "subject", leaf.Subject.String(), "issuer", leaf.Issuer.String(), "err", err)
	}
	id := identity.AgentIDFromCert(leaf.Raw)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	revoked, err := c.store.IsRevoked(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return reject("agent unknown to this collector's store", "agent", id)
	case err != nil:
		c.log.Error("check agent revocation; refusing the handshake", "agent", id, "err", err)
		return fmt.Errorf("collector cannot check revocation now")
	case revoked:
		return reject("agent revoked", "agent", id, "hostname", leaf.Subject.CommonName)
	}
	return nil
}
