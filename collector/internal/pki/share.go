package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// New creates a CA valid for 10 years from now and stores it nowhere (collectors sharing a
// PostgreSQL store keep it in the store's meta table; see serve).
func New(now time.Time) (*CA, error) { return newCA(now) }

// MarshalPEM returns the CA as one PEM document: its certificate, then its PKCS #8 key.
func (ca *CA) MarshalPEM() ([]byte, error) {
	keyDER, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		return nil, fmt.Errorf("encode CA key: %w", err)
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
	return append(b, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...), nil
}

// ParsePEM reads a CA written by MarshalPEM and checks that the key is the certificate's.
func ParsePEM(b []byte) (*CA, error) {
	var cert *x509.Certificate
	var key crypto.Signer
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			break
		}
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("CA certificate: %w", err)
			}
			cert = c
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("CA key: %w", err)
			}
			s, ok := k.(crypto.Signer)
			if !ok {
				return nil, fmt.Errorf("CA key type %T cannot sign", k)
			}
			key = s
		}
	}
	if cert == nil || key == nil {
		return nil, errors.New("CA PEM: want a CERTIFICATE and a PRIVATE KEY block")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, errors.New("CA PEM: the key does not belong to the certificate")
	}
	return newFromParts(cert, key), nil
}
