// Package enrol holds an agent's identity and obtains it: Enrol generates an ECDSA P-256 key on
// the endpoint (it never leaves it; file mode 0600), sends a certificate request with the
// enrolment token to the collector over QUIC (ALPN ceplus-enrol/1), and accepts the collector
// only if its CA's SHA-256 equals the pinned fingerprint, checked inside the TLS handshake
// before the token is sent. Nothing is stored unless enrolment succeeds. Renew replaces the
// certificate over an authenticated connection before it expires.
//
// The state directory holds agent.key, agent.crt, ca.crt and collector (the address), plus
// renewed-from after a renewal.
package enrol
