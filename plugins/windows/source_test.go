package windows

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeHost answers from testdata; a non-nil error field makes that call fail.
type fakeHost struct {
	t           *testing.T
	cvErr       error
	hotfix      string
	onlineErr   error
	onlineOut   string
	cachedErr   error
	cachedOut   string
	wuaStderr   string
	uninstallEr []error
	scripts     []string
}

func (f *fakeHost) currentVersion(context.Context) (regValues, error) {
	if f.cvErr != nil {
		return nil, f.cvErr
	}
	return valuesOf(f.t, "testdata/currentversion-win11-pro-24h2.txt", `HKEY_LOCAL_MACHINE\`+currentVersionPath), nil
}

func (f *fakeHost) uninstallKeys(context.Context) ([]regKey, []error) {
	return parseRegQuery(f.t, "testdata/uninstall-hkcu.txt")[1:], f.uninstallEr
}

func (f *fakeHost) powershell(_ context.Context, _ time.Duration, script string) ([]byte, string, error) {
	f.scripts = append(f.scripts, script)
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.t.Fatal(err)
		}
		return b
	}
	switch {
	case script == hotfixScript:
		return read(f.hotfix), "", nil
	case strings.HasPrefix(script, "$Online = $true"):
		if f.onlineErr != nil {
			return nil, "", f.onlineErr
		}
		return read(f.onlineOut), f.wuaStderr, nil
	case strings.HasPrefix(script, "$Online = $false"):
		if f.cachedErr != nil {
			return nil, "", f.cachedErr
		}
		return read(f.cachedOut), "", nil
	}
	f.t.Fatalf("unexpected script %.60q", script)
	return nil, "", nil
}

func TestCollect(t *testing.T) {
	denied := errors.New(`installed programs: registry HKU\S-1-5-21-1-2-3-1001\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall: Access is denied.`)
	offline := errors.New("powershell.exe: exit status 1: Exception from HRESULT: 0x8024402C")
	tests := []struct {
		name        string
		host        *fakeHost
		wantStatus  inventory.Status
		wantErrs    []string // substrings, in order
		wantPending int
		wantScripts int
	}{
		{
			name:        "everything answers",
			host:        &fakeHost{hotfix: "hotfix-list.json", onlineOut: "wua-3-updates.json"},
			wantStatus:  inventory.Succeeded,
			wantPending: 3, wantScripts: 2,
		},
		{
			name:        "online search fails, the cached scan answers: Partial",
			host:        &fakeHost{hotfix: "hotfix-single.json", onlineErr: offline, cachedOut: "wua-3-updates.json"},
			wantStatus:  inventory.Partial,
			wantErrs:    []string{"Windows Update Agent online search): powershell.exe: exit status 1: Exception from HRESULT: 0x8024402C", "cached scan of 2025-01-21T09:14:02"},
			wantPending: 3, wantScripts: 3,
		},
		{
			name:        "both searches fail: Partial, no pending updates claimed",
			host:        &fakeHost{hotfix: "hotfix-list.json", onlineErr: offline, cachedErr: offline},
			wantStatus:  inventory.Partial,
			wantErrs:    []string{"online search", "search of the cached last scan"},
			wantScripts: 3,
		},
		{
			name:        "stderr of a successful search is surfaced",
			host:        &fakeHost{hotfix: "hotfix-list.json", onlineOut: "wua-0-updates.json", wuaStderr: "WARNING: something"},
			wantStatus:  inventory.Partial,
			wantErrs:    []string{"wrote errors: WARNING: something"},
			wantScripts: 2,
		},
		{
			name:        "other users' hives denied: Partial",
			host:        &fakeHost{hotfix: "hotfix-list.json", onlineOut: "wua-0-updates.json", uninstallEr: []error{denied}},
			wantStatus:  inventory.Partial,
			wantErrs:    []string{"Access is denied."},
			wantScripts: 2,
		},
		{
			name:        "no device facts: Failed",
			host:        &fakeHost{cvErr: errors.New(`registry HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion: Access is denied.`), hotfix: "hotfix-list.json", onlineOut: "wua-0-updates.json"},
			wantStatus:  inventory.Failed,
			wantErrs:    []string{"CurrentVersion: Access is denied."},
			wantScripts: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.host.t = t
			clock := time.Date(2025, 1, 21, 10, 0, 0, 0, time.UTC)
			s := &source{host: tt.host, now: func() time.Time { clock = clock.Add(1500 * time.Millisecond); return clock }}
			res, err := s.Collect(context.Background(), pluginapi.Request{Root: "/"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status.Status != tt.wantStatus || res.Status.Name != "windows" || res.Status.DurationMS != 1500 {
				t.Errorf("status = %+v, want %s after 1500 ms", res.Status, tt.wantStatus)
			}
			if len(res.Status.Errors) != len(tt.wantErrs) {
				t.Fatalf("errors = %q, want %d matching %q", res.Status.Errors, len(tt.wantErrs), tt.wantErrs)
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(res.Status.Errors[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, res.Status.Errors[i], want)
				}
			}
			if len(res.PendingUpdates) != tt.wantPending || len(tt.host.scripts) != tt.wantScripts {
				t.Errorf("%d pending updates after %d scripts, want %d after %d", len(res.PendingUpdates), len(tt.host.scripts), tt.wantPending, tt.wantScripts)
			}
			if len(res.InstalledUpdates) == 0 || len(res.Applications) != 2 {
				t.Errorf("installed updates %v, applications %v", res.InstalledUpdates, res.Applications)
			}
			if tt.wantStatus != inventory.Failed && res.Device.Build != "Windows 11 Pro 24H2" {
				t.Errorf("build = %q", res.Device.Build)
			}
		})
	}
}

func TestCollectMergesIntoValidInventory(t *testing.T) {
	h := &fakeHost{t: t, hotfix: "hotfix-list.json", onlineOut: "wua-3-updates.json"}
	res, err := (&source{host: h, now: time.Now}).Collect(context.Background(), pluginapi.Request{Root: "/"})
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.Merge(time.Unix(0, 0), []inventory.Result{res})
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	want := inventory.Device{OSFamily: "windows", OSName: "Windows 11 Pro", OSVersion: "11", Edition: "Pro", FeatureUpdate: "24H2", OSBuild: "26100.2605", Build: "Windows 11 Pro 24H2"}
	if diff := cmp.Diff(want, inv.Device, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("device (-want +got):\n%s", diff)
	}
}

func TestNewOffWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the source applies on Windows")
	}
	s := New()
	info := s.Info()
	if info.Name != "windows" || info.Kind != pluginapi.KindPackages || !info.RunningSystem || info.Root || len(info.OS) != 1 || info.OS[0] != "windows" {
		t.Errorf("info = %+v", info)
	}
	res, err := s.Collect(context.Background(), pluginapi.Request{Root: "/"})
	if !errors.Is(err, pluginapi.ErrNotApplicable) {
		t.Fatalf("error = %v, want ErrNotApplicable", err)
	}
	if res.Status.Status != inventory.NotApplicable {
		t.Errorf("status = %q", res.Status.Status)
	}
}
