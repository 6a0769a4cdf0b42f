package enrol

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// Request is what Enrol needs.
type Request struct {
	StateDir  string
	Collector string // HOST:PORT of the collector's QUIC listener
	Token     string
	// CAPin is the collector CA's SHA-256 fingerprint, in any form NormalizeFingerprint takes.
	CAPin        string
	Hostname     string
	AgentVersion string
	// Force replaces an existing enrolment in StateDir.
	Force bool
}

// ErrPinMismatch: the collector's CA is not the pinned one. Nothing was sent.
var ErrPinMismatch = errors.New("collector CA does not match the pinned fingerprint")

// ErrAlreadyEnrolled: the state directory already holds an agent certificate.
var ErrAlreadyEnrolled = errors.New("agent already enrolled")

// Enrol enrols the agent with the collector and stores its identity in req.StateDir.
func Enrol(ctx context.Context, req Request) (*Identity, error) {
	if _, err := os.Stat(filepath.Join(req.StateDir, CertFile)); err == nil && !req.Force {
		return nil, fmt.Errorf("state directory %s: %w; pass --force to enrol again (the old identity is replaced)", req.StateDir, ErrAlreadyEnrolled)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("state directory %s: %w", req.StateDir, err)
	}
	cred, err := Issue(ctx, req, quic.DialAddr)
	if err != nil {
		return nil, err
	}
	if err := save(req.StateDir, cred.Key, cred.Cert, cred.CA, req.Collector, ""); err != nil {
		return nil, err
	}
	return Load(req.StateDir)
}

// Dialer opens a QUIC connection (quic.DialAddr, or a quic.Transport's Dial).
type Dialer func(ctx context.Context, addr string, tlsConf *tls.Config, conf *quic.Config) (*quic.Conn, error)

// Credentials are what an enrolment yields: the agent's key, its certificate and the CA.
type Credentials struct {
	Key  *ecdsa.PrivateKey
	Cert []byte
	CA   []byte
}

// Issue runs the enrolment exchange and returns the credentials without storing anything; the
// load generator uses it for many agents in one process. StateDir and Force are ignored.
func Issue(ctx context.Context, req Request, dial Dialer) (*Credentials, error) {
	pin, err := identity.NormalizeFingerprint(req.CAPin)
	if err != nil {
		return nil, err
	}
	if req.Token == "" {
		return nil, errors.New("the enrolment token is empty: pass the token printed by 'ceplus-collector token create'")
	}
	key, csr, err := newKeyAndCSR(req.Hostname)
	if err != nil {
		return nil, err
	}
	var pinErr error
	conf := &tls.Config{
		MinVersion: tls.VersionTLS13,
		NextProtos: []string{wire.ALPNEnrol},
		ServerName: wire.ServerName,
		// The chain is verified below against the pinned CA only: no system roots, no trust on
		// first use.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			pinErr = verifyPinned(cs, pin)
			return pinErr
		},
	}
	conn, err := dial(ctx, req.Collector, conf, wire.QUICConfig(1))
	if pinErr != nil {
		return nil, pinErr
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the collector at %s: %s", req.Collector, wire.Explain(err))
	}
	defer conn.CloseWithError(0, "")
	m, err := exchange(ctx, conn, &wire.EnrolRequest{Token: req.Token, CSR: csr, Hostname: req.Hostname, AgentVersion: req.AgentVersion})
	var refused *wire.Error
	if errors.As(err, &refused) {
		return nil, fmt.Errorf("the collector refused the enrolment: %w", err)
	}
	if err != nil {
		return nil, err
	}
	resp, err := checkIssued(m, key, pin)
	if err != nil {
		return nil, err
	}
	return &Credentials{Key: key, Cert: resp.Cert, CA: resp.CA}, nil
}

// TLSCertificate returns the credentials as a client certificate.
func (c *Credentials) TLSCertificate() tls.Certificate {
	leaf, _ := x509.ParseCertificate(c.Cert) // checked by Issue
	return tls.Certificate{Certificate: [][]byte{c.Cert}, PrivateKey: c.Key, Leaf: leaf}
}

// exchange sends one request on a new stream and reads the answer; an Error answer is returned
// as a *wire.Error.
func exchange(ctx context.Context, conn *quic.Conn, req wire.Message) (wire.Message, error) {
	str, err := conn.OpenStreamSync(ctx)
	if err != nil {
		return nil, fmt.Errorf("open a stream to the collector: %s", wire.Explain(err))
	}
	stop := context.AfterFunc(ctx, func() { str.CancelRead(wire.CodeCancelled.Stream()) })
	defer stop()
	if err := wire.WriteFrame(str, req); err != nil {
		return nil, fmt.Errorf("send %T: %s", req, wire.Explain(err))
	}
	if err := str.Close(); err != nil {
		return nil, fmt.Errorf("send %T: %w", req, err)
	}
	m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
	if err != nil {
		return nil, fmt.Errorf("read the collector's answer: %s", wire.Explain(err))
	}
	if e, ok := m.(*wire.Error); ok {
		return nil, e
	}
	return m, nil
}

// verifyPinned accepts the collector only if it presents the pinned CA and a server
// certificate for wire.ServerName that this CA issued.
func verifyPinned(cs tls.ConnectionState, pin string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the collector presented no certificate")
	}
	var ca *x509.Certificate
	var seen []string
	for _, c := range cs.PeerCertificates[1:] {
		fp := identity.Fingerprint(c.Raw)
		if fp == pin {
			ca = c
		}
		seen = append(seen, fp)
	}
	if ca == nil {
		return fmt.Errorf("%w: the collector presented CA %v, --ca-sha256 pins %s; check the fingerprint printed by 'ceplus-collector serve' (DATA/ca.sha256): nothing was sent", ErrPinMismatch, seen, pin)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, DNSName: wire.ServerName, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		return fmt.Errorf("%w: the server certificate was not issued by the pinned CA: %v", ErrPinMismatch, err)
	}
	return nil
}

// checkIssued checks that the enrolment response carries a client certificate for our key,
// issued by the pinned CA.
func checkIssued(m wire.Message, key *ecdsa.PrivateKey, pin string) (*wire.EnrolResponse, error) {
	resp, ok := m.(*wire.EnrolResponse)
	if !ok {
		return nil, fmt.Errorf("the collector answered the enrolment with %T", m)
	}
	if identity.Fingerprint(resp.CA) != pin {
		return nil, fmt.Errorf("%w: the enrolment answer names another CA", ErrPinMismatch)
	}
	return resp, checkCert(resp.Cert, resp.CA, key)
}

func checkCert(certDER, caDER []byte, key *ecdsa.PrivateKey) error {
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return fmt.Errorf("the collector sent an unreadable certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return fmt.Errorf("the collector sent an unreadable CA certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return errors.New("the collector issued a certificate for another key")
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("the issued certificate does not verify against the CA: %w", err)
	}
	return nil
}

// newKeyAndCSR generates the agent's key and a certificate request for it.
func newKeyAndCSR(hostname string) (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate the agent key: %w", err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: hostname}}, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create the certificate request: %w", err)
	}
	return key, csr, nil
}

// Renew obtains a certificate for a new key over the agent's authenticated connection and
// stores it; the caller reconnects with the returned identity.
func Renew(ctx context.Context, conn *quic.Conn, id *Identity) (*Identity, error) {
	key, csr, err := newKeyAndCSR(id.Leaf.Subject.CommonName)
	if err != nil {
		return nil, err
	}
	m, err := exchange(ctx, conn, &wire.RenewRequest{CSR: csr})
	if err != nil {
		return nil, fmt.Errorf("renew certificate: %w", err)
	}
	resp, ok := m.(*wire.RenewResponse)
	if !ok {
		return nil, fmt.Errorf("renew certificate: the collector answered with %T", m)
	}
	if err := checkCert(resp.Cert, id.CA.Raw, key); err != nil {
		return nil, fmt.Errorf("renew certificate: %w", err)
	}
	if err := save(id.Dir, key, resp.Cert, id.CA.Raw, id.Collector, id.ID.String()); err != nil {
		return nil, err
	}
	return Load(id.Dir)
}
