// Package pluginapi is the contract between the ceplus agent and its source plugins: the Source
// interface every source implements, the go-plugin handshake and gRPC glue, and the signed
// manifest that decides which plugin binaries the agent will run.
package pluginapi

import (
	"context"
	"errors"

	"github.com/ceplus/ceplus/shared/inventory"
)

// APIVersion is the version of the source plugin protocol; a plugin built for another version
// is refused at handshake.
const APIVersion = 1

// Kinds of source. A package source reports an inventory; a discovery source (network
// discovery) reports hosts and services and never packages.
const (
	KindPackages  = "packages"
	KindDiscovery = "discovery"
)

// Info describes a source: what it is and what it needs to run.
type Info struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	// OS lists the GOOS values the source runs on ("linux", "windows", "darwin").
	OS []string `json:"os"`
	// RunningSystem is true when the source needs the live system (it runs commands or reads the
	// registry) rather than only files under Request.Root.
	RunningSystem bool `json:"running_system"`
	// Root is true when the source needs root or Administrator rights for a complete result.
	Root        bool   `json:"root"`
	Description string `json:"description,omitempty"`
}

// Request is what the agent asks of a source.
type Request struct {
	// Root is the filesystem root to read, "/" for the running system, or a mounted image.
	Root string `json:"root"`
}

// ErrNotApplicable is returned (wrapped) by Collect when there is nothing to collect on this
// system, for example no dpkg database on an RPM host. It is neither success nor failure.
var ErrNotApplicable = errors.New("source not applicable to this system")

// Source is one inventory source. Collect returns what it found; a partial result comes with
// Status Partial and the per-item errors in Status.Errors. Collect must honour ctx.
type Source interface {
	Info() Info
	Collect(ctx context.Context, req Request) (inventory.Result, error)
}
