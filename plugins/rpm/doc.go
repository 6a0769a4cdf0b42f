// Package rpm is the inventory source for RPM-based systems (RHEL, Rocky Linux, AlmaLinux,
// Fedora, SUSE): the installed packages from the RPM database in any of its three formats
// (sqlite, ndb, Berkeley DB), read without rpm or cgo, and the pending updates that the dnf,
// yum or zypper metadata cache under the root already knows about, offline.
//
// Versions are exactly what rpm prints as %{EVR}: "1:3.0.7-16.el9_2" when the header has an
// Epoch tag (an explicit 0 included, "0:1.0-2.el9"), "1.2-1.el9" when it has none. Epochs are
// never dropped; rpmvercmp and the OSV RPM ecosystems treat a missing epoch as 0.
package rpm
