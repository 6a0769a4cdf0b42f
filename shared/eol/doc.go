// Package eol tells whether a device's operating system release is still supported by its
// vendor, from embedded lifecycle data files (data/*.tsv: facts derived from Debian's
// distro-info-data and from endoflife.date, each file naming its source, licence and the
// meaning of its support periods; go generate regenerates them). A release is supported on a
// day when a support period that counts for the device has not ended: official long-term
// support counts (Debian LTS), periods that need a paid enrolment (Ubuntu Pro ESM, Windows
// ESU, Red Hat ELS, Freexian ELTS) count only for a device reported as enrolled. It reads no
// clock: the test time is an input.
package eol
