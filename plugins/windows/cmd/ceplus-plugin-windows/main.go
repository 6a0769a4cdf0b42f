// Command ceplus-plugin-windows is the windows inventory source as a signed go-plugin binary, started
// by ceplus-agent. Run it with "describe" to print its JSON manifest.
package main

import (
	"github.com/ceplus/ceplus/plugins/windows"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	pluginapi.Serve(windows.New())
}
