package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// collectorTLS is a client configuration that trusts the collector's CA, offers ALPN ceplus/1
// and presents cert (none when nil).
func collectorTLS(t *testing.T, c *collector, cert *tls.Certificate) *tls.Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.data, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatal("ca.crt holds no certificate")
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS13, NextProtos: []string{wire.ALPN}, ServerName: wire.ServerName, RootCAs: pool}
	if cert != nil {
		conf.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil } // sent even if the CA hint differs
	}
	return conf
}

// foreignCert returns a client certificate from a CA the collector never saw.
func foreignCert(t *testing.T) *tls.Certificate {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rogue CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "rogue agent"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// hello dials the collector and exchanges Hello and Welcome; it returns the first error.
func hello(ctx context.Context, c *collector, conf *tls.Config) (*quic.Conn, error) {
	conn, err := quic.DialAddr(ctx, c.agents, conf, wire.QUICConfig(8))
	if err != nil {
		return nil, err
	}
	str, err := conn.OpenStreamSync(ctx)
	if err == nil {
		err = wire.WriteFrame(str, &wire.Hello{ProtocolVersion: wire.ProtocolVersion, AgentVersion: "test", AgentTime: time.Now(), Hostname: "hostile"})
	}
	var m wire.Message
	if err == nil {
		m, err = wire.ReadFrame(str, wire.DefaultMaxFrame)
	}
	if err == nil {
		if _, ok := m.(*wire.Welcome); !ok {
			err = errors.New("no welcome")
		}
	}
	if err != nil {
		conn.CloseWithError(0, "")
		return nil, err
	}
	return conn, nil
}

func TestClientsWithoutAValidCertificateAreRefused(t *testing.T) {
	c := newCollector(t)
	tests := []struct {
		name string
		cert *tls.Certificate
		log  string
	}{
		{name: "certificate from another CA", cert: foreignCert(t), log: "REJECT agent handshake: client certificate not valid for this collector"},
		{name: "no certificate", log: "REJECT agent handshake: no client certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			conn, err := hello(ctx, c, collectorTLS(t, c, tc.cert))
			if err == nil {
				conn.CloseWithError(0, "")
				t.Fatal("the collector welcomed a client without a valid certificate")
			}
			var te *quic.TransportError
			if !errors.As(err, &te) || !te.Remote || !strings.Contains(err.Error(), "bad certificate") {
				t.Errorf("error %v: want the collector's TLS refusal (bad certificate)", err)
			}
			waitFor(t, "the collector to log the refusal", 10*time.Second, func() bool { return strings.Contains(c.p.Output(), tc.log) })
		})
	}
	if rows := c.list(); len(rows) != 0 {
		t.Errorf("refused clients left %d agents in the store", len(rows))
	}
}

func TestHostileFramesResetTheStreamOnly(t *testing.T) {
	c := newCollector(t)
	a := c.enrol("pc-hostile")
	cert, err := tls.LoadX509KeyPair(filepath.Join(a.state, "agent.crt"), filepath.Join(a.state, "agent.key"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := hello(ctx, c, collectorTLS(t, c, &cert))
	if err != nil {
		t.Fatalf("enrolled client not welcomed: %v", err)
	}
	defer conn.CloseWithError(0, "")

	good := recordedUpload(t, 20, "")
	bomb, err := wire.Compress(wire.CodecGzip, make([]byte, 80<<20)) // 80 MB of zeros: beyond the 64 MB limit
	if err != nil {
		t.Fatal(err)
	}
	bombUp := *good
	bombUp.ID, bombUp.Body, bombUp.RawSize = wire.NewUploadID(), bomb, 1000
	lying := *good
	lying.ID, lying.ContentHash = wire.NewUploadID(), strings.Repeat("0", 64)

	header := func(version byte, n uint32) []byte {
		h := []byte{version, 0, 0, 0, 0}
		binary.BigEndian.PutUint32(h[1:], n)
		return h
	}
	tests := []struct {
		name  string
		raw   []byte       // written as is, or
		up    *wire.Upload // sent as chunks
		reset wire.Code    // the stream reset expected, or
		error wire.Code    // the Error frame expected
	}{
		{name: "oversized frame", raw: header(1, 1<<30), reset: wire.CodeFrameTooLarge},
		{name: "garbage frame", raw: append(header(1, 64), []byte(strings.Repeat("\xff\x01garbage", 8))...), reset: wire.CodeProtocol},
		{name: "unknown frame version", raw: append(header(9, 3), 1, 2, 3), reset: wire.CodeUnsupportedVersion},
		{name: "wrong first message", raw: mustFrame(t, &wire.Welcome{ServerTime: time.Now()}), reset: wire.CodeProtocol},
		{name: "decompression bomb", up: &bombUp, error: wire.CodeInventoryTooLarge},
		{name: "content hash that lies", up: &lying, error: wire.CodeBadInventory},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			str, err := conn.OpenStreamSync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.raw != nil {
				_, err = str.Write(tc.raw)
			} else {
				for _, ch := range tc.up.Chunks(wire.DefaultLimits.MaxChunkData) {
					if err = wire.WriteFrame(str, &ch); err != nil {
						break
					}
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			_ = str.Close()
			m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
			var se *quic.StreamError
			switch {
			case tc.reset != 0:
				if !errors.As(err, &se) || !se.Remote || wire.Code(se.ErrorCode) != tc.reset {
					t.Fatalf("answer %v, %v: want the stream reset with %s", m, err, tc.reset)
				}
			default:
				e, ok := m.(*wire.Error)
				if err != nil || !ok || e.Code != tc.error {
					t.Fatalf("answer %#v, %v: want an Error frame with %s", m, err, tc.error)
				}
			}
		})
	}
	// the connection survived, and a valid upload still goes through
	str, err := conn.OpenStreamSync(ctx)
	if err != nil {
		t.Fatalf("connection did not survive the hostile frames: %v", err)
	}
	for _, ch := range good.Chunks(0) {
		if err := wire.WriteFrame(str, &ch); err != nil {
			t.Fatal(err)
		}
	}
	_ = str.Close()
	m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
	if ack, ok := m.(*wire.Ack); err != nil || !ok || ack.UploadID != good.ID {
		t.Fatalf("valid upload after the hostile ones: %#v, %v; want its Ack", m, err)
	}
	if r := c.row(a.id); r.ContentHash != good.ContentHash || r.Packages != 20 {
		t.Errorf("store shows %+v; want only the valid upload (%s, 20 packages)", r, good.ContentHash)
	}
}

func mustFrame(t *testing.T, m wire.Message) []byte {
	t.Helper()
	b, err := wire.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recordedUpload returns a valid gzip upload of an n-package inventory.
func recordedUpload(t *testing.T, n int, requestID string) *wire.Upload {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inv.json")
	hash := writeInventory(t, path, "pc-hostile", n, 7)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal(raw, &inv); err != nil {
		t.Fatal(err)
	}
	body, err := wire.Compress(wire.CodecGzip, raw)
	if err != nil {
		t.Fatal(err)
	}
	return &wire.Upload{ID: wire.NewUploadID(), ContentHash: hash, Codec: wire.CodecGzip, RawSize: int64(len(raw)),
		CollectedAt: time.Now(), RequestID: requestID, Body: body}
}
