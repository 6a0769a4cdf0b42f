// Package difftest holds the differential test of the matcher against osv-scanner's
// osvscanner.DoScan (github.com/google/osv-scanner/v2 v2.5.1, offline) and the side-by-side
// benchmark of the two. It has no code of its own outside its tests, so the heavy osv-scanner
// import never enters the agent or collector binaries.
package difftest
