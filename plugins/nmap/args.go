package nmap

import (
	"strconv"
	"time"
)

// plan is the nmap command line for one run and what it implies for the result.
type plan struct {
	args       []string
	privileged bool
	scanType   string
	warnings   []string
}

// buildArgs returns nmap's arguments for o over the validated targets. privileged is whether
// this process may send raw packets. The fixed part: -n (never DNS), -v (down hosts in the XML),
// --noninteractive, progress every StatsEvery, XML on stdout.
func buildArgs(o Options, set targetSet, privileged bool) plan {
	every := o.StatsEvery
	if every == 0 {
		every = 2 * time.Second
	}
	p := plan{privileged: privileged && !o.Unprivileged}
	a := []string{"-n", "-v", "--noninteractive", "--stats-every", durationArg(every), "-oX", "-"}
	if set.ipv6 {
		a = append(a, "-6")
	}
	if p.privileged {
		a = append(a, "-sS")
		p.scanType = "syn"
	} else {
		a = append(a, "-sT")
		p.scanType = "connect"
		if o.Unprivileged {
			a = append(a, "--unprivileged")
		}
		reason := "not running as root"
		if privileged {
			reason = "unprivileged scan requested"
		}
		p.warnings = append(p.warnings, reason+": TCP connect scan (-sT) instead of SYN scan")
	}
	switch {
	case o.Ports != "":
		a = append(a, "-p", o.Ports)
	case o.TopPorts > 0:
		a = append(a, "--top-ports", strconv.Itoa(o.TopPorts))
	}
	switch o.Service {
	case ServiceLight:
		a = append(a, "-sV", "--version-light")
	case ServiceDefault:
		a = append(a, "-sV")
	case ServiceAll:
		a = append(a, "-sV", "--version-all")
	case ServiceIntensity:
		a = append(a, "-sV", "--version-intensity", strconv.Itoa(o.Intensity))
	}
	if o.OSDetection {
		if p.privileged {
			a = append(a, "-O")
		} else {
			p.warnings = append(p.warnings, "OS detection needs root: dropped")
		}
	}
	if o.Timing != TimingDefault {
		a = append(a, "-T"+strconv.Itoa(int(o.Timing)-1))
	}
	if o.HostTimeout > 0 {
		a = append(a, "--host-timeout", durationArg(o.HostTimeout))
	}
	if o.HostGroup > 0 {
		a = append(a, "--max-hostgroup", strconv.Itoa(o.HostGroup))
	}
	p.args = append(a, set.args()...)
	return p
}

// durationArg writes d in nmap's time syntax, in milliseconds ("2000ms"), at least 1 ms.
func durationArg(d time.Duration) string {
	ms := d.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	return strconv.FormatInt(ms, 10) + "ms"
}
