//go:build !darwin

package macos

// newHost returns nil: there is no macOS system to read here.
func newHost() host { return nil }
