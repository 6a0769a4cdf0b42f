package inventory

import (
	"fmt"
	"time"
)

// SchemaVersion is the version of the Inventory JSON layout.
const SchemaVersion = 1

// OS families, as the lower-case identifiers of /etc/os-release ID (Linux) or the platform name.
const (
	FamilyDebian    = "debian"
	FamilyUbuntu    = "ubuntu"
	FamilyAlpine    = "alpine"
	FamilyRHEL      = "rhel"
	FamilyRocky     = "rocky"
	FamilyAlmaLinux = "almalinux"
	FamilyFedora    = "fedora"
	FamilySUSE      = "sles"
	FamilyOpenSUSE  = "opensuse-leap"
	FamilyWindows   = "windows"
	FamilyMacOS     = "macos"
)

// Device holds the facts about the endpoint itself.
type Device struct {
	Hostname  string `json:"hostname"`
	MachineID string `json:"machine_id,omitempty"`
	// OSFamily is one of the Family constants (or another os-release ID).
	OSFamily string `json:"os_family"`
	// OSName is the human name, for example "Debian GNU/Linux" or "Windows 11 Pro".
	OSName string `json:"os_name,omitempty"`
	// OSVersion is the version as the OS states it: "12", "24.04", "3.20.3", "9.4", "14.5", "11".
	OSVersion string `json:"os_version"`
	// Edition is the product edition where the OS has one: "Pro", "Enterprise", "Server Standard".
	Edition string `json:"edition,omitempty"`
	// FeatureUpdate is the feature-update level where the OS has one: "24H2".
	FeatureUpdate string `json:"feature_update,omitempty"`
	// OSBuild is the OS build number where the OS has one, for Windows "26100.2605" (build.UBR).
	OSBuild string `json:"os_build,omitempty"`
	Kernel  string `json:"kernel,omitempty"`
	Arch    string `json:"arch,omitempty"`
	// Ecosystem is the OSV ecosystem of the OS packages, such as "Debian:12" or "Alpine:v3.20".
	Ecosystem string `json:"ecosystem,omitempty"`
	// Build is the CE+ build key of RULES.md §1.1, derived by BuildKey.
	Build string `json:"build"`
	// ESM is set when the device is enrolled in its vendor's paid extended security support
	// (Ubuntu Pro ESM, Windows ESU, Red Hat ELS, Debian ELTS): those periods then count as
	// supported (RULES.md §1.4). No source reports it yet; false when unknown.
	ESM bool `json:"esm,omitempty"`
}

// Package is one installed package, with its version exactly as the package manager records it.
type Package struct {
	Name string `json:"name"`
	// Version is exact: dpkg "1:1.2.13.dfsg-1" (epoch kept), rpm "1:3.0.7-16.el9_2" (epoch kept
	// whenever the package has one), apk "1.2.4_git20230717-r4".
	Version string `json:"version"`
	// SourceName and SourceVersion name the source package (dpkg Source:, apk origin, rpm
	// source RPM), by which OS advisories are keyed.
	SourceName    string `json:"source_name"`
	SourceVersion string `json:"source_version"`
	// Ecosystem is in OSV naming: "Debian:12", "Ubuntu:24.04:LTS", "Alpine:v3.20", "Rocky Linux:9".
	Ecosystem string `json:"ecosystem"`
	Arch      string `json:"arch"`
}

// PendingUpdate is an update the system itself reports as available and not yet installed.
type PendingUpdate struct {
	// Name is the package name, or the update id (for example a Windows KB number).
	Name      string `json:"name"`
	Installed string `json:"installed"`
	Candidate string `json:"candidate"`
	// Origin says where the update comes from, for example "Debian-Security bookworm-security".
	Origin string `json:"origin"`
	// Security is true when the update comes from a security suite or is classed as a security update.
	Security bool   `json:"security"`
	Arch     string `json:"arch,omitempty"`
	// Released is the date the vendor released the update (YYYY-MM-DD), when the OS knows it.
	Released string `json:"released,omitempty"`
	// Severity is the vendor's severity where the OS reports one (for example MSRC "Critical").
	Severity string   `json:"severity,omitempty"`
	Title    string   `json:"title,omitempty"`
	IDs      []string `json:"ids,omitempty"`
}

// InstalledUpdate is an update recorded as installed, for example a Windows KB.
type InstalledUpdate struct {
	ID          string `json:"id"`
	Title       string `json:"title,omitempty"`
	InstalledOn string `json:"installed_on,omitempty"`
}

// Application is installed software outside a package manager: Windows uninstall entries,
// macOS application bundles.
type Application struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Publisher string `json:"publisher,omitempty"`
	// ID is the platform's identifier: a bundle id or an uninstall key name.
	ID string `json:"id,omitempty"`
}

// Status is how a source run ended.
type Status string

// Source outcomes. NotApplicable means the source found nothing to collect on this system
// (no dpkg database on an RPM host): it is neither a success nor a failure.
const (
	Succeeded     Status = "succeeded"
	Partial       Status = "partial"
	Failed        Status = "failed"
	NotApplicable Status = "not_applicable"
)

// SourceStatus records one source's run. Missing evidence is never compliant: a Failed or
// Partial source is reported, not hidden.
type SourceStatus struct {
	Name       string   `json:"name"`
	Version    string   `json:"version,omitempty"`
	Status     Status   `json:"status"`
	Errors     []string `json:"errors,omitempty"`
	DurationMS int64    `json:"duration_ms"`
}

// Inventory is one endpoint's complete report.
type Inventory struct {
	Schema           int               `json:"schema"`
	CollectedAt      time.Time         `json:"collected_at"`
	Device           Device            `json:"device"`
	Packages         []Package         `json:"packages"`
	PendingUpdates   []PendingUpdate   `json:"pending_updates"`
	InstalledUpdates []InstalledUpdate `json:"installed_updates,omitempty"`
	Applications     []Application     `json:"applications,omitempty"`
	Sources          []SourceStatus    `json:"sources"`
}

// Result is what one source contributes. Device facts that a source does not know stay empty.
type Result struct {
	Device           Device            `json:"device"`
	Packages         []Package         `json:"packages,omitempty"`
	PendingUpdates   []PendingUpdate   `json:"pending_updates,omitempty"`
	InstalledUpdates []InstalledUpdate `json:"installed_updates,omitempty"`
	Applications     []Application     `json:"applications,omitempty"`
	Status           SourceStatus      `json:"status"`
}

// Validate checks what every consumer relies on and names the first offending item.
func (inv *Inventory) Validate() error {
	if inv.Schema != SchemaVersion {
		return fmt.Errorf("inventory schema %d is not supported (want %d)", inv.Schema, SchemaVersion)
	}
	if inv.Device.OSFamily == "" {
		return fmt.Errorf("inventory device.os_family is empty")
	}
	for i, p := range inv.Packages {
		if p.Name == "" || p.Version == "" {
			return fmt.Errorf("inventory packages[%d]: name %q and version %q must both be set", i, p.Name, p.Version)
		}
	}
	for i, u := range inv.PendingUpdates {
		if u.Name == "" {
			return fmt.Errorf("inventory pending_updates[%d]: name is empty", i)
		}
	}
	for i, s := range inv.Sources {
		switch s.Status {
		case Succeeded, Partial, Failed, NotApplicable:
		default:
			return fmt.Errorf("inventory sources[%d] %q: status %q is not one of succeeded, partial, failed, not_applicable", i, s.Name, s.Status)
		}
	}
	return nil
}
