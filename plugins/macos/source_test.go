package macos

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// fakeHost answers commands from testdata files; a command missing from out fails.
type fakeHost struct {
	t    *testing.T
	out  map[string][2]string // command line → stdout file, stderr file ("" for none)
	fail map[string]error
	ran  []string
}

func (f *fakeHost) run(_ context.Context, _ time.Duration, name string, args ...string) ([]byte, []byte, error) {
	cmd := strings.Join(append([]string{name}, args...), " ")
	f.ran = append(f.ran, cmd)
	if err := f.fail[cmd]; err != nil {
		return nil, nil, err
	}
	files, ok := f.out[cmd]
	if !ok {
		f.t.Fatalf("unexpected command %q", cmd)
	}
	read := func(n string) []byte {
		if n == "" {
			return nil
		}
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.t.Fatal(err)
		}
		return b
	}
	return read(files[0]), read(files[1]), nil
}

func (f *fakeHost) root() fs.FS { return os.DirFS("testdata/root") }

func TestCollect(t *testing.T) {
	const (
		list   = "/usr/sbin/softwareupdate --list"
		cached = "/usr/sbin/softwareupdate --list --no-scan"
		swvers = "/usr/bin/sw_vers"
	)
	offline := errors.New("/usr/sbin/softwareupdate: exit status 1: Can't connect to the Apple Software Update server.")
	tests := []struct {
		name        string
		out         map[string][2]string
		fail        map[string]error
		wantStatus  inventory.Status
		wantErrs    []string
		wantPending int
	}{
		{
			name:        "updates pending; Broken.app makes it Partial",
			out:         map[string][2]string{swvers: {"sw_vers-14.txt", ""}, list: {"softwareupdate-14-updates.txt", ""}},
			wantStatus:  inventory.Partial,
			wantErrs:    []string{"Broken.app"},
			wantPending: 4,
		},
		{
			name:        "nothing pending, verdict on stderr",
			out:         map[string][2]string{swvers: {"sw_vers-15.txt", ""}, list: {"softwareupdate-none.stdout", "softwareupdate-none.stderr"}},
			wantStatus:  inventory.Partial,
			wantErrs:    []string{"Broken.app"},
			wantPending: 0,
		},
		{
			name:        "scan fails, last scan answers",
			out:         map[string][2]string{swvers: {"sw_vers-14.txt", ""}, cached: {"softwareupdate-14-updates.txt", ""}},
			fail:        map[string]error{list: offline},
			wantStatus:  inventory.Partial,
			wantErrs:    []string{"Broken.app", "softwareupdate scan): /usr/sbin/softwareupdate: exit status 1: Can't connect", "last scan, not a fresh one"},
			wantPending: 4,
		},
		{
			name:       "no verdict in either output",
			out:        map[string][2]string{swvers: {"sw_vers-14.txt", ""}, list: {"", "softwareupdate-no-network.stderr"}, cached: {"", "softwareupdate-no-network.stderr"}},
			wantStatus: inventory.Partial,
			wantErrs:   []string{"Broken.app", "says neither", "says neither"},
		},
		{
			name:       "sw_vers fails: Failed",
			out:        map[string][2]string{list: {"softwareupdate-none.stdout", "softwareupdate-none.stderr"}},
			fail:       map[string]error{swvers: errors.New("/usr/bin/sw_vers: exit status 1")},
			wantStatus: inventory.Failed,
			wantErrs:   []string{"os version: /usr/bin/sw_vers: exit status 1", "Broken.app"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &fakeHost{t: t, out: tt.out, fail: tt.fail}
			clock := time.Date(2025, 1, 21, 10, 0, 0, 0, time.UTC)
			s := &source{host: h, now: func() time.Time { clock = clock.Add(time.Second); return clock }}
			res, err := s.Collect(context.Background(), pluginapi.Request{Root: "/"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status.Status != tt.wantStatus || res.Status.Name != "macos" || res.Status.DurationMS != 1000 {
				t.Errorf("status = %+v, want %s after 1000 ms", res.Status, tt.wantStatus)
			}
			if len(res.Status.Errors) != len(tt.wantErrs) {
				t.Fatalf("errors = %q, want %d matching %q", res.Status.Errors, len(tt.wantErrs), tt.wantErrs)
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(res.Status.Errors[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, res.Status.Errors[i], want)
				}
			}
			if len(res.PendingUpdates) != tt.wantPending || len(res.Applications) != 8 {
				t.Errorf("%d pending updates, %d applications; want %d, 8", len(res.PendingUpdates), len(res.Applications), tt.wantPending)
			}
		})
	}
}

func TestCollectSafariInstalledVersion(t *testing.T) {
	h := &fakeHost{t: t, out: map[string][2]string{"/usr/bin/sw_vers": {"sw_vers-14.txt", ""}, "/usr/sbin/softwareupdate --list": {"softwareupdate-14-updates.txt", ""}}}
	res, err := (&source{host: h, now: time.Now}).Collect(context.Background(), pluginapi.Request{Root: "/"})
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.Merge(time.Unix(0, 0), []inventory.Result{res})
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	if inv.Device.Build != "macOS 14" {
		t.Errorf("build = %q", inv.Device.Build)
	}
	for _, u := range inv.PendingUpdates {
		if u.Title == "Safari" && (u.Installed != "17.5" || u.Candidate != "17.6") {
			t.Errorf("Safari update %+v, want installed 17.5 (Safari.app), candidate 17.6", u)
		}
	}
}

func TestNewOffMacOS(t *testing.T) {
	if runtime.GOOS == "darwin" {
		t.Skip("the source applies on macOS")
	}
	s := New()
	info := s.Info()
	if info.Name != "macos" || info.Kind != pluginapi.KindPackages || !info.RunningSystem || info.Root || len(info.OS) != 1 || info.OS[0] != "darwin" {
		t.Errorf("info = %+v", info)
	}
	res, err := s.Collect(context.Background(), pluginapi.Request{Root: "/"})
	if !errors.Is(err, pluginapi.ErrNotApplicable) || res.Status.Status != inventory.NotApplicable {
		t.Fatalf("error = %v, status %q: want ErrNotApplicable", err, res.Status.Status)
	}
}
