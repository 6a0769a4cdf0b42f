package macos

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

func TestApplications(t *testing.T) {
	got, errs := applications(context.Background(), os.DirFS("testdata/root"))
	want := []inventory.Application{
		{Name: "Adobe Photoshop 2024", Version: "25.12.0", ID: "com.adobe.Photoshop"}, // in a folder
		{Name: "Firefox", Version: "133.0.3", ID: "org.mozilla.firefox"},
		{Name: "Google Chrome", Version: "131.0.6778.205", ID: "com.google.Chrome"},
		{Name: "Microsoft Word", Version: "16.92", ID: "com.microsoft.Word"}, // binary plist
		{Name: "Safari", Version: "17.5", ID: "com.apple.Safari"},
		{Name: "Install Something", Version: "1.2", ID: "com.example.installer"}, // CFBundleVersion only, found once
		{Name: "Terminal", Version: "2.14", ID: "com.apple.Terminal"},
		{Name: "Visual Studio Code", Version: "1.96.2", ID: "com.microsoft.VSCode"}, // ~/Applications
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("applications (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "/Applications/Broken.app: read Info.plist") {
		t.Errorf("errors = %v, want one for Broken.app", errs)
	}
}
