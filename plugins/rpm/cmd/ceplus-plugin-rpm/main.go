// Command ceplus-plugin-rpm is the rpm inventory source as a signed go-plugin binary, started
// by ceplus-agent. Run it with "describe" to print its JSON manifest.
package main

import (
	"github.com/ceplus/ceplus/plugins/rpm"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	pluginapi.Serve(rpm.New())
}
