package main

import (
	"os"
	"path/filepath"
)

// pkg is one Linux package: its files, as installed, and its maintainer scripts.
type pkg struct {
	Name        string
	Version     string
	Arch        string // GOARCH
	Summary     string
	Description string // one paragraph
	Suggests    string
	Files       []file
	Scripts     string // directory of the Debian maintainer scripts (postinst, prerm, postrm)
}

// file is one installed path: a directory (Src and Link empty), a regular file copied from
// Src, or a symlink to Link. Everything is owned by root.
type file struct {
	Path string
	Src  string
	Link string
	Mode os.FileMode
}

// unitDir is where packages put systemd units (Debian's; RPM's is below /usr, see rpmPath).
const unitDir = "/lib/systemd/system"

// agentPackage lays out ceplus-agent: the agent and its signed plugins in the root-owned
// /usr/lib/ceplus (README "Plugin trust"), /usr/bin/ceplus-agent linked to it, and the unit.
func (r *release) agentPackage(b *build) pkg {
	const lib = "/usr/lib/ceplus"
	p := pkg{Name: "ceplus-agent", Version: r.Version, Arch: b.Target.Arch, Suggests: "nmap",
		Summary: "Cyber Essentials Plus audit agent",
		Description: "Inventories this endpoint's operating system, installed software and pending updates " +
			"through signed source plugins and reports them to a ceplus collector over QUIC with mutual TLS. " +
			"The service starts only once the agent is enrolled (ceplus-agent enrol). " +
			"nmap is needed only on a scanner agent (network discovery).",
		Scripts: filepath.Join(r.Module, "deploy", "package", "ceplus-agent"),
		Files:   []file{{Path: lib, Mode: 0o755}},
	}
	for _, e := range b.signedSet() {
		p.Files = append(p.Files, file{Path: lib + "/" + e.Name, Src: filepath.Join(b.Dir, e.Name), Mode: e.Mode})
	}
	return withUnit(r, p, file{Path: "/usr/bin/ceplus-agent", Link: lib + "/ceplus-agent"}, "ceplus-agent.service")
}

// collectorPackage lays out ceplus-collector: the binary, its unit (a systemd DynamicUser with
// /var/lib/ceplus-collector as StateDirectory: no account to create) and the QUIC sysctls.
func (r *release) collectorPackage(b *build) pkg {
	p := pkg{Name: "ceplus-collector", Version: r.Version, Arch: b.Target.Arch,
		Summary: "Cyber Essentials Plus audit collector",
		Description: "Receives ceplus agent inventories over QUIC (UDP 4433), assesses them against the " +
			"Cyber Essentials Plus rules and serves the API and web UI (TCP 8443). Data in /var/lib/ceplus-collector.",
		Scripts: filepath.Join(r.Module, "deploy", "package", "ceplus-collector"),
		Files: []file{{Path: "/usr/lib/sysctl.d/90-ceplus-quic.conf", Mode: 0o644,
			Src: filepath.Join(r.Module, "deploy", "sysctl", "90-ceplus-quic.conf")}},
	}
	return withUnit(r, p, file{Path: "/usr/bin/ceplus-collector", Src: filepath.Join(b.Dir, b.Collector), Mode: 0o755}, "ceplus-collector.service")
}

// withUnit adds the command in /usr/bin and the systemd unit of deploy/systemd to p.
func withUnit(r *release, p pkg, bin file, unit string) pkg {
	p.Files = append(p.Files, bin, file{Path: unitDir + "/" + unit, Mode: 0o644,
		Src: filepath.Join(r.Module, "deploy", "systemd", unit)})
	return p
}
