package store

import (
	"encoding/json"
	"time"
)

// Event is one entry of an append-only stream.
type Event struct {
	Stream string
	// Seq numbers the stream's events 1, 2, 3… without gaps.
	Seq  int64
	Kind string
	At   time.Time
	// Payload is the event's JSON, byte for byte as appended.
	Payload json.RawMessage
	// PrevHash is the Hash of event Seq-1 ("" for Seq 1); Hash is EventHash of this event.
	PrevHash string
	Hash     string
}

// Header is the header row of an assessment or a register record: what identifies it and its
// settings. What happens to it is recorded in the event stream with the same ID.
type Header struct {
	ID   string
	Kind string // KindAssessment or KindRegisterRecord
	// Title names it for people; Organisation is the applicant or vendor.
	Title        string
	Organisation string
	CreatedAt    time.Time
	// Settings is JSON fixed at creation (time zone, policy, pinned snapshot…); nil for none.
	Settings json.RawMessage
}

// Header kinds.
const (
	KindAssessment     = "assessment"
	KindRegisterRecord = "register_record"
)
