package dpkg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// lineReader yields the lines of a deb822 file (dpkg status, apt Packages lists, Release files)
// without allocating: each line is a slice of the bufio buffer, valid until the next call.
// A line longer than the buffer is returned as its first buffer-full, and the rest of it is
// skipped; only long field values (Description, Depends) ever are that long, and none of the
// fields this package keeps.
type lineReader struct {
	r *bufio.Reader
	// skipping is true while the tail of an over-long line is being discarded.
	skipping bool
}

// readerBufSize is the bufio buffer for status and list files: large enough for every field
// line apt or dpkg writes in practice, small enough to keep the agent's memory flat.
const readerBufSize = 64 << 10

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, readerBufSize)}
}

// next returns the next line without its line ending, or io.EOF after the last line.
func (l *lineReader) next() ([]byte, error) {
	for {
		line, err := l.r.ReadSlice('\n')
		if l.skipping {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			l.skipping = false
			if err != nil {
				return nil, err
			}
			continue
		}
		switch {
		case err == nil:
			return trimEOL(line), nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.skipping = true
			return line, nil
		case errors.Is(err, io.EOF) && len(line) > 0:
			// Last line without a newline.
			return trimEOL(line), nil
		default:
			return nil, err
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// field splits a stanza line "Key: value" into its key and trimmed value. Continuation lines
// (starting with a space or tab) and lines without a colon give ok false.
func field(line []byte) (key, value []byte, ok bool) {
	if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
		return nil, nil, false
	}
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return nil, nil, false
	}
	return line[:i], bytes.TrimSpace(line[i+1:]), true
}

// isBlank reports whether line separates stanzas.
func isBlank(line []byte) bool {
	return len(bytes.TrimSpace(line)) == 0
}

// keyIs compares a field name case-insensitively, as deb822 requires.
func keyIs(key []byte, name string) bool {
	return len(key) == len(name) && bytes.EqualFold(key, []byte(name))
}
