// Command ceplus-plugin-apk is the apk inventory source as a signed go-plugin binary, started
// by ceplus-agent. Run it with "describe" to print its JSON manifest.
package main

import (
	"github.com/ceplus/ceplus/plugins/apk"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	pluginapi.Serve(apk.New())
}
