// Package store is the collector's persistent state: enrolled agents, hashed enrolment and API
// tokens, content-addressed inventories with an idempotent upload log, append-only hash-chained
// event streams (the history of assessments and register records), their header rows, and a
// small key/value table for collector metadata.
//
// Store is one interface built from small role interfaces (Agents, Tokens, Inventories, Events,
// Headers, Meta) so that a component can ask for only the part it uses. Two implementations
// satisfy it: store/sqlite (the embedded default, one file DATA/ceplus.db) and store/postgres
// (several collector replicas sharing one server); store/backend.Open picks one, and
// store/storetest is the conformance suite both pass.
//
// Time is an input: every method that records a moment takes it as `at`. Times are kept to the
// microsecond, in UTC (PostgreSQL's precision); Instant does that rounding, and every value the
// store returns has already been through it.
package store
