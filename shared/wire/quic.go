package wire

import (
	"time"

	"github.com/quic-go/quic-go"
)

// Transport timing shared by agents and collectors. The idle timeout stays well above quic-go's
// 5-second floor for a peer's value (below it the two sides disagree about when a connection
// died), and agents send keep-alives well inside it.
const (
	IdleTimeout      = 60 * time.Second
	KeepAlivePeriod  = 20 * time.Second
	HandshakeTimeout = 10 * time.Second
)

// QUICConfig returns the QUIC settings of one side: maxStreams is how many concurrent
// bidirectional streams the peer may open. Unidirectional streams and 0-RTT are off: nothing
// is ever acted on before the handshake, and the client certificate, has completed.
func QUICConfig(maxStreams int64) *quic.Config {
	return &quic.Config{
		HandshakeIdleTimeout:  HandshakeTimeout,
		MaxIdleTimeout:        IdleTimeout,
		KeepAlivePeriod:       KeepAlivePeriod,
		MaxIncomingStreams:    maxStreams,
		MaxIncomingUniStreams: -1,
		Allow0RTT:             false,
	}
}
