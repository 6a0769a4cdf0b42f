package dpkg

import (
	"bytes"
	"strconv"
)

// verIdent tells apart two builds that carry the same version string, as apt's cache does
// (debListParser::VersionHash and SameVersion): the stanza's dependency fields, its
// Multi-Arch and its download size. When the dpkg status stanza of the installed version does
// not match the lists' stanza of the same version (a local rebuild), apt keeps both and lists
// the package as upgradable "from 1.0-1 to 1.0-1"; this package does the same.
type verIdent struct {
	hash      uint64
	multiArch string
	size      uint64
}

// sameBuild is apt's SameVersion for two stanzas of equal version strings: equal hashes and
// Multi-Arch, and equal sizes when both know one (the status file has none).
func (a verIdent) sameBuild(b verIdent) bool {
	return a.hash == b.hash && a.multiArch == b.multiArch && (a.size == 0 || b.size == 0 || a.size == b.size)
}

// identFields collects, per stanza, the raw fields that make up a verIdent. Buffers are
// reused between stanzas.
type identFields struct {
	// hashed holds Installed-Size, Depends, Pre-Depends, Conflicts, Breaks and Replaces, in
	// the order apt hashes them.
	hashed    [6][]byte
	multiArch []byte
	size      []byte
	// cont is the field a continuation line extends, or nil.
	cont *[]byte
}

var hashedKeys = [6]string{"Installed-Size", "Depends", "Pre-Depends", "Conflicts", "Breaks", "Replaces"}

func (f *identFields) reset() {
	for i := range f.hashed {
		f.hashed[i] = f.hashed[i][:0]
	}
	f.multiArch, f.size, f.cont = f.multiArch[:0], f.size[:0], nil
}

// add records a field line if it is one of the identity fields, and reports whether it was.
func (f *identFields) add(key, val []byte) bool {
	f.cont = nil
	for i, k := range hashedKeys {
		if keyIs(key, k) {
			f.hashed[i] = append(f.hashed[i][:0], val...)
			f.cont = &f.hashed[i]
			return true
		}
	}
	switch {
	case keyIs(key, "Multi-Arch"):
		f.multiArch = append(f.multiArch[:0], val...)
	case keyIs(key, "Size"):
		f.size = append(f.size[:0], val...)
	default:
		return false
	}
	return true
}

// continued extends the last identity field with a continuation line.
func (f *identFields) continued(line []byte) {
	if f.cont != nil {
		*f.cont = append(append(*f.cont, '\n'), line...)
	}
}

// ident computes the identity of the stanza for a package of the given architecture.
func (f *identFields) ident(arch []byte) verIdent {
	// FNV-1a, inline: only the bytes matter, never the value itself.
	h := uint64(14695981039346656037)
	for _, v := range f.hashed {
		for i := 0; i < len(v); i++ {
			c := v[i]
			// apt strips "0:" epochs, blanks and '=' (dpkg rewrites "<" to "<=").
			if c == '0' && i+1 < len(v) && v[i+1] == ':' {
				i++
				continue
			}
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '=' {
				continue
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			h = (h ^ uint64(c)) * 1099511628211
		}
	}
	id := verIdent{hash: h}
	switch ma := string(bytes.ToLower(bytes.TrimSpace(f.multiArch))); ma {
	case "same":
		if string(arch) != "all" { // apt refuses Multi-Arch: same for arch all
			id.multiArch = ma
		}
	case "foreign", "allowed":
		id.multiArch = ma
	}
	if n, err := strconv.ParseUint(string(bytes.TrimSpace(f.size)), 10, 64); err == nil {
		id.size = n
	}
	return id
}
