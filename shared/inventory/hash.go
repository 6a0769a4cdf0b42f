package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// ContentHash returns the hex SHA-256 of the inventory's matchable content: the OS facts that
// decide matching (family, version, edition, feature update, OS build, kernel, arch, ecosystem,
// build key), the packages, pending updates, installed updates and applications, in canonical
// order. It leaves out what differs between identical hosts (hostname, machine id), the
// collection time and the source statuses, so identical hosts share one matching result.
func (inv *Inventory) ContentHash() string {
	c := *inv
	c.Packages = append([]Package(nil), inv.Packages...)
	c.PendingUpdates = append([]PendingUpdate(nil), inv.PendingUpdates...)
	c.InstalledUpdates = append([]InstalledUpdate(nil), inv.InstalledUpdates...)
	c.Applications = append([]Application(nil), inv.Applications...)
	c.Normalize()
	content := struct {
		Schema           int               `json:"schema"`
		Device           Device            `json:"device"`
		Packages         []Package         `json:"packages"`
		PendingUpdates   []PendingUpdate   `json:"pending_updates"`
		InstalledUpdates []InstalledUpdate `json:"installed_updates"`
		Applications     []Application     `json:"applications"`
	}{c.Schema, c.Device, c.Packages, c.PendingUpdates, c.InstalledUpdates, c.Applications}
	content.Device.Hostname = ""
	content.Device.MachineID = ""
	b, err := json.Marshal(content)
	if err != nil {
		// Every field is a string, bool, int or slice of them: Marshal cannot fail.
		panic("inventory: marshal content: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
