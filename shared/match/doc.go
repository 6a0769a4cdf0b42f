// Package match matches an endpoint inventory against a loaded OSV snapshot and turns the
// hits into CE+ findings: the vulnerability ids with their aliases, the package, the installed
// and the fixed version (the missing update), the severity and its source, the fix release date
// and its source, and the 14-day class. Results are cached per (snapshot, inventory content
// hash), so identical hosts are matched once.
package match
