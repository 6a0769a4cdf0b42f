package store

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/ceplus/ceplus/shared/identity"
)

// Encodings of a stored inventory document.
const (
	EncodingJSON = "json"      // the inventory JSON as is
	EncodingGzip = "json+gzip" // the inventory JSON, gzip-compressed
)

// Upload is one inventory upload from an agent, as the ingest acknowledges it.
type Upload struct {
	AgentID identity.AgentID
	// UploadID is the agent's own id for the upload; a retry carries the same id.
	UploadID string
	// CollectedAt is when the agent collected the inventory; "latest" means latest collected.
	CollectedAt time.Time
	// Hostname is the device's hostname in this upload (documents are shared by hosts with
	// equal content, so per-host facts belong to the upload).
	Hostname string
	// Meta is optional JSON with the other per-upload facts that the content hash leaves out
	// (machine id, source statuses…); nil for none.
	Meta json.RawMessage
	Document
}

// Document is an inventory document, stored once per content hash.
type Document struct {
	// ContentHash is inventory.(*Inventory).ContentHash, hex: the document's key.
	ContentHash string
	// Encoding is EncodingJSON or EncodingGzip; "" means EncodingJSON.
	Encoding string
	Body     []byte
	// Packages is the number of installed packages and Build the CE+ build key, kept beside
	// the body so that listings need not decode it.
	Packages int
	Build    string
}

// JSON returns the document's inventory JSON, decompressing it when needed.
func (d Document) JSON() ([]byte, error) {
	switch d.Encoding {
	case EncodingJSON, "":
		return d.Body, nil
	case EncodingGzip:
		zr, err := gzip.NewReader(bytes.NewReader(d.Body))
		if err != nil {
			return nil, fmt.Errorf("inventory %s: gunzip: %w", d.ContentHash, err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("inventory %s: gunzip: %w", d.ContentHash, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("inventory %s: unknown encoding %q: %w", d.ContentHash, d.Encoding, ErrInvalid)
}

// UploadSummary describes one stored upload without its document.
type UploadSummary struct {
	UploadID    string
	ContentHash string
	Packages    int
	Build       string
	Hostname    string
	CollectedAt time.Time
	ReceivedAt  time.Time
	Meta        json.RawMessage
}

// Validate checks an upload received at `at` before it is stored and returns the form to store.
func (u Upload) Validate(at time.Time) (Upload, error) {
	switch {
	case at.IsZero():
		return u, fmt.Errorf("upload %q: receive time is zero: the caller passes it: %w", u.UploadID, ErrInvalid)
	case u.AgentID.IsZero():
		return u, fmt.Errorf("upload %q: agent id is zero: %w", u.UploadID, ErrInvalid)
	case u.UploadID == "":
		return u, fmt.Errorf("upload from agent %s: upload id is empty: %w", u.AgentID, ErrInvalid)
	case len(u.ContentHash) != 64:
		return u, fmt.Errorf("upload %q: content hash %q: want 64 hex characters: %w", u.UploadID, u.ContentHash, ErrInvalid)
	case len(u.Body) == 0:
		return u, fmt.Errorf("upload %q: empty inventory document: %w", u.UploadID, ErrInvalid)
	case u.CollectedAt.IsZero():
		return u, fmt.Errorf("upload %q: collected_at is zero: want the time the agent collected the inventory: %w", u.UploadID, ErrInvalid)
	case u.Meta != nil && !json.Valid(u.Meta):
		return u, fmt.Errorf("upload %q: meta is not valid JSON: %w", u.UploadID, ErrInvalid)
	}
	switch u.Encoding {
	case "":
		u.Encoding = EncodingJSON
	case EncodingJSON, EncodingGzip:
	default:
		return u, fmt.Errorf("upload %q: encoding %q: want %q or %q: %w", u.UploadID, u.Encoding, EncodingJSON, EncodingGzip, ErrInvalid)
	}
	u.CollectedAt = Instant(u.CollectedAt)
	return u, nil
}
