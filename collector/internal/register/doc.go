// Package register keeps the vulnerability-handling register of the vendors of EUCC and
// e-IoT-SCS certified products (RULES.md §2–§3, docs/register.md): one record per potential
// vulnerability, stored as a header of kind register_record and an append-only, hash-chained
// event stream whose events are folded into the record's state.
//
// The process is receipt → impact analysis → report or process exit (duplicate, no_security,
// beyond_assurance_level), each step with who and when. Deadlines are never computed here: every
// change and every read builds the rules engine's case from the record's facts and takes the
// engine's answer (shared/rules), so the register and `ceplus-collector rules evaluate` always
// agree. Due lists what is due or late across the register; Export writes a record or a
// product's records as JSON or HTML labelled with their TLP colour, without the exploitation
// details for anyone beyond the limited distribution; Delete erases a record only once its
// five-year retention after closure has ended.
//
// Time is an input: every method takes the moment it acts at, or `now`.
package register
