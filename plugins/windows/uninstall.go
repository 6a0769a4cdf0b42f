package windows

import (
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// applicationsFromUninstall maps the subkeys of the uninstall keys to applications, as
// "Installed apps" (Programs and Features) lists them: entries without a DisplayName and
// entries with SystemComponent = 1 (parts of another product, such as the Visual C++ minimum
// runtimes under their redistributable) are left out. Name is DisplayName, Version is
// DisplayVersion (empty when the installer wrote none), Publisher is Publisher and ID is the
// subkey's name (a product code such as "{GUID}" for MSI packages).
func applicationsFromUninstall(keys []regKey) []inventory.Application {
	var out []inventory.Application
	for _, k := range keys {
		name := strings.TrimSpace(k.Values.str("DisplayName"))
		if name == "" {
			continue
		}
		if sc, ok := k.Values.num("SystemComponent"); ok && sc == 1 {
			continue
		}
		out = append(out, inventory.Application{
			Name:      name,
			Version:   strings.TrimSpace(k.Values.str("DisplayVersion")),
			Publisher: strings.TrimSpace(k.Values.str("Publisher")),
			ID:        k.Path[strings.LastIndexByte(k.Path, '\\')+1:],
		})
	}
	return out
}
