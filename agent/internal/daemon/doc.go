// Package daemon is the agent's long-running loop (`ceplus-agent run`): it inventories the
// endpoint on start, on a jittered schedule and when the collector asks ("scan now"), queues
// each changed inventory in the on-disk spool, and keeps one QUIC connection to the collector
// over which it drains the spool: an upload leaves the spool only after the collector's Ack,
// which the collector sends after its durable commit. A retry carries the same upload id, so a
// collector that committed an upload but crashed before acknowledging it stores it only once.
//
// The agent counts itself connected only after the collector's Welcome (a refused client
// certificate surfaces only after the QUIC dial succeeded), and redials with jittered
// exponential backoff. The inventory producer is a function, so that tests and simulations can
// feed recorded inventories (RecordedInventory).
package daemon
