package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	wirev1 "github.com/ceplus/ceplus/shared/wire/proto/ceplus/wire/v1"
	"google.golang.org/protobuf/proto"
)

// Frame header: one byte of format version, then the payload length as a big-endian uint32.
const (
	FrameVersion = 1
	HeaderSize   = 5
)

// DefaultMaxFrame is the largest frame payload either side accepts unless configured otherwise.
const DefaultMaxFrame = 1 << 20

// Marshal returns m as a complete frame, header included.
func Marshal(m Message) ([]byte, error) {
	f, err := toWire(m)
	if err != nil {
		return nil, err
	}
	size := proto.Size(f)
	if size > DefaultMaxFrame {
		return nil, protoErr(CodeFrameTooLarge, "%T frame of %d bytes exceeds %d", m, size, DefaultMaxFrame)
	}
	b := make([]byte, HeaderSize, HeaderSize+size)
	b[0] = FrameVersion
	binary.BigEndian.PutUint32(b[1:], uint32(size))
	return proto.MarshalOptions{}.MarshalAppend(b, f)
}

// WriteFrame writes m as one frame to w.
func WriteFrame(w io.Writer, m Message) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write %T frame: %w", m, err)
	}
	return nil
}

// ReadFrame reads one frame of at most maxFrame payload bytes from r. It returns io.EOF when r
// ends cleanly between frames, and a *ProtocolError for a frame that breaks the format or a
// limit; the length is checked before the payload is read or allocated.
func ReadFrame(r io.Reader, maxFrame int) (Message, error) {
	var h [HeaderSize]byte
	if _, err := io.ReadFull(r, h[:1]); err != nil {
		return nil, err // io.EOF between frames, or the stream's own error
	}
	if _, err := io.ReadFull(r, h[1:]); err != nil {
		return nil, truncated(err)
	}
	n, err := checkHeader(h[:], maxFrame)
	if err != nil {
		return nil, err
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, truncated(err)
	}
	return decodePayload(payload)
}

// DecodeFrame decodes the frame at the start of b and returns the message and the number of
// bytes it took. A b that holds only part of a frame yields io.ErrUnexpectedEOF.
func DecodeFrame(b []byte, maxFrame int) (Message, int, error) {
	if len(b) < HeaderSize {
		return nil, 0, io.ErrUnexpectedEOF
	}
	n, err := checkHeader(b[:HeaderSize], maxFrame)
	if err != nil {
		return nil, 0, err
	}
	if len(b)-HeaderSize < n {
		return nil, 0, io.ErrUnexpectedEOF
	}
	m, err := decodePayload(b[HeaderSize : HeaderSize+n])
	if err != nil {
		return nil, 0, err
	}
	return m, HeaderSize + n, nil
}

func checkHeader(h []byte, maxFrame int) (int, error) {
	if h[0] != FrameVersion {
		return 0, protoErr(CodeUnsupportedVersion, "frame format version %d, want %d", h[0], FrameVersion)
	}
	n := binary.BigEndian.Uint32(h[1:])
	switch {
	case n == 0:
		return 0, protoErr(CodeProtocol, "empty frame")
	case uint64(n) > uint64(max(maxFrame, 0)):
		return 0, protoErr(CodeFrameTooLarge, "frame of %d bytes exceeds the limit of %d", n, maxFrame)
	}
	return int(n), nil
}

func decodePayload(p []byte) (Message, error) {
	var f wirev1.Frame
	if err := proto.Unmarshal(p, &f); err != nil {
		return nil, protoErr(CodeProtocol, "undecodable frame: %v", err)
	}
	return fromWire(&f)
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return protoErr(CodeProtocol, "stream ended inside a frame")
	}
	return err
}
