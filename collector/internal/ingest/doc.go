// Package ingest serves an authenticated agent connection on the collector: it answers the
// agent's Hello with a Welcome, assembles inventory uploads within the limits, commits them to
// the store and acknowledges each only after the durable commit, renews certificates, and sends
// commands such as "scan now" to connected agents. It keeps the registry of live connections,
// so that a revocation closes an agent's connection at once.
//
// Nothing reaches this package before the TLS handshake, and its VerifyConnection check of the
// client certificate and of revocation, has completed: Serve takes the AgentID that the
// handshake proved.
package ingest
