// Package assess runs the CE+ assessment workflow (RULES.md §1) as an append-only event history
// in the store: create, scope (enrolled agents and CSV import), freeze, commit-reveal draws,
// declaration, scans and imported results, refusal, assessor decisions and the verdict, which is
// rules.EvaluateCEPlus of the stored events. The stream of an assessment has the assessment's
// id; nothing is edited in place, and the state is always replayed from the events.
package assess
