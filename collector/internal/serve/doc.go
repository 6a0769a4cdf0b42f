// Package serve runs the collector: it loads or creates the CA (writing its fingerprint to
// DATA/ca.sha256), listens for agents over QUIC with mutual TLS and for the HTTP API, enrols
// agents with tokens, hands authenticated connections to ingest, and closes the connections of
// revoked agents.
//
// TLS: one QUIC listener serves two ALPN protocols, chosen per ClientHello in
// GetConfigForClient. wire.ALPN (enrolled agents) always requires a client certificate, which
// VerifyConnection checks itself: chain to the collector's CA with client-auth usage, validity,
// and that the agent is enrolled here and not revoked. The check runs in VerifyConnection rather
// than through tls.RequireAndVerifyClientCert because crypto/tls and quic-go report a failed
// chain check nowhere on the server; here every refusal is logged. wire.ALPNEnrol (enrolment)
// takes no certificate and can do nothing but exchange a token and a CSR for a certificate.
// Session tickets are off, so every connection makes a full handshake with its certificate, and
// 0-RTT is off.
package serve
