// Package wire is the agent protocol of ceplus: the messages an agent and its collector exchange
// on QUIC streams, their framing and limits, the chunking and compression of inventory uploads,
// and the error codes that refuse a request or reset a stream.
//
// A frame is a 5-byte header (format version 1, then the payload length as a big-endian
// uint32) followed by a protobuf ceplus.wire.v1.Frame holding one message. The generated types
// stay in proto/ceplus/wire/v1; callers use the hand-written types of this package (Hello,
// UploadChunk, Ack…), converted at the wire by toWire and fromWire. Decoding never panics and
// checks every limit before it allocates: a hostile frame yields a *ProtocolError whose Code the
// receiver uses to reset the stream.
//
// Streams: the agent opens a control stream (Hello, then Welcome; it then stays open, and its
// end tells the agent that the collector went away), one stream per upload (UploadChunk…, then
// Ack or Error), per Heartbeat and per certificate renewal; the collector
// opens one stream per Command, answered by a CommandResult. Enrolment uses its own ALPN and a
// single EnrolRequest / EnrolResponse stream.
package wire
