package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// discoverySource is the built-in discovery source the discover command runs.
const discoverySource = "nmap"

// serviceLevels are the --service-detection values.
var serviceLevels = []string{"off", "light", "default", "all"}

func runDiscover(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " discover"
	fs := cmdline.NewFlags("discover", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --targets 127.0.0.1,10.0.0.0/24 [--ports 22,80|--top-ports 100] "+
			"[--service-detection light|default|all|off] [--timeout 2m] [--allow 10.0.0.0/24] [--db DIR] [--json]\n\n"+
			"Runs the signed nmap discovery plugin once over the targets and prints the hosts and services it finds,\n"+
			"with progress on stderr, then the exposure findings (end of life; with --db, advisories).\n"+
			"Targets are checked before nmap starts; nmap never does DNS (-n).\n\n", name)
		fs.PrintDefaults()
	}
	targets := fs.String("targets", "", "comma-separated IP `addresses`, CIDR prefixes or (with --names) host names")
	portList := fs.String("ports", "", "comma-separated `ports` and ranges to scan (default: nmap's top 1,000)")
	topPorts := fs.Int("top-ports", 0, "scan nmap's `N` most common ports instead of --ports")
	service := fs.String("service-detection", "light", "service-version detection: off, light, default or all (default is slow on unknown services)")
	timeout := fs.Duration("timeout", 2*time.Minute, "stop the scan after this long and keep the hosts completed so far")
	hostTimeout := fs.Duration("host-timeout", 0, "give up on a host after this long (its ports are then dropped); 0: no limit")
	timing := fs.Int("timing", -1, "nmap timing template `0-5` (default: nmap's, 3)")
	allow := fs.String("allow", "", "comma-separated CIDR `prefixes` every target must lie in (refused otherwise)")
	names := fs.Bool("names", false, "accept host names as targets, resolved by the plugin with the system resolver")
	osDetect := fs.Bool("os", false, "guess the operating system (needs root; dropped with a warning otherwise)")
	unpriv := fs.Bool("unprivileged", false, "connect scan without OS detection even as root")
	nmapPath := fs.String("nmap", "", "nmap binary `path` (default: nmap from PATH)")
	plugins := fs.String("plugins", "", "`DIR` of the signed plugins (default: beside the ceplus-agent executable)")
	db := fs.String("db", "", "`DIR` of vulnerability snapshots: also look the services up in the newest (or --snapshot)")
	snapHash := fs.String("snapshot", "", "with --db, the snapshot `HASH` (or a unique prefix) to use")
	asJSON := fs.Bool("json", false, "print the result as JSON (with --db: {\"result\": …, \"exposure\": …})")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	}
	req := pluginapi.DiscoveryRequest{Targets: splitList(*targets), Ports: *portList, TopPorts: *topPorts, Service: *service,
		HostTimeout: *hostTimeout, Timeout: *timeout, AllowNames: *names, OSDetection: *osDetect, Unprivileged: *unpriv,
		ScannerPath: *nmapPath}
	switch {
	case len(req.Targets) == 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--targets is required, for example --targets 127.0.0.1,127.0.0.2")
	case !slices.Contains(serviceLevels, *service):
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--service-detection %q: use off, light, default or all", *service)
	case *timing < -1 || *timing > 5:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--timing %d: use 0 to 5", *timing)
	case *timeout <= 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--timeout must be positive, got %v", *timeout)
	case *snapHash != "" && *db == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--snapshot needs --db, the directory of vulnerability snapshots")
	}
	req.Timing = *timing + 1
	for _, s := range splitList(*allow) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--allow %q: not a CIDR prefix: %v", s, err)
		}
		req.AllowedPrefixes = append(req.AllowedPrefixes, p.Masked())
	}
	var snap *vulndb.Snapshot
	if *db != "" {
		dir, m, err := pickSnapshot(*db, *snapHash)
		if err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
		}
		if snap, err = vulndb.Open(ctx, dir, m.Hash); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
		}
	}
	l, err := pluginLoader(*plugins, stdio.Stderr)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	res, err := l.Discover(ctx, discoverySource, req, progressPrinter(stdio.Stderr, name))
	if err != nil {
		code := cmdline.ExitError
		if errors.Is(err, pluginapi.ErrInvalidRequest) {
			code = cmdline.ExitUsage
		}
		return cmdline.Fail(stdio, name, code, "%v", err)
	}
	rep := exposure.Default().Findings(res, snap, calendar.DateOf(time.Now()))
	switch {
	case *asJSON && snap != nil:
		err = cmdline.PrintJSON(stdio.Stdout, struct {
			Result   discovery.Result `json:"result"`
			Exposure exposure.Report  `json:"exposure"`
		}{res, rep})
	case *asJSON:
		err = cmdline.PrintJSON(stdio.Stdout, res)
	default:
		err = printDiscovery(stdio.Stdout, res, rep)
	}
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write result: %v", err)
	}
	if res.Run.Outcome == discovery.Partial {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "partial result: %s", strings.Join(res.Run.Errors, "; "))
	}
	return cmdline.ExitOK
}

// progressPrinter writes one stderr line per nmap progress report. nmap's remaining time is per
// task and often wrong, so it is shown as nmap's estimate, never as an ETA.
func progressPrinter(w io.Writer, name string) func(discovery.Progress) {
	hosts := 0
	return func(p discovery.Progress) {
		switch {
		case p.HostsDone != hosts:
			hosts = p.HostsDone
			fmt.Fprintf(w, "%s: %d host(s) done\n", name, hosts)
		case p.Done:
			fmt.Fprintf(w, "%s: %s done\n", name, p.Task)
		case p.Percent > 0:
			fmt.Fprintf(w, "%s: %s %.1f%% (nmap's estimate for this task: %v left)\n", name, p.Task, p.Percent, p.Remaining)
		case p.Task != "":
			fmt.Fprintf(w, "%s: %s\n", name, p.Task)
		}
	}
}

// printDiscovery writes the human summary: the run, then one line per port of each host, then
// the exposure findings of rep.
func printDiscovery(w io.Writer, res discovery.Result, rep exposure.Report) error {
	r := res.Run
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scanner\t%s, %s scan, service detection %s\n", orDash(r.Scanner), orDash(r.ScanType), r.ServiceDetection)
	fmt.Fprintf(tw, "targets\t%s\n", strings.Join(r.Targets, ","))
	fmt.Fprintf(tw, "outcome\t%s in %v\n", r.Outcome, r.End.Sub(r.Start).Round(time.Millisecond))
	fmt.Fprintf(tw, "hosts\t%d up, %d down, %d scanned\n", r.HostsUp, r.HostsDown, r.HostsTotal)
	for _, m := range r.Warnings {
		fmt.Fprintf(tw, "warning\t%s\n", m)
	}
	for _, m := range r.Errors {
		fmt.Fprintf(tw, "error\t%s\n", m)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tSTATUS\tMAC\tOS\tPORT\tSTATE\tSERVICE\tPRODUCT\tVERSION\tCPE\tMETHOD")
	for _, h := range res.Hosts {
		addr := ""
		if len(h.Addresses) > 0 {
			addr = h.Addresses[0].String()
		}
		if len(h.Hostnames) > 0 {
			addr += " (" + strings.Join(h.Hostnames, ",") + ")"
		}
		mac := orDash(strings.TrimSpace(h.MAC + " " + h.MACVendor))
		osName := "-"
		if h.OS != nil {
			osName = fmt.Sprintf("%s (%d%%)", h.OS.Name, h.OS.Accuracy)
		}
		status := string(h.Status)
		if h.TimedOut {
			status += ", timed out"
		}
		if len(h.Services) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t\t\t\t\t\t\n", addr, status, mac, osName)
			continue
		}
		for i, s := range h.Services {
			if i > 0 {
				addr, status, mac, osName = "", "", "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%s\t%s\t%s\t%s\t%s\t%s\t%s/%d\n", addr, status, mac, osName, s.Port, s.Protocol,
				s.State, orDash(s.Name), orDash(s.Product), orDash(s.Version), orDash(strings.Join(s.CPEs, " ")), orDash(s.Method), s.Confidence)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printFindings(w, rep)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
