package ingest

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/ceplus/ceplus/shared/inventory"
)

// decodeInventory decodes raw exactly as json.Unmarshal does into a new Inventory, with a fast
// path for the packages, most of an inventory: the layout agents write (json.Marshal of an
// Inventory) is parsed by hand, each package string copied once, no reflection; the other
// top-level values are handed to json.Unmarshal one by one. Anything outside that layout,
// such as another key or key spelling, a key twice, null, an escape or invalid UTF-8 in a
// package string, or trailing data, is decoded by json.Unmarshal of the whole document instead,
// so the result (and any error) is always json.Unmarshal's. decode_test.go checks that.
func decodeInventory(raw []byte) (*inventory.Inventory, error) {
	inv := new(inventory.Inventory)
	if fastDecode(raw, inv) {
		return inv, nil
	}
	inv = new(inventory.Inventory)
	if err := json.Unmarshal(raw, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// parser is the fast path's cursor; ok turns false at the first thing it does not handle.
type parser struct {
	b  []byte
	i  int
	ok bool
}

func fastDecode(raw []byte, inv *inventory.Inventory) bool {
	p := &parser{b: raw, ok: true}
	p.expect('{')
	var seen uint16
	first := true
	for p.ok {
		p.ws()
		if p.peek() == '}' && first {
			p.i++
			break
		}
		if !first {
			p.expect(',')
			p.ws()
		}
		first = false
		key := p.plainString()
		p.ws()
		p.expect(':')
		p.ws()
		var bit uint16
		var dst any
		switch string(key) {
		case "packages":
			bit = 1 << 0
		case "schema":
			bit, dst = 1<<1, &inv.Schema
		case "collected_at":
			bit, dst = 1<<2, &inv.CollectedAt
		case "device":
			bit, dst = 1<<3, &inv.Device
		case "pending_updates":
			bit, dst = 1<<4, &inv.PendingUpdates
		case "installed_updates":
			bit, dst = 1<<5, &inv.InstalledUpdates
		case "applications":
			bit, dst = 1<<6, &inv.Applications
		case "sources":
			bit, dst = 1<<7, &inv.Sources
		default:
			return false
		}
		if !p.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if dst == nil {
			inv.Packages = p.packages()
		} else {
			start := p.i
			p.skipValue()
			if !p.ok || json.Unmarshal(p.b[start:p.i], dst) != nil {
				return false
			}
		}
		p.ws()
		if p.peek() == '}' {
			p.i++
			break
		}
	}
	p.ws()
	return p.ok && p.i == len(p.b)
}

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// ws skips JSON whitespace.
func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) expect(c byte) {
	if p.ok && p.peek() == c {
		p.i++
		return
	}
	p.ok = false
}

// plainString returns the bytes of a string without escapes or control characters that is
// valid UTF-8 (its Go value is exactly those bytes); anything else ends the fast path.
func (p *parser) plainString() []byte {
	if !p.ok || p.peek() != '"' {
		p.ok = false
		return nil
	}
	start := p.i + 1
	ascii := true
	for i := start; i < len(p.b); i++ {
		switch c := p.b[i]; {
		case c == '"':
			s := p.b[start:i]
			if !ascii && !utf8.Valid(s) {
				p.ok = false
				return nil
			}
			p.i = i + 1
			return s
		case c == '\\' || c < 0x20:
			p.ok = false
			return nil
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	p.ok = false
	return nil
}

// skipValue moves past one value, checking only its extent: json.Unmarshal of the value then
// checks the rest.
func (p *parser) skipValue() {
	depth := 0
	for p.ok && p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			for p.i++; p.i < len(p.b) && p.b[p.i] != '"'; p.i++ {
				if p.b[p.i] == '\\' {
					p.i++
				}
			}
			if p.i >= len(p.b) {
				p.ok = false
				return
			}
			p.i++
		case c == '{' || c == '[':
			depth++
			p.i++
			continue
		case c == '}' || c == ']':
			if depth == 0 {
				return // the end of the enclosing object: a scalar ended
			}
			depth--
			p.i++
		case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return // a scalar ended
		default:
			p.i++
			continue
		}
		if depth == 0 {
			return // a string or a container ended
		}
	}
	if depth != 0 {
		p.ok = false
	}
}

// packages parses the packages array: objects whose keys are exactly the Package tags, each
// at most once, with plain string values.
func (p *parser) packages() []inventory.Package {
	p.expect('[')
	p.ws()
	out := []inventory.Package{} // [] decodes to an empty, non-nil slice
	if p.peek() == ']' {
		p.i++
		return out
	}
	var last inventory.Package // repeated values (ecosystem, arch…) share one string
	for p.ok {
		p.ws()
		p.expect('{')
		var pkg inventory.Package
		var seen uint8
		for first := true; p.ok; first = false {
			p.ws()
			if first && p.peek() == '}' {
				break
			}
			if !first {
				if p.peek() == '}' {
					break
				}
				p.expect(',')
				p.ws()
			}
			key := p.plainString()
			p.ws()
			p.expect(':')
			p.ws()
			val := p.plainString()
			if !p.ok {
				break
			}
			var bit uint8
			var dst, prev *string
			switch string(key) {
			case "name":
				bit, dst, prev = 1<<0, &pkg.Name, &last.Name
			case "version":
				bit, dst, prev = 1<<1, &pkg.Version, &last.Version
			case "source_name":
				bit, dst, prev = 1<<2, &pkg.SourceName, &last.SourceName
			case "source_version":
				bit, dst, prev = 1<<3, &pkg.SourceVersion, &last.SourceVersion
			case "ecosystem":
				bit, dst, prev = 1<<4, &pkg.Ecosystem, &last.Ecosystem
			case "arch":
				bit, dst, prev = 1<<5, &pkg.Arch, &last.Arch
			default:
				p.ok = false
			}
			if !p.ok || seen&bit != 0 {
				p.ok = false
				break
			}
			seen |= bit
			switch {
			case string(val) == *prev:
				*dst = *prev
			case bit == 1<<3 && string(val) == pkg.Version: // source version is often the version
				*dst = pkg.Version
			default:
				*dst = string(val)
			}
			p.ws()
		}
		p.expect('}')
		if !p.ok {
			return nil
		}
		out = append(out, pkg)
		last = pkg
		p.ws()
		if p.peek() == ']' {
			p.i++
			return out
		}
		p.expect(',')
	}
	return nil
}
