package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/ceplus/ceplus/agent/internal/daemon"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// discoveryFlags are the flags of `ceplus-agent run` that let the collector run discovery jobs.
type discoveryFlags struct {
	enabled *bool
	allow   *string
	nmap    *string
}

func addDiscoveryFlags(fs *flag.FlagSet) discoveryFlags {
	return discoveryFlags{
		enabled: fs.Bool("discovery", false, "let the collector run network discovery jobs on this machine through the signed nmap plugin (an assessor marks the agent as a scanner)"),
		allow:   fs.String("discovery-allow", "", "comma-separated CIDR `prefixes` that bound every discovery job's allow-list on this machine (default: the assessor's allow-list alone)"),
		nmap:    fs.String("nmap", "", "nmap binary `path` for discovery jobs (default: nmap from PATH)"),
	}
}

// config fills the daemon's discovery settings: nothing unless --discovery was given.
func (f discoveryFlags) config(stdio cmdline.IO, plugins string, log *slog.Logger, cfg *daemon.Config) error {
	if !*f.enabled {
		if *f.allow != "" || *f.nmap != "" {
			return fmt.Errorf("--discovery-allow and --nmap need --discovery")
		}
		return nil
	}
	for _, s := range splitList(*f.allow) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("--discovery-allow %q: not a CIDR prefix: %v", s, err)
		}
		cfg.DiscoveryAllow = append(cfg.DiscoveryAllow, p.Masked())
	}
	l, err := pluginLoader(plugins, stdio.Stderr)
	if err != nil {
		return err
	}
	l.Log = slogWriter{log}
	scanner := *f.nmap
	cfg.Discover = func(ctx context.Context, req pluginapi.DiscoveryRequest, progress func(discovery.Progress)) (discovery.Result, error) {
		req.ScannerPath = scanner
		return l.Discover(ctx, discoverySource, req, progress)
	}
	return nil
}
