// Package identity holds the identities ceplus peers prove to each other: an agent's ID is the
// SHA-256 of its client certificate, and a collector is pinned by the SHA-256 fingerprint of its
// CA certificate.
package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
)

// AgentID is the SHA-256 of an agent's DER-encoded client certificate. It cannot be chosen by
// the agent: it follows from the certificate the collector's CA issued.
type AgentID [32]byte

// AgentIDFromCert returns the ID of the agent holding the DER certificate der.
func AgentIDFromCert(der []byte) AgentID {
	return AgentID(sha256.Sum256(der))
}

// ParseAgentID parses the 64-character hex form of an ID.
func ParseAgentID(s string) (AgentID, error) {
	var id AgentID
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("agent id %q: want 64 hexadecimal characters (the SHA-256 of the agent certificate)", s)
	}
	copy(id[:], b)
	return id, nil
}

// String returns the lower-case hex form.
func (id AgentID) String() string { return hex.EncodeToString(id[:]) }

// Short returns the first 12 hex characters, for logs and tables.
func (id AgentID) Short() string { return id.String()[:12] }

// IsZero reports whether id is the zero value.
func (id AgentID) IsZero() bool { return id == AgentID{} }

// MarshalText implements encoding.TextMarshaler.
func (id AgentID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *AgentID) UnmarshalText(b []byte) error {
	p, err := ParseAgentID(string(b))
	if err != nil {
		return err
	}
	*id = p
	return nil
}

// LogValue implements slog.LogValuer with the short form.
func (id AgentID) LogValue() slog.Value { return slog.StringValue(id.Short()) }

// Fingerprint returns the lower-case hex SHA-256 of a DER certificate, the form in which an
// agent pins its collector's CA (`--ca-sha256`).
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// NormalizeFingerprint accepts a fingerprint as hex with optional colons or spaces, in any case,
// and returns the lower-case plain hex form, or an error saying what is wrong.
func NormalizeFingerprint(s string) (string, error) {
	r := strings.NewReplacer(":", "", " ", "", "-", "")
	h := strings.ToLower(r.Replace(strings.TrimSpace(s)))
	if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("CA fingerprint %q: want the 64-hex-character SHA-256 printed by 'ceplus-collector serve' (also in DATA/ca.sha256)", s)
	}
	return h, nil
}
