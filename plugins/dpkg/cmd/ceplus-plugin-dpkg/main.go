// Command ceplus-plugin-dpkg is the dpkg inventory source as a signed go-plugin binary, started
// by ceplus-agent. Run it with "describe" to print its JSON manifest.
package main

import (
	"github.com/ceplus/ceplus/plugins/dpkg"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	pluginapi.Serve(dpkg.New())
}
