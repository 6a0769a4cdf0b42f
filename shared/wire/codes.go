package wire

import (
	"errors"
	"fmt"

	"github.com/quic-go/quic-go"
)

// Code is an error code, shared by Error frames and by QUIC stream resets and connection
// closes (as quic.StreamErrorCode and quic.ApplicationErrorCode), so that an agent can name
// the reason whichever way it arrives.
type Code uint64

// Error codes; the numbers are those of ceplus.wire.v1.ErrorCode.
const (
	CodeOK                 Code = 0
	CodeProtocol           Code = 1
	CodeFrameTooLarge      Code = 2
	CodeInventoryTooLarge  Code = 3
	CodeTooManyChunks      Code = 4
	CodeBadInventory       Code = 5
	CodeRateLimited        Code = 6
	CodeTokenUnknown       Code = 7
	CodeTokenExpired       Code = 8
	CodeTokenUsed          Code = 9
	CodeTokenRevoked       Code = 10
	CodeBadCSR             Code = 11
	CodeRevoked            Code = 12
	CodeUnsupportedVersion Code = 13
	CodeConflict           Code = 14
	CodeInternal           Code = 15
	CodeShutdown           Code = 16
	CodeCancelled          Code = 17
	CodeSuperseded         Code = 18
)

var codeNames = map[Code]string{
	CodeOK:                 "ok",
	CodeProtocol:           "protocol violation",
	CodeFrameTooLarge:      "frame too large",
	CodeInventoryTooLarge:  "inventory too large",
	CodeTooManyChunks:      "too many chunks",
	CodeBadInventory:       "bad inventory",
	CodeRateLimited:        "rate limited",
	CodeTokenUnknown:       "token unknown",
	CodeTokenExpired:       "token expired",
	CodeTokenUsed:          "token already used",
	CodeTokenRevoked:       "token revoked",
	CodeBadCSR:             "bad certificate request",
	CodeRevoked:            "agent revoked",
	CodeUnsupportedVersion: "unsupported version",
	CodeConflict:           "upload id reused for different content",
	CodeInternal:           "collector internal error",
	CodeShutdown:           "collector shutting down",
	CodeCancelled:          "cancelled",
	CodeSuperseded:         "superseded by a newer connection",
}

func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return fmt.Sprintf("%s, code %d", n, uint64(c))
	}
	return fmt.Sprintf("code %d", uint64(c))
}

// Stream returns c as a QUIC stream error code.
func (c Code) Stream() quic.StreamErrorCode { return quic.StreamErrorCode(c) }

// App returns c as a QUIC application (connection) error code.
func (c Code) App() quic.ApplicationErrorCode { return quic.ApplicationErrorCode(c) }

// ProtocolError is a frame or upload that breaks the protocol or a limit. The receiver resets
// the stream with Code.
type ProtocolError struct {
	Code Code
	Msg  string
}

func (e *ProtocolError) Error() string { return fmt.Sprintf("%s: %s", e.Msg, e.Code) }

func protoErr(c Code, format string, args ...any) *ProtocolError {
	return &ProtocolError{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code carried by err: a *ProtocolError, an *Error, or a QUIC stream or
// application error from the peer. It returns CodeInternal for any other non-nil error.
func CodeOf(err error) Code {
	var pe *ProtocolError
	var we *Error
	var se *quic.StreamError
	var ae *quic.ApplicationError
	switch {
	case err == nil:
		return CodeOK
	case errors.As(err, &pe):
		return pe.Code
	case errors.As(err, &we):
		return we.Code
	case errors.As(err, &se):
		return Code(se.ErrorCode)
	case errors.As(err, &ae):
		return Code(ae.ErrorCode)
	}
	return CodeInternal
}

// Explain turns an error met on a connection or stream into a sentence for an operator, naming
// the collector's reason when the peer reset or closed with one of our codes.
func Explain(err error) string {
	var se *quic.StreamError
	var ae *quic.ApplicationError
	switch {
	case errors.As(err, &se) && se.Remote:
		return fmt.Sprintf("the peer reset the stream: %s", Code(se.ErrorCode))
	case errors.As(err, &ae) && ae.Remote:
		msg := ae.ErrorMessage
		if msg == "" {
			msg = Code(ae.ErrorCode).String()
		}
		return fmt.Sprintf("the peer closed the connection: %s (%s)", msg, Code(ae.ErrorCode))
	}
	return err.Error()
}
