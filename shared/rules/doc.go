// Package rules is the ceplus rules engine: the CE+ verdict (RULES.md §1, contract v1), the EUCC
// impact-analysis deadlines (§2) and the e-IoT-SCS triage deadlines (§3). It does no I/O and never
// reads the wall clock: "now" is always an input.
package rules
