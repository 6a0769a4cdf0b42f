package windows

import "strconv"

// regValues holds the values of one registry key by name: REG_SZ and REG_EXPAND_SZ as string,
// REG_DWORD and REG_QWORD as uint64, REG_MULTI_SZ as []string. Other types are left out.
type regValues map[string]any

// regKey is one registry key with its values; Path is the full path starting with the hive,
// for example `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\7-Zip`.
type regKey struct {
	Path   string
	Values regValues
}

// str returns the named string value, or the decimal form of an integer value, or "".
func (v regValues) str(name string) string {
	switch x := v[name].(type) {
	case string:
		return x
	case uint64:
		return strconv.FormatUint(x, 10)
	}
	return ""
}

// num returns the named integer value; a string value holding a decimal number counts too,
// because some installers write DWORD-like flags as REG_SZ.
func (v regValues) num(name string) (uint64, bool) {
	switch x := v[name].(type) {
	case uint64:
		return x, true
	case string:
		n, err := strconv.ParseUint(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}
