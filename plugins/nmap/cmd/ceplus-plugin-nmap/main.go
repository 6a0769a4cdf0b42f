// Command ceplus-plugin-nmap is the nmap network discovery source as a signed go-plugin binary,
// started by ceplus-agent discover. Run it with "describe" to print its JSON manifest.
package main

import (
	"github.com/ceplus/ceplus/plugins/nmap"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	pluginapi.Serve(nmap.Source{})
}
