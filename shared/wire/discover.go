package wire

import (
	"fmt"
	"net/netip"
	"time"

	wirev1 "github.com/ceplus/ceplus/shared/wire/proto/ceplus/wire/v1"
)

// Discover asks a scanner agent to run Command.Discovery. The agent answers on the command's
// stream with JobProgress frames, then the discovery.Result (JSON) as upload chunks with
// PayloadDiscovery, then a CommandResult whose ContentHash names that result.
const Discover CommandKind = 3

// CapabilityDiscovery is announced in Hello by an agent whose operator let it run discovery
// jobs (`ceplus-agent run --discovery`); the collector sends Discover to no other agent.
const CapabilityDiscovery = "discovery"

// PayloadKind says what the document of an upload is.
type PayloadKind int

// Payload kinds; the numbers are those of ceplus.wire.v1.PayloadKind.
const (
	// PayloadInventory is an inventory.Inventory, the only kind older agents send.
	PayloadInventory PayloadKind = 0
	// PayloadDiscovery is a discovery.Result, sent only on a Discover command's stream.
	PayloadDiscovery PayloadKind = 1
)

func (k PayloadKind) String() string {
	switch k {
	case PayloadInventory:
		return "inventory"
	case PayloadDiscovery:
		return "discovery"
	}
	return fmt.Sprintf("payload(%d)", int(k))
}

// Field limits of a discovery job.
const (
	maxJobTargets  = 1024
	maxJobPrefixes = 256
)

// DiscoveryJob is a discovery the collector asks a scanner agent to run. The collector sets
// AllowedPrefixes from the assessor's allow-list; the agent refuses a job without one and its
// plugin refuses any target outside it.
type DiscoveryJob struct {
	// Targets are IP addresses or CIDR prefixes.
	Targets []string
	// Ports is a port list ("22,80,8000-8100"); TopPorts the N most common ports instead.
	Ports    string
	TopPorts int
	// Service is the service-detection level: off, light, default, all, or intensity with
	// Intensity 0-9.
	Service         string
	Intensity       int
	HostTimeout     time.Duration
	Timeout         time.Duration
	AllowedPrefixes []netip.Prefix
	// Timing is nmap's timing template plus one: 0 leaves nmap's default, 1-6 are -T0 to -T5.
	Timing       int
	MaxAddresses int
}

// JobProgress reports a running job's progress on its command stream.
type JobProgress struct {
	RequestID string
	Task      string
	Percent   float64
	// Remaining is nmap's guess, never an ETA.
	Remaining time.Duration
	HostsDone int
	Done      bool
}

func (*JobProgress) isMessage() {}

func jobToWire(j *DiscoveryJob) *wirev1.DiscoveryJob {
	if j == nil {
		return nil
	}
	w := &wirev1.DiscoveryJob{Targets: j.Targets, Ports: j.Ports, TopPorts: uint32(max(j.TopPorts, 0)), ServiceDetection: j.Service,
		Intensity: uint32(max(j.Intensity, 0)), HostTimeoutMs: j.HostTimeout.Milliseconds(), TimeoutMs: j.Timeout.Milliseconds(),
		Timing: uint32(max(j.Timing, 0)), MaxAddresses: uint32(max(j.MaxAddresses, 0))}
	for _, p := range j.AllowedPrefixes {
		w.AllowedPrefixes = append(w.AllowedPrefixes, p.String())
	}
	return w
}

// commandFromWire converts a command of a known kind; a Discover command must carry its job
// with an allow-list.
func commandFromWire(c *wirev1.Command, k CommandKind) (Message, error) {
	m := &Command{RequestID: c.RequestId, Kind: k}
	if k != Discover {
		return m, nil
	}
	j := c.Discovery
	if j == nil {
		return nil, protoErr(CodeProtocol, "discover command %q carries no job", c.RequestId)
	}
	switch {
	case len(j.Targets) == 0 || len(j.Targets) > maxJobTargets:
		return nil, protoErr(CodeProtocol, "discover command %q: %d targets, want 1 to %d", c.RequestId, len(j.Targets), maxJobTargets)
	case len(j.AllowedPrefixes) == 0:
		return nil, protoErr(CodeProtocol, "discover command %q has no allow-list: the collector must send the assessor's", c.RequestId)
	case len(j.AllowedPrefixes) > maxJobPrefixes:
		return nil, protoErr(CodeProtocol, "discover command %q: %d allowed prefixes, at most %d", c.RequestId, len(j.AllowedPrefixes), maxJobPrefixes)
	case j.Intensity > 9 || j.Timing > 6 || j.HostTimeoutMs < 0 || j.TimeoutMs < 0:
		return nil, protoErr(CodeProtocol, "discover command %q: intensity, timing or a timeout out of range", c.RequestId)
	}
	if err := shortStrings("discover command", append([]string{j.Ports, j.ServiceDetection}, j.Targets...)...); err != nil {
		return nil, err
	}
	job := &DiscoveryJob{Targets: j.Targets, Ports: j.Ports, TopPorts: int(j.TopPorts), Service: j.ServiceDetection,
		Intensity: int(j.Intensity), HostTimeout: time.Duration(j.HostTimeoutMs) * time.Millisecond,
		Timeout: time.Duration(j.TimeoutMs) * time.Millisecond, Timing: int(j.Timing), MaxAddresses: int(min(j.MaxAddresses, 1<<24))}
	for _, s := range j.AllowedPrefixes {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, protoErr(CodeProtocol, "discover command %q: allowed prefix %.80q: %v", c.RequestId, s, err)
		}
		job.AllowedPrefixes = append(job.AllowedPrefixes, p.Masked())
	}
	m.Discovery = job
	return m, nil
}

func progressToWire(p *JobProgress) *wirev1.JobProgress {
	return &wirev1.JobProgress{RequestId: p.RequestID, Task: p.Task, Percent: p.Percent, RemainingMs: p.Remaining.Milliseconds(),
		HostsDone: uint32(max(p.HostsDone, 0)), Done: p.Done}
}

func progressFromWire(p *wirev1.JobProgress) (Message, error) {
	if err := shortStrings("job progress", p.RequestId, p.Task); err != nil {
		return nil, err
	}
	return &JobProgress{RequestID: p.RequestId, Task: p.Task, Percent: p.Percent, Remaining: time.Duration(max(p.RemainingMs, 0)) * time.Millisecond,
		HostsDone: int(p.HostsDone), Done: p.Done}, nil
}
