package store

import (
	"time"

	"github.com/ceplus/ceplus/shared/identity"
)

// Agent is an enrolled agent.
type Agent struct {
	// ID is the SHA-256 of CertDER.
	ID      identity.AgentID
	CertDER []byte
	// Hostname, Build (the CE+ build key), OSFamily, OSVersion and MachineID are what the agent
	// last reported about its device.
	Hostname   string
	Build      string
	OSFamily   string
	OSVersion  string
	MachineID  string
	EnrolledAt time.Time
	LastSeen   time.Time // zero until the agent is first seen after enrolment
	// RevokedAt is zero while the agent is in good standing.
	RevokedAt    time.Time
	RevokeReason string
	// AssessmentID is the assessment whose token enrolled the agent, "" if none.
	AssessmentID string
	// ScopeEntry is the scope entry of that assessment the agent is bound to, "" if none.
	ScopeEntry string
	// Latest summarises the agent's latest inventory; nil when it has uploaded none. Filled by
	// GetAgent and ListAgents, ignored by PutAgent.
	Latest *UploadSummary
}

// Revoked reports whether the agent is revoked.
func (a Agent) Revoked() bool { return !a.RevokedAt.IsZero() }

// AgentFilter selects agents for ListAgents. The zero value selects every agent.
type AgentFilter struct {
	// AssessmentID keeps only the agents enrolled for that assessment.
	AssessmentID string
	// ExcludeRevoked leaves out revoked agents.
	ExcludeRevoked bool
}
