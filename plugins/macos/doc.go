// Package macos is the ceplus inventory source for macOS: the version and build from sw_vers
// (which give the CE+ build key, for example "macOS 14"), the updates `softwareupdate --list`
// reports as pending, and the installed applications with their versions, read from the
// Info.plist of each application bundle.
//
// softwareupdate asks Apple's (or the configured) update catalogue; when that fails the source
// falls back to `softwareupdate --list --no-scan`, the result of the last scan, and ends
// Partial, because a cached answer may miss updates released since. Nothing here needs root:
// sw_vers, softwareupdate --list and reading application bundles all work as any user.
//
// The security flag of a pending update follows a documented rule (see isSecurityUpdate):
// Apple's security releases are the "Security Update" and "Background Security Improvement" /
// "Rapid Security Response" packages, every macOS minor or patch release of the installed major
// version, and Safari releases; a new major version of macOS is an upgrade, not a missing
// security update.
//
// The parsers are portable and tested on Linux with hand-reconstructed output in testdata; on
// other systems than macOS Collect returns an error wrapping pluginapi.ErrNotApplicable.
package macos
