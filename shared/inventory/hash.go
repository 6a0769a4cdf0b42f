package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// ContentHash returns the hex SHA-256 of the inventory's matchable content: the OS facts that
// decide matching (family, version, edition, feature update, OS build, kernel, arch, ecosystem,
// build key), the packages, pending updates, installed updates and applications, in canonical
// order. It leaves out what differs between identical hosts (hostname, machine id), the
// collection time and the source statuses, so identical hosts share one matching result.
//
// The hashed bytes are exactly what encoding/json's Marshal gives for the struct
// {schema, device (hostname and machine id blanked), packages, pending_updates,
// installed_updates, applications} with every list in Normalize's order and an empty list as
// null; they are written straight into the hash (no document is built, the inventory is left
// as it is, and lists already in canonical order are not copied). hash_test.go keeps the
// json.Marshal definition as the reference.
func (inv *Inventory) ContentHash() string {
	e := encoderPool.Get().(*canonicalEncoder)
	defer encoderPool.Put(e)
	e.h.Reset()
	e.buf = e.buf[:0]
	e.content(inv)
	e.flush()
	var sum [sha256.Size]byte
	return hex.EncodeToString(e.h.Sum(sum[:0]))
}

// canonicalEncoder writes the canonical JSON of an inventory's content into a SHA-256 through
// a small buffer.
type canonicalEncoder struct {
	h   hash.Hash
	buf []byte
}

var encoderPool = sync.Pool{New: func() any {
	return &canonicalEncoder{h: sha256.New(), buf: make([]byte, 0, 8<<10)}
}}

// flushAt is the buffer size at which the encoder hands its bytes to the hash.
const flushAt = 6 << 10

func (e *canonicalEncoder) flush() {
	e.h.Write(e.buf)
	e.buf = e.buf[:0]
}

func (e *canonicalEncoder) maybeFlush() {
	if len(e.buf) >= flushAt {
		e.flush()
	}
}

// sortedOrCopy returns s in canonical order: s itself when it already is (sorting it would
// change nothing: see below), else a sorted copy, exactly as Normalize sorts.
//
// slices.SortFunc (pdqsort) leaves a slice that is already in non-decreasing order untouched,
// equal elements included: it finds no strictly smaller pair, takes the increasing path and
// stops after its insertion check. So skipping the sort of a sorted list gives the same order
// as sorting a copy of it, which is what the json.Marshal definition did.
func sortedOrCopy[E any](s []E, cmp func(a, b E) int) []E {
	if slices.IsSortedFunc(s, cmp) {
		return s
	}
	c := slices.Clone(s)
	slices.SortFunc(c, cmp)
	return c
}

func (e *canonicalEncoder) content(inv *Inventory) {
	e.buf = append(e.buf, `{"schema":`...)
	e.buf = strconv.AppendInt(e.buf, int64(inv.Schema), 10)
	e.buf = append(e.buf, `,"device":`...)
	e.device(&inv.Device)

	e.buf = append(e.buf, `,"packages":`...)
	if len(inv.Packages) == 0 {
		e.buf = append(e.buf, "null"...)
	} else {
		e.buf = append(e.buf, '[')
		for i, p := range sortedOrCopy(inv.Packages, comparePackages) {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `{"name":`...)
			e.str(p.Name)
			e.buf = append(e.buf, `,"version":`...)
			e.str(p.Version)
			e.buf = append(e.buf, `,"source_name":`...)
			e.str(p.SourceName)
			e.buf = append(e.buf, `,"source_version":`...)
			e.str(p.SourceVersion)
			e.buf = append(e.buf, `,"ecosystem":`...)
			e.str(p.Ecosystem)
			e.buf = append(e.buf, `,"arch":`...)
			e.str(p.Arch)
			e.buf = append(e.buf, '}')
			e.maybeFlush()
		}
		e.buf = append(e.buf, ']')
	}

	e.buf = append(e.buf, `,"pending_updates":`...)
	if len(inv.PendingUpdates) == 0 {
		e.buf = append(e.buf, "null"...)
	} else {
		e.buf = append(e.buf, '[')
		for i, u := range sortedOrCopy(inv.PendingUpdates, comparePendingUpdates) {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `{"name":`...)
			e.str(u.Name)
			e.buf = append(e.buf, `,"installed":`...)
			e.str(u.Installed)
			e.buf = append(e.buf, `,"candidate":`...)
			e.str(u.Candidate)
			e.buf = append(e.buf, `,"origin":`...)
			e.str(u.Origin)
			e.buf = append(e.buf, `,"security":`...)
			e.buf = strconv.AppendBool(e.buf, u.Security)
			e.opt(`,"arch":`, u.Arch)
			e.opt(`,"released":`, u.Released)
			e.opt(`,"severity":`, u.Severity)
			e.opt(`,"title":`, u.Title)
			if len(u.IDs) > 0 {
				e.buf = append(e.buf, `,"ids":[`...)
				for j, id := range u.IDs {
					if j > 0 {
						e.buf = append(e.buf, ',')
					}
					e.str(id)
				}
				e.buf = append(e.buf, ']')
			}
			e.buf = append(e.buf, '}')
			e.maybeFlush()
		}
		e.buf = append(e.buf, ']')
	}

	e.buf = append(e.buf, `,"installed_updates":`...)
	if len(inv.InstalledUpdates) == 0 {
		e.buf = append(e.buf, "null"...)
	} else {
		e.buf = append(e.buf, '[')
		for i, u := range sortedOrCopy(inv.InstalledUpdates, compareInstalledUpdates) {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `{"id":`...)
			e.str(u.ID)
			e.opt(`,"title":`, u.Title)
			e.opt(`,"installed_on":`, u.InstalledOn)
			e.buf = append(e.buf, '}')
			e.maybeFlush()
		}
		e.buf = append(e.buf, ']')
	}

	e.buf = append(e.buf, `,"applications":`...)
	if len(inv.Applications) == 0 {
		e.buf = append(e.buf, "null"...)
	} else {
		e.buf = append(e.buf, '[')
		for i, a := range sortedOrCopy(inv.Applications, compareApplications) {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `{"name":`...)
			e.str(a.Name)
			e.buf = append(e.buf, `,"version":`...)
			e.str(a.Version)
			e.opt(`,"publisher":`, a.Publisher)
			e.opt(`,"id":`, a.ID)
			e.buf = append(e.buf, '}')
			e.maybeFlush()
		}
		e.buf = append(e.buf, ']')
	}
	e.buf = append(e.buf, '}')
}

// device writes the device facts with hostname blanked and machine id left out.
func (e *canonicalEncoder) device(d *Device) {
	e.buf = append(e.buf, `{"hostname":"","os_family":`...)
	e.str(d.OSFamily)
	e.opt(`,"os_name":`, d.OSName)
	e.buf = append(e.buf, `,"os_version":`...)
	e.str(d.OSVersion)
	e.opt(`,"edition":`, d.Edition)
	e.opt(`,"feature_update":`, d.FeatureUpdate)
	e.opt(`,"os_build":`, d.OSBuild)
	e.opt(`,"kernel":`, d.Kernel)
	e.opt(`,"arch":`, d.Arch)
	e.opt(`,"ecosystem":`, d.Ecosystem)
	e.buf = append(e.buf, `,"build":`...)
	e.str(d.Build)
	if d.ESM {
		e.buf = append(e.buf, `,"esm":true`...)
	}
	e.buf = append(e.buf, '}')
}

// opt writes an omitempty string field.
func (e *canonicalEncoder) opt(key, s string) {
	if s != "" {
		e.buf = append(e.buf, key...)
		e.str(s)
	}
}

// str appends s as encoding/json does with HTML escaping on: quotes, backslash, control
// characters, <, > and & escaped, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func (e *canonicalEncoder) str(s string) {
	const hexDigits = "0123456789abcdef"
	dst := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	e.buf = append(dst, '"')
}
