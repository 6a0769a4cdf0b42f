package cli

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	neturl "net/url"
	"strings"
	"text/tabwriter"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
)

func runDiscoveryList(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("discovery list", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var ov assess.DiscoveryOverview
	return c.call(ctx, "GET", c.discovery(""), nil, "", &ov, func() {
		tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RUN\tSCANNER\tSTARTED\tSTATE\tTARGETS\tUP\tSERVICES\tVULNERABLE\tUNSUPPORTED\tUNVERIFIED")
		for _, r := range ov.Runs {
			up, svcs, vul, uns, unv := "-", "-", "-", "-", "-"
			if s := r.Summary; s != nil {
				up, svcs = fmt.Sprint(s.HostsUp), fmt.Sprint(s.Services)
				vul, uns, unv = fmt.Sprint(s.Findings[exposure.ClassVulnerable]), fmt.Sprint(s.Findings[exposure.ClassUnsupported]), fmt.Sprint(s.Findings[exposure.ClassUnverified])
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Run, r.Agent[:12], r.StartedAt.Format("2006-01-02 15:04"), r.State,
				strings.Join(r.Job.Targets, ","), up, svcs, vul, uns, unv)
		}
		tw.Flush()
		for _, x := range ov.Excluded {
			fmt.Fprintf(stdio.Stdout, "out of scope: %s (%s, run %s): %s\n", x.Address, x.At.Format("2006-01-02"), x.Run, x.Reason)
		}
	})
}

func runDiscoveryShow(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("discovery show", stdio, "ID [RUN|latest] [--json]")
	if code, ok := c.parseBetween(args, 1, 2); !ok {
		return code
	}
	var r assess.RunDetail
	return c.callE(ctx, "GET", c.discovery("/runs/"+neturl.PathEscape(c.args[1])), nil, "", &r, func() error {
		printRunSummary(stdio, r.RunView)
		if r.Live != nil && r.Live.Last != nil && !r.Live.Done {
			fmt.Fprintf(stdio.Stdout, "  progress: %s %.1f%%, %d host(s) done\n", r.Live.Last.Task, r.Live.Last.Percent, r.Live.Last.HostsDone)
		}
		if r.Result != nil {
			return printHosts(stdio.Stdout, r.Result.Hosts)
		}
		return nil
	})
}

// printHosts writes one line per port of every up host.
func printHosts(w io.Writer, hosts []discovery.Host) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tMAC\tPORT\tSTATE\tSERVICE\tPRODUCT\tVERSION\tMETHOD")
	for _, h := range hosts {
		if !h.Up() {
			continue
		}
		addr, mac := addrList(h.Addresses), dash(h.MAC)
		if len(h.Services) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t\t\t\t\t\n", addr, mac)
		}
		for _, s := range h.Services {
			fmt.Fprintf(tw, "%s\t%s\t%d/%s\t%s\t%s\t%s\t%s\t%s/%d\n", addr, mac, s.Port, s.Protocol, s.State, dash(s.Name), dash(s.Product), dash(s.Version), dash(s.Method), s.Confidence)
			addr, mac = "", ""
		}
	}
	return tw.Flush()
}

func addrList(as []netip.Addr) string {
	ss := make([]string, len(as))
	for i, a := range as {
		ss[i] = a.String()
	}
	return strings.Join(ss, ",")
}

func runDiscoveryReconcile(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("discovery reconcile", stdio, "ID [RUN|latest] [--json]")
	if code, ok := c.parseBetween(args, 1, 2); !ok {
		return code
	}
	var v assess.ReconcileView
	return c.call(ctx, "GET", c.discovery("/runs/"+neturl.PathEscape(c.args[1])+"/reconcile"), nil, "", &v, func() {
		w := stdio.Stdout
		rep := v.Report
		fmt.Fprintf(w, "run %s: %d matched, %d in no scope entry, %d scope devices not seen, %d not scanned, %d ambiguous, %d out of scope\n",
			v.Run, len(rep.Matches), len(rep.Unknown), len(rep.NotSeen), len(rep.NotScanned), len(rep.Ambiguous), len(v.Excluded))
		for _, h := range rep.Unknown {
			fmt.Fprintf(w, "  IN NO SCOPE ENTRY: %s%s (%d open ports): add it ('discovery add %s %s %s --type T --build B') or exclude it with a reason\n",
				addrList(h.Addresses), macSuffix(h.MAC), openPorts(h), c.args[0], v.Run, primary(h))
		}
		for _, d := range rep.NotSeen {
			fmt.Fprintf(w, "  NOT SEEN: scope device %s (%s, %s)\n", d.ID, d.Build, dash(addrList(d.Addresses)))
		}
		for _, d := range rep.NotScanned {
			fmt.Fprintf(w, "  not scanned (outside the run's targets): %s\n", d.ID)
		}
		for _, a := range rep.Ambiguous {
			fmt.Fprintf(w, "  AMBIGUOUS: %s matches %s by %s: correct the scope\n", a.Host, strings.Join(a.DeviceIDs, ", "), a.By)
		}
		for _, x := range v.Excluded {
			fmt.Fprintf(w, "  out of scope: %s: %s\n", addrList(x.Host.Addresses), x.Exclusion.Reason)
		}
		for _, p := range v.Problems {
			fmt.Fprintf(w, "  problem: %s\n", p)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "BUILD\tDECLARED\tFOUND\tNOT SEEN\tNOT SCANNED")
		for _, b := range rep.Builds {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", b.Build, b.Declared, b.Found, b.NotSeen, b.NotScanned)
		}
		tw.Flush()
	})
}

func macSuffix(mac string) string {
	if mac == "" {
		return ""
	}
	return " MAC " + mac
}

func primary(h discovery.Host) string {
	if len(h.Addresses) == 0 {
		return "ADDRESS"
	}
	return h.Addresses[0].String()
}

func openPorts(h discovery.Host) int {
	n := 0
	for _, s := range h.Services {
		if s.State == "open" {
			n++
		}
	}
	return n
}

func runDiscoveryAdd(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("discovery add", stdio, "ID RUN ADDRESS --type T --build B [--device ID] [--hostname H] [--json]\n\n"+
		"Adds a host the run found in no scope entry to the scope. Allowed until Sample 1 is committed; after a\n"+
		"freeze the scope is frozen again with the host, and both steps are recorded.")
	var req assess.AddHostRequest
	c.fs.StringVar(&req.Type, "type", "", "device `TYPE`: desktop, laptop, thin_client, server, mobile, network or other")
	c.fs.StringVar(&req.Build, "build", "", "the device's `BUILD` as the assessor declares it (e.g. \"Debian 12\")")
	c.fs.StringVar(&req.Device, "device", "", "scope entry `ID` (default host-<address>)")
	c.fs.StringVar(&req.Hostname, "hostname", "", "the device's `HOSTNAME`")
	if code, ok := c.parse(args, 3); !ok {
		return code
	}
	req.Run, req.Address = c.args[1], c.args[2]
	body, err := jsonBody(req)
	if err != nil {
		return c.fail(err)
	}
	var res assess.AddHostResult
	return c.call(ctx, "POST", c.discovery("/scope"), body, "application/json", &res, func() {
		fmt.Fprintf(stdio.Stdout, "added %s (%s, %s, %s) to the scope\n", res.Device.ID, res.Device.Type, res.Device.Build, strings.Join(res.Device.Addresses, ","))
		if res.Refrozen {
			fmt.Fprintf(stdio.Stdout, "the scope was frozen again: %s\n", res.ScopeHash)
		}
	})
}

func runDiscoveryExclude(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("discovery exclude", stdio, "ID RUN ADDRESS --reason TEXT [--json]")
	var req assess.ExcludeRequest
	c.fs.StringVar(&req.Reason, "reason", "", "why the host is out of scope (recorded in the history)")
	if code, ok := c.parse(args, 3); !ok {
		return code
	}
	req.Run, req.Address = c.args[1], c.args[2]
	body, err := jsonBody(req)
	if err != nil {
		return c.fail(err)
	}
	var x assess.Exclusion
	return c.call(ctx, "POST", c.discovery("/exclusions"), body, "application/json", &x, func() {
		fmt.Fprintf(stdio.Stdout, "host %s marked out of scope: %s\n", x.Address, x.Reason)
	})
}

func runDiscoveryExposure(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("discovery exposure", stdio, "ID [RUN|latest] [--json]")
	if code, ok := c.parseBetween(args, 1, 2); !ok {
		return code
	}
	var v assess.ExposureView
	return c.call(ctx, "GET", c.discovery("/runs/"+neturl.PathEscape(c.args[1])+"/exposure"), nil, "", &v, func() {
		w := stdio.Stdout
		fmt.Fprintf(w, "run %s, %s, snapshot %s: %d vulnerable, %d unsupported; %d unverified leads\n", v.Run, v.Date, dash(shortHash(v.Snapshot)),
			v.Counts[exposure.ClassVulnerable], v.Counts[exposure.ClassUnsupported], v.Counts[exposure.ClassUnverified])
		for _, h := range v.Hosts {
			where := "in no scope entry"
			switch {
			case h.Device != "":
				where = "scope device " + h.Device
			case h.Excluded != nil:
				where = "out of scope: " + h.Excluded.Reason
			}
			fmt.Fprintf(w, "%s (%s)\n", addrList(h.Addresses), where)
			for _, f := range h.Vulnerable {
				printExposure(w, "VULNERABLE", f)
			}
			for _, f := range h.Unsupported {
				printExposure(w, "UNSUPPORTED", f)
			}
			if len(h.Unverified) > 0 {
				fmt.Fprintln(w, "  unverified leads (not confirmed: the banner does not pin the package; check with an agent inventory):")
				for _, f := range h.Unverified {
					printExposure(w, "  unverified", f)
				}
			}
		}
		for _, p := range v.Problems {
			fmt.Fprintf(w, "problem: %s\n", p)
		}
	})
}

func printExposure(w io.Writer, label string, f exposure.Finding) {
	fmt.Fprintf(w, "  %s port %d/%s: %s %s\n", label, f.Evidence.Port, f.Evidence.Protocol, f.Product, f.Version)
	for _, a := range f.Advisories {
		fixed := ""
		if a.Fixed != "" {
			fixed = ", fixed in " + a.Fixed
		}
		fmt.Fprintf(w, "      %s %v: %s %s %s%s\n", a.ID, a.Aliases, a.Ecosystem, a.Package, a.Version, fixed)
	}
	fmt.Fprintf(w, "      why: %s\n      evidence: %s, %s/%d", f.Why, dash(f.Evidence.CPE), f.Evidence.Method, f.Evidence.Confidence)
	if f.Evidence.Fingerprint != "" {
		fmt.Fprintf(w, ", fingerprint %.60q…", f.Evidence.Fingerprint)
	}
	fmt.Fprintln(w)
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
