// Package sources runs the agent's inventory sources: the one list of built-in sources, and the
// loader that verifies the signed plugin manifest, starts every applicable plugin binary with
// its checksum pinned, runs them concurrently under a timeout, contains their crashes and hangs,
// and merges their results into one inventory.
package sources

import (
	"slices"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// Builtin is a source that ships with the agent as a signed plugin binary.
type Builtin struct {
	// Name is the plugin's name: its binary is pluginapi.FileName(Name, goos).
	Name string
	// OS lists the GOOS values the source runs on.
	OS []string
}

// builtins is the one explicit list of built-in sources. A source listed here that applies to
// the agent's OS but has no signed plugin is reported as Failed, never silently skipped.
var builtins = []Builtin{
	{Name: "dpkg", OS: []string{"linux"}},
	{Name: "rpm", OS: []string{"linux"}},
	{Name: "apk", OS: []string{"linux"}},
	{Name: "windows", OS: []string{"windows"}},
	{Name: "macos", OS: []string{"darwin"}},
}

// Builtins returns the built-in sources that run on goos.
func Builtins(goos string) []Builtin {
	var out []Builtin
	for _, b := range builtins {
		if slices.Contains(b.OS, goos) {
			out = append(out, b)
		}
	}
	return out
}

// applies reports whether a manifest entry is a package source that runs on goos.
func applies(e pluginapi.Entry, goos string) bool {
	return e.Kind == pluginapi.KindPackages && slices.Contains(e.OS, goos)
}
