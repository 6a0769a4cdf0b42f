package wire

import (
	"encoding/hex"
	"fmt"
	"time"
)

// ALPN names of the two QUIC protocols a collector serves.
const (
	// ALPN is the protocol of enrolled agents; it always requires a client certificate.
	ALPN = "ceplus/1"
	// ALPNEnrol is the enrolment protocol, the only one a client without a certificate may use.
	ALPNEnrol = "ceplus-enrol/1"
)

// ServerName is the name in every collector's server certificate; agents connect by address
// and verify this name against their pinned CA.
const ServerName = "ceplus-collector"

// ProtocolVersion is the version of the message set that Hello and Welcome announce.
const ProtocolVersion = 1

// Message is one of the message types of this package.
type Message interface{ isMessage() }

// Hello opens an agent's control stream.
type Hello struct {
	ProtocolVersion uint32
	AgentVersion    string
	Capabilities    []string
	AgentTime       time.Time
	Hostname        string
	// RenewedFrom is the agent's previous ID when its certificate was renewed, "" otherwise.
	RenewedFrom string
}

// Welcome answers Hello; an agent is connected only once it has one.
type Welcome struct {
	ProtocolVersion  uint32
	CollectorVersion string
	ServerTime       time.Time
	Policy           Policy
	AgentID          string
}

// Policy is the collector's upload policy, announced in Welcome.
type Policy struct {
	MaxChunkBytes     int
	MaxInventoryBytes int64
	MaxChunks         int
	Codecs            []Codec
	HeartbeatInterval time.Duration
}

// Codec is the compression of an inventory document on the wire.
type Codec int

// Codecs.
const (
	CodecGzip Codec = 1
	CodecZstd Codec = 2
)

func (c Codec) String() string {
	switch c {
	case CodecGzip:
		return "gzip"
	case CodecZstd:
		return "zstd"
	}
	return fmt.Sprintf("codec(%d)", int(c))
}

// Valid reports whether c is a known codec.
func (c Codec) Valid() bool { return c == CodecGzip || c == CodecZstd }

// UploadID is the agent's random id for one upload; a retry carries the same id.
type UploadID [16]byte

// String returns the hex form.
func (id UploadID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero value.
func (id UploadID) IsZero() bool { return id == UploadID{} }

// ParseUploadID parses the 32-character hex form.
func ParseUploadID(s string) (UploadID, error) {
	var id UploadID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("upload id %q: want 32 hexadecimal characters", s)
	}
	copy(id[:], b)
	return id, nil
}

// UploadChunk is one piece of an upload. Chunk 0 carries the description of the whole upload
// (content hash, codec, raw size, collection time, request id); the later ones repeat only the
// upload id, index and total.
type UploadChunk struct {
	UploadID    UploadID
	Index       int
	Total       int
	Data        []byte
	ContentHash string
	Codec       Codec
	RawSize     int64
	CollectedAt time.Time
	RequestID   string
	// Reference is true for an upload without a document: "the same content as ContentHash,
	// collected again at CollectedAt". Total is then 0.
	Reference bool
	// Payload is what the document is (set on chunk 0): an inventory unless told otherwise.
	Payload PayloadKind
}

// Ack confirms that an upload is durably committed.
type Ack struct {
	UploadID    UploadID
	Duplicate   bool
	ContentHash string
	// NeedBody answers a reference upload whose content the collector does not hold.
	NeedBody bool
	// Link answers an agent that announced CapabilityOnce: the scope entry of its assessment
	// the upload now reports for, or why it could not be linked; nil otherwise.
	Link *ScopeLink
}

// CapabilityOnce is announced in Hello by `ceplus-agent once`: the agent uploads one
// inventory, waits for the Ack and removes itself, so the collector links the upload to its
// assessment's scope entry before acknowledging it and says how in Ack.Link.
const CapabilityOnce = "once"

// ScopeLink says which scope entry of an assessment an upload was linked to.
type ScopeLink struct {
	Assessment string
	// Device is the scope entry's id, "" when the upload could not be linked.
	Device string
	// By is how the entry was found: scope_entry (the token's), machine_id or hostname.
	By string
	// Problem says why there is no link and what the assessor should do; "" when linked.
	Problem string
}

// CommandKind names what the collector asks of an agent.
type CommandKind int

// Command kinds.
const (
	ScanNow CommandKind = 1
	Cancel  CommandKind = 2
)

func (k CommandKind) String() string {
	switch k {
	case ScanNow:
		return "scan_now"
	case Cancel:
		return "cancel"
	case Discover:
		return "discover"
	}
	return fmt.Sprintf("command(%d)", int(k))
}

// Command is sent by the collector on a stream it opens.
type Command struct {
	RequestID string
	Kind      CommandKind
	// Discovery is the job of a Discover command, nil otherwise.
	Discovery *DiscoveryJob
}

// CommandResult answers a Command on its stream.
type CommandResult struct {
	RequestID   string
	OK          bool
	Error       string
	UploadID    UploadID
	ContentHash string
}

// Heartbeat keeps the agent's last-seen time and spool figures current.
type Heartbeat struct {
	Time         time.Time
	SpoolItems   int
	SpoolDropped uint64
}

// Error refuses a request. It is also a Go error.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("collector refused: %s", e.Code)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

// EnrolRequest asks the collector to enrol an agent.
type EnrolRequest struct {
	Token        string
	CSR          []byte
	Hostname     string
	AgentVersion string
}

// EnrolResponse carries the agent's certificate and the CA that issued it.
type EnrolResponse struct {
	Cert    []byte
	CA      []byte
	AgentID string
}

// RenewRequest asks for a certificate for a new key on an authenticated connection.
type RenewRequest struct{ CSR []byte }

// RenewResponse carries the renewed certificate.
type RenewResponse struct {
	Cert    []byte
	AgentID string
}

func (*Hello) isMessage()         {}
func (*Welcome) isMessage()       {}
func (*UploadChunk) isMessage()   {}
func (*Ack) isMessage()           {}
func (*Command) isMessage()       {}
func (*CommandResult) isMessage() {}
func (*Heartbeat) isMessage()     {}
func (*Error) isMessage()         {}
func (*EnrolRequest) isMessage()  {}
func (*EnrolResponse) isMessage() {}
func (*RenewRequest) isMessage()  {}
func (*RenewResponse) isMessage() {}
