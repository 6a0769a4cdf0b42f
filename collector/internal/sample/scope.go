package sample

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/rules"
)

// scopeTag starts the canonical scope encoding (docs/sampling.md, "Scope hash").
const scopeTag = "ceplus-scope-v1"

// ScopeHash returns the content hash of a scope as 64 lowercase hex digits: the SHA-256 of its
// canonical encoding, which is the ASCII tag "ceplus-scope-v1", the number of devices as a
// big-endian uint64, then for every device in byte-wise order of (id, type, build) its id, type
// and build, each as a big-endian uint64 byte length followed by the UTF-8 bytes. The order of
// devices in the input does not matter; nothing is normalised. It is the frozen scope hash that
// keys a draw (docs/sampling.md).
func ScopeHash(devices []rules.Device) string {
	keys := make([]idKey, len(devices))
	for i, d := range devices {
		keys[i] = idKey{d.ID, i}
	}
	slices.SortFunc(keys, func(a, b idKey) int {
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return compareDevices(devices[a.index], devices[b.index])
	})
	sorted := make([]rules.Device, len(devices))
	for i, k := range keys {
		sorted[i] = devices[k.index]
	}
	sum := hashSorted(sorted)
	return hex.EncodeToString(sum[:])
}

// compareDevices orders devices byte-wise by id, then type, then build.
func compareDevices(a, b rules.Device) int {
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return strings.Compare(a.Build, b.Build)
}

// hashSorted hashes the canonical encoding of devices, which must already be in canonical order.
func hashSorted(devices []rules.Device) [sha256.Size]byte {
	w := encoder{h: sha256.New(), buf: make([]byte, 0, 64<<10)}
	w.raw(scopeTag)
	w.uint64(uint64(len(devices)))
	for _, d := range devices {
		w.field(d.ID)
		w.field(d.Type)
		w.field(d.Build)
	}
	return w.sum()
}

// encoder buffers the canonical encoding in large chunks on its way into h.
type encoder struct {
	h   hash.Hash
	buf []byte
}

func (e *encoder) flushIfFull(n int) {
	if len(e.buf)+n > cap(e.buf) {
		e.h.Write(e.buf)
		e.buf = e.buf[:0]
	}
}

func (e *encoder) raw(s string) {
	e.flushIfFull(len(s))
	if len(s) > cap(e.buf) {
		e.h.Write([]byte(s))
		return
	}
	e.buf = append(e.buf, s...)
}

func (e *encoder) uint64(v uint64) {
	e.flushIfFull(8)
	e.buf = binary.BigEndian.AppendUint64(e.buf, v)
}

func (e *encoder) field(s string) {
	e.uint64(uint64(len(s)))
	e.raw(s)
}

func (e *encoder) sum() [sha256.Size]byte {
	e.h.Write(e.buf)
	e.buf = e.buf[:0]
	var out [sha256.Size]byte
	e.h.Sum(out[:0])
	return out
}
