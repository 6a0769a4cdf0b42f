package nmap

import (
	"context"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
)

// Source is the nmap discovery source as the agent lists its sources. The plugin protocol has no
// discovery call yet, so it runs in-process: Info describes it, Discover runs it.
type Source struct{}

// Info describes the source: a discovery source (hosts and services, never packages) that runs
// the nmap binary, better as root (SYN scan, OS detection) but usable without.
func (Source) Info() pluginapi.Info {
	return pluginapi.Info{
		Name:          Name,
		Version:       version.Version,
		Kind:          pluginapi.KindDiscovery,
		OS:            []string{"linux", "darwin", "windows"},
		RunningSystem: true,
		Root:          false,
		Description: "Network discovery with the nmap binary: hosts, MAC vendor, OS guess (root), and " +
			"exposed services with product, version and CPE; targets validated and allow-listed before nmap starts.",
	}
}

// Discover runs a discovery; see the package function Discover.
func (Source) Discover(ctx context.Context, o Options, progress func(Progress)) (discovery.Result, error) {
	return Discover(ctx, o, progress)
}
