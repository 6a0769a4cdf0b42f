package nmap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
)

// Source is the nmap discovery source as a pluginapi.DiscoverySource: the plugin binary
// cmd/ceplus-plugin-nmap serves it to the agent.
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

// Discover runs one discovery for the agent (see the package function Discover). A bad option or
// target is returned wrapping pluginapi.ErrInvalidRequest as well as this package's own error.
// req.Timeout is applied by the caller (pluginapi.Serve bounds ctx with it).
func (Source) Discover(ctx context.Context, req pluginapi.DiscoveryRequest, progress func(discovery.Progress)) (discovery.Result, error) {
	res, err := Discover(ctx, OptionsFrom(req), progress)
	var te *TargetError
	if errors.As(err, &te) || errors.Is(err, ErrInvalidOptions) {
		err = fmt.Errorf("%w: %w", pluginapi.ErrInvalidRequest, err)
	}
	return res, err
}

// OptionsFrom maps a plugin request to Options. Host names are resolved with the system resolver
// when the request allows names; the clock is the plugin's own.
func OptionsFrom(req pluginapi.DiscoveryRequest) Options {
	o := Options{Targets: req.Targets, Ports: req.Ports, TopPorts: req.TopPorts, Service: ServiceMode(req.Service),
		Intensity: req.Intensity, HostTimeout: req.HostTimeout, Timing: Timing(req.Timing), OSDetection: req.OSDetection,
		HostGroup: req.HostGroup, AllowNames: req.AllowNames, AllowedPrefixes: req.AllowedPrefixes,
		MaxAddresses: req.MaxAddresses, Unprivileged: req.Unprivileged, NmapPath: req.ScannerPath, Now: time.Now}
	if req.AllowNames {
		o.Resolver = net.DefaultResolver
	}
	return o
}
