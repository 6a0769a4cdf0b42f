// Package version holds the ceplus release version, set at build time with
// -ldflags "-X github.com/ceplus/ceplus/shared/version.Version=…".
package version

// Version is the release version of every ceplus binary.
var Version = "0.1.0-dev"
