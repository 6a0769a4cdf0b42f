package nmap

import (
	"regexp"
	"testing"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

func TestSourceInfo(t *testing.T) {
	info := Source{}.Info()
	if info.Kind != pluginapi.KindDiscovery || info.Name != Name || !regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(info.Name) {
		t.Errorf("Info = %+v, want a discovery source named %q", info, Name)
	}
	if !info.RunningSystem || info.Root {
		t.Errorf("Info = %+v: nmap runs on the live system and works, degraded, without root", info)
	}
}
