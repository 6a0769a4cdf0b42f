// Package sources runs the agent's sources: the explicit lists of built-in package and discovery
// sources, and the loader that verifies the signed plugin manifest, starts every applicable
// package plugin with its checksum pinned, runs them concurrently under a timeout, contains their
// crashes and hangs, and merges their results into one inventory; discovery plugins run one at a
// time, on demand only, under the same checks.
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

// discoverers is the one explicit list of built-in discovery sources. They scan the network, so
// they are kept apart from the package sources: inventory never starts them, only an explicit
// discovery (ceplus-agent discover, a scanner agent's discovery job) does.
var discoverers = []Builtin{
	{Name: "nmap", OS: []string{"linux", "darwin", "windows"}},
}

// Builtins returns the built-in package sources that run on goos.
func Builtins(goos string) []Builtin {
	return forOS(builtins, goos)
}

// Discoverers returns the built-in discovery sources that run on goos.
func Discoverers(goos string) []Builtin {
	return forOS(discoverers, goos)
}

func forOS(list []Builtin, goos string) []Builtin {
	var out []Builtin
	for _, b := range list {
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
