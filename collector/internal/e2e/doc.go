// Package e2e holds the end-to-end tests of the agent-to-collector path (issue 4): they build
// ceplus-collector and ceplus-agent once, run them as processes on 127.0.0.1 only, and check
// enrolment, uploads, "scan now", crash recovery without loss or duplicates, and the refusals
// (wrong CA pin, revoked agents, bad tokens, foreign or missing client certificates, oversized
// and garbage frames). Agents send recorded inventories (--inventory-file).
package e2e
