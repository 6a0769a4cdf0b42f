package discovery

import "time"

// Progress is a discovery source's report on the task it is running, passed to the caller while
// the run goes on. Percent and Remaining are the scanner's own estimate for the current task: the
// percentage can go back when a new task starts and can stall for a long time (nmap on a service
// it does not recognise), so Remaining must never be shown as an ETA.
type Progress struct {
	// Task is the scanner's task name, for example "Connect Scan" or "Service scan".
	Task      string        `json:"task"`
	Percent   float64       `json:"percent"`
	Remaining time.Duration `json:"remaining"`
	// Done is true when the scanner reported the end of Task.
	Done bool `json:"done,omitempty"`
	// HostsDone is the number of hosts the scanner has completed so far in this run.
	HostsDone int `json:"hosts_done"`
}
