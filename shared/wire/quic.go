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

// Receive windows of the collector. quic-go allocates nothing for a window up front, but a
// peer may fill it: quic-go's defaults (512 KB growing to 6 MB per stream and 15 MB per
// connection) would let 10,000 agents make the collector buffer 150 GB. A 2,000-package
// upload is 30-40 KB compressed, a chunk at most 256 KB; the windows still grow (auto-tuning)
// up to the maxima on a long, fast path.
const (
	collectorStreamWindow    = 128 << 10
	collectorMaxStreamWindow = 1 << 20
	collectorConnWindow      = 256 << 10
	collectorMaxConnWindow   = 2 << 20
)

// CollectorQUICConfig is QUICConfig for the collector's listener, with its smaller receive
// windows.
func CollectorQUICConfig(maxStreams int64) *quic.Config {
	c := QUICConfig(maxStreams)
	c.InitialStreamReceiveWindow, c.MaxStreamReceiveWindow = collectorStreamWindow, collectorMaxStreamWindow
	c.InitialConnectionReceiveWindow, c.MaxConnectionReceiveWindow = collectorConnWindow, collectorMaxConnWindow
	return c
}
