// Package nmap is the network discovery source: it runs the nmap binary over targets an assessor
// configured and returns hosts (addresses, MAC and vendor, OS guess) and the services they expose
// (product, version, CPE), as discovery types, never as packages.
//
// The package owns the nmap process: it validates every target before nmap starts (addresses and
// CIDR prefixes with net/netip, host names through the system resolver only when allowed, an
// optional allow-list of prefixes), always passes -n so that nmap makes no DNS query, reads nmap's
// XML from stdout as it is written (progress from <taskprogress>, each completed <host> kept so a
// timeout still returns what was done), and parses the whole result with
// github.com/Ullaakut/nmap/v3's types and Parse once nmap exits. The library's own runner is not
// used: its Progress and Streamer race and WithCustomSysProcAttr panics (docs/discovery.md).
//
// Without root, nmap cannot send raw packets: the scan degrades to a TCP connect scan, OS detection
// is dropped, and the result's warnings say so.
package nmap
