// Command ceplus-plugin-macos is the macos inventory source as a signed go-plugin binary, started
// by ceplus-agent. Run it with "describe" to print its JSON manifest.
package main

import (
	"github.com/ceplus/ceplus/plugins/macos"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	pluginapi.Serve(macos.New())
}
