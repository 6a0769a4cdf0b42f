package rpm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// RPM header tags and types this source reads (rpm lib/rpmtag.h).
const (
	tagName            = 1000
	tagVersion         = 1001
	tagRelease         = 1002
	tagEpoch           = 1003
	tagArch            = 1022
	tagSourceRPM       = 1044
	tagModularityLabel = 5096

	typeInt32  = 4
	typeString = 6

	// maxTags and maxData are rpm's own sanity limits (lib/header.c hdrchkTags, hdrchkData).
	maxTags = 0xffff
	maxData = 256 << 20
)

// header is the part of an installed package's header that the inventory needs.
type header struct {
	Name, Version, Release, Arch string
	// Epoch is nil when the header has no Epoch tag.
	Epoch           *int32
	SourceRPM       string
	ModularityLabel string
}

// parseHeader decodes an RPM header blob as the rpmdb stores it: a big-endian index count
// and data length, the index entries (tag, type, offset, count) and the data store. A tag
// given twice (a "dribble" entry outside the immutable region) takes the later value, as rpm
// does.
func parseHeader(blob []byte) (header, error) {
	var h header
	if len(blob) < 8 {
		return h, fmt.Errorf("header blob of %d bytes is shorter than its 8-byte preamble", len(blob))
	}
	il := binary.BigEndian.Uint32(blob[0:4])
	dl := binary.BigEndian.Uint32(blob[4:8])
	if il == 0 || il > maxTags || dl > maxData {
		return h, fmt.Errorf("header claims %d tags and %d data bytes, outside rpm's limits", il, dl)
	}
	start := 8 + 16*int(il)
	if len(blob) < start+int(dl) {
		return h, fmt.Errorf("header of %d bytes is shorter than its %d tags and %d data bytes", len(blob), il, dl)
	}
	data := blob[start : start+int(dl)]
	for i := range int(il) {
		e := blob[8+16*i : 8+16*(i+1)]
		tag := int32(binary.BigEndian.Uint32(e[0:4]))
		typ := binary.BigEndian.Uint32(e[4:8])
		off := int32(binary.BigEndian.Uint32(e[8:12]))
		count := binary.BigEndian.Uint32(e[12:16])
		var dst *string
		switch tag {
		case tagName:
			dst = &h.Name
		case tagVersion:
			dst = &h.Version
		case tagRelease:
			dst = &h.Release
		case tagArch:
			dst = &h.Arch
		case tagSourceRPM:
			dst = &h.SourceRPM
		case tagModularityLabel:
			dst = &h.ModularityLabel
		case tagEpoch:
			if typ != typeInt32 || count < 1 || off < 0 || int(off)+4 > len(data) {
				return h, fmt.Errorf("header tag %d (epoch): type %d, count %d at offset %d does not fit %d data bytes", tag, typ, count, off, len(data))
			}
			v := int32(binary.BigEndian.Uint32(data[off : off+4]))
			h.Epoch = &v
			continue
		default:
			continue
		}
		if typ != typeString || off < 0 || int(off) >= len(data) {
			return h, fmt.Errorf("header tag %d: type %d at offset %d is not a string within %d data bytes", tag, typ, off, len(data))
		}
		s := data[off:]
		end := bytes.IndexByte(s, 0)
		if end < 0 {
			return h, fmt.Errorf("header tag %d: string at offset %d is not NUL-terminated", tag, off)
		}
		*dst = string(s[:end])
	}
	if h.Name == "" || h.Version == "" {
		return h, errors.New("header has no name or version tag")
	}
	return h, nil
}
