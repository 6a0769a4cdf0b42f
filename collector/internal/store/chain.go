package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// EventHashVersion is the domain-separation label that opens every event hash input.
const EventHashVersion = "ceplus-event-v1"

// EventHash returns the hex SHA-256 that chains an event to its predecessor. The input is the
// concatenation of seven netstrings (decimal byte length, ':', the bytes, ','):
//
//	EventHashVersion, stream, seq in decimal, kind, at, payload, prevHash
//
// where at is the event time in UTC truncated to the microsecond and formatted with
// time.RFC3339Nano (for example "2026-03-01T09:30:00.000123Z", trailing zeros dropped),
// payload is the JSON bytes exactly as stored, and prevHash is the previous event's hash in
// lower-case hex ("" for seq 1). Netstrings make the encoding unambiguous whatever the fields
// contain. docs/store.md repeats this with a test vector.
func EventHash(stream string, seq int64, kind string, at time.Time, payload []byte, prevHash string) string {
	var b bytes.Buffer
	ns := func(s []byte) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.Write(s)
		b.WriteByte(',')
	}
	ns([]byte(EventHashVersion))
	ns([]byte(stream))
	ns([]byte(strconv.FormatInt(seq, 10)))
	ns([]byte(kind))
	ns([]byte(Instant(at).Format(time.RFC3339Nano)))
	ns(payload)
	ns([]byte(prevHash))
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}

// NextEvent returns the event that follows prev (nil for a new stream) in stream, with its seq,
// prev_hash and hash filled in. Implementations call it inside their append transaction.
func NextEvent(stream string, prev *Event, kind string, at time.Time, payload []byte) Event {
	e := Event{Stream: stream, Seq: 1, Kind: kind, At: Instant(at), Payload: payload}
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Hash = EventHash(e.Stream, e.Seq, e.Kind, e.At, e.Payload, e.PrevHash)
	return e
}

// VerifyEvents checks that events, as read back in seq order, form the unbroken chain of
// stream: seqs 1, 2, 3…, each prev_hash equal to the previous hash and each hash equal to
// EventHash of the event. It returns a *ChainError for the first event that fails, or nil.
// It checks what is there: an event removed from the end of a stream cannot be noticed.
func VerifyEvents(stream string, events []Event) error {
	prevHash := ""
	for i, e := range events {
		want := int64(i + 1)
		switch {
		case e.Stream != stream:
			return &ChainError{Stream: stream, Seq: want, Reason: fmt.Sprintf("event belongs to stream %q", e.Stream)}
		case e.Seq != want:
			return &ChainError{Stream: stream, Seq: want, Reason: fmt.Sprintf("missing: the next stored event is seq %d", e.Seq)}
		case e.PrevHash != prevHash:
			return &ChainError{Stream: stream, Seq: want, Reason: fmt.Sprintf("prev_hash %q does not match the hash %q of seq %d", e.PrevHash, prevHash, want-1)}
		}
		if h := EventHash(e.Stream, e.Seq, e.Kind, e.At, e.Payload, e.PrevHash); h != e.Hash {
			return &ChainError{Stream: stream, Seq: want, Reason: fmt.Sprintf("stored hash %q does not match its content (hash %q)", e.Hash, h)}
		}
		prevHash = e.Hash
	}
	return nil
}
