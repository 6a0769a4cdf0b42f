package windows

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// parseRegQuery reads the output of `reg query <key>` or `reg query <key> /s` into keys with
// their values, the same shape the registry reader of host_windows.go produces, so that the
// portable mapping can be tested on output captured from reg.exe. Key paths use the long hive
// names reg.exe prints (HKEY_LOCAL_MACHINE\…). Keys listed without values come back with an
// empty value map.
func parseRegQuery(t *testing.T, path string) []regKey {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var keys []regKey
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(text) == "", strings.HasPrefix(text, "End of search:"):
		case strings.HasPrefix(text, "    "):
			if len(keys) == 0 {
				t.Fatalf("%s:%d: value before any key", path, line)
			}
			name, typ, data, err := splitRegValue(text[4:])
			if err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			v, ok, err := regData(typ, data)
			if err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			if ok {
				keys[len(keys)-1].Values[name] = v
			}
		default:
			keys = append(keys, regKey{Path: text, Values: regValues{}})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// splitRegValue splits "Name    REG_SZ    data" (names may hold spaces; data may be empty).
func splitRegValue(s string) (name, typ, data string, err error) {
	i := strings.Index(s, "    REG_")
	if i < 0 {
		return "", "", "", fmt.Errorf("value line %q has no REG_ type", s)
	}
	name, rest := s[:i], s[i+4:]
	typ, data, _ = strings.Cut(rest, "    ")
	return name, strings.TrimSpace(typ), data, nil
}

func regData(typ, data string) (any, bool, error) {
	switch typ {
	case "REG_SZ", "REG_EXPAND_SZ":
		return data, true, nil
	case "REG_DWORD", "REG_QWORD":
		n, err := strconv.ParseUint(strings.TrimPrefix(data, "0x"), 16, 64)
		if err != nil {
			return nil, false, fmt.Errorf("%s data %q: %w", typ, data, err)
		}
		return n, true, nil
	case "REG_MULTI_SZ":
		return strings.Split(data, `\0`), true, nil
	case "REG_BINARY", "REG_NONE":
		return nil, false, nil
	}
	return nil, false, fmt.Errorf("unknown registry type %q", typ)
}

// valuesOf returns the values of the key named path in a reg query file.
func valuesOf(t *testing.T, file, path string) regValues {
	t.Helper()
	for _, k := range parseRegQuery(t, file) {
		if k.Path == path {
			return k.Values
		}
	}
	t.Fatalf("%s: no key %s", file, path)
	return nil
}

func TestParseRegQuery(t *testing.T) {
	v := valuesOf(t, "testdata/currentversion-win11-pro-24h2.txt", `HKEY_LOCAL_MACHINE\`+currentVersionPath)
	if got := v["UBR"]; got != uint64(2605) {
		t.Errorf("UBR = %#v, want uint64(2605)", got)
	}
	if got := v["EditionSubManufacturer"]; got != "" {
		t.Errorf("empty REG_SZ = %#v, want \"\"", got)
	}
	if _, ok := v["DigitalProductId"]; ok {
		t.Error("REG_BINARY value kept")
	}
	if got := v.str("ProductName"); got != "Windows 10 Pro" {
		t.Errorf("ProductName = %q", got)
	}
}
