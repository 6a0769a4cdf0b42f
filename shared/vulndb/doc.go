// Package vulndb imports OSV advisory records (all.zip dumps and directories of JSON records)
// into immutable, content-hashed snapshots, and loads a snapshot into an in-memory index by
// (base ecosystem, package name) for matching. Records the matcher cannot use are reported with
// their id and the reason, never dropped silently; withdrawn records stay in the snapshot but
// out of the index. It reads no clock: the snapshot's creation time is an input.
package vulndb
