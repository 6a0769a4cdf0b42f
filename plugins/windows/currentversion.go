package windows

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// currentVersionPath is the key deviceFromCurrentVersion reads, below HKEY_LOCAL_MACHINE.
const currentVersionPath = `SOFTWARE\Microsoft\Windows NT\CurrentVersion`

// firstWindows11Build is the first build of Windows 11: ProductName still says "Windows 10" on
// Windows 11 (Microsoft never changed the value), so the build number decides.
const firstWindows11Build = 22000

// firstWindows10Build is the first build of Windows 10 (version 1507).
const firstWindows10Build = 10240

var (
	// serverName matches "Windows Server 2022 Standard", "Windows Server 2012 R2 Datacenter",
	// and the Annual Channel's "Windows Server Datacenter" (no year).
	serverName = regexp.MustCompile(`^Windows Server(?: (\d{4}(?: R2)?))?(?: (.*))?$`)
	// clientName matches "Windows 10 Pro", "Windows 8.1 Enterprise", "Windows 7 Professional".
	clientName = regexp.MustCompile(`^Windows (\d+(?:\.\d+)?)(?: (.*))?$`)
)

// deviceFromCurrentVersion maps the values of HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion
// to device facts and the CE+ build key.
//
// Clients: OSVersion is "11" from build 22000 on and "10" from build 10240 on, whatever
// ProductName says; older releases take the number in ProductName ("8.1"). The edition is the
// rest of ProductName after "Windows <n> " ("Pro", "Enterprise", "Enterprise LTSC 2021",
// "Pro for Workstations"), falling back to EditionID. The feature update is DisplayVersion,
// falling back to ReleaseId (releases before 20H2 have only ReleaseId, for example "1909").
//
// Servers (InstallationType "Server" or "Server Core"): OSVersion is "Server 2022" from
// ProductName and the edition is what follows the year ("Standard", "Datacenter"). See
// inventory.BuildKey for why a year-named server's key leaves out the feature update.
func deviceFromCurrentVersion(v regValues) (inventory.Device, error) {
	product := strings.TrimSpace(v.str("ProductName"))
	buildStr := strings.TrimSpace(v.str("CurrentBuild"))
	if buildStr == "" {
		buildStr = strings.TrimSpace(v.str("CurrentBuildNumber"))
	}
	build, err := strconv.Atoi(buildStr)
	if err != nil {
		return inventory.Device{}, fmt.Errorf("registry %s: CurrentBuild %q is not a build number", currentVersionPath, buildStr)
	}
	if product == "" {
		return inventory.Device{}, fmt.Errorf("registry %s: ProductName is empty", currentVersionPath)
	}
	d := inventory.Device{
		OSFamily:      inventory.FamilyWindows,
		FeatureUpdate: strings.TrimSpace(v.str("DisplayVersion")),
		OSBuild:       buildStr,
	}
	if d.FeatureUpdate == "" {
		d.FeatureUpdate = strings.TrimSpace(v.str("ReleaseId"))
	}
	if ubr, ok := v.num("UBR"); ok {
		d.OSBuild = fmt.Sprintf("%d.%d", build, ubr)
	}
	editionID := strings.TrimSpace(v.str("EditionID"))
	isServer := strings.HasPrefix(v.str("InstallationType"), "Server") || strings.HasPrefix(product, "Windows Server")

	switch m := serverName.FindStringSubmatch(product); {
	case isServer && m != nil:
		d.OSVersion = strings.TrimSpace("Server " + m[1])
		d.Edition = m[2]
	case isServer:
		d.OSVersion = "Server"
		d.Edition = editionID
	default:
		m := clientName.FindStringSubmatch(product)
		switch {
		case build >= firstWindows11Build:
			d.OSVersion = "11"
		case build >= firstWindows10Build:
			d.OSVersion = "10"
		case m != nil:
			d.OSVersion = m[1]
		default:
			return inventory.Device{}, fmt.Errorf("registry %s: ProductName %q names no Windows version", currentVersionPath, product)
		}
		if m != nil {
			d.Edition = m[2]
		}
	}
	if d.Edition == "" {
		d.Edition = editionID
	}
	d.OSName = strings.Join(nonEmpty("Windows", d.OSVersion, d.Edition), " ")
	d.Build = inventory.BuildKey(d)
	return d, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
