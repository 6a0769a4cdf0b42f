// Package discovery holds the results of network discovery, shared by the agent that runs a scan
// and the collector that keeps it: hosts with their addresses and operating-system guess, the
// services they expose, and a summary of the run. It also reconciles what a scan found with the
// devices an assessment declared in scope (Reconcile).
//
// Discovery results are never packages: a service's product and version are what the network
// shows, not what a package manager recorded.
package discovery
