//go:build windows

package windows

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/command"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// uninstallPath is the uninstall key below HKLM (64-bit view) and below each user's hive.
const uninstallPath = `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`

// uninstallPath32 is the twin key where 32-bit installers on 64-bit Windows register.
const uninstallPath32 = `SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall`

// systemHost reads the running Windows system.
type systemHost struct{}

func newHost() host { return systemHost{} }

func (systemHost) currentVersion(ctx context.Context) (regValues, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := readKey(registry.LOCAL_MACHINE, currentVersionPath)
	if err != nil {
		return nil, fmt.Errorf(`registry HKLM\%s: %w`, currentVersionPath, err)
	}
	return v, nil
}

// uninstallKeys reads the machine-wide uninstall keys (both registry views) and the per-user
// ones of every hive loaded under HKEY_USERS, which holds the current user's and, for a
// service running as SYSTEM, every signed-in user's. Users who are not signed in have no
// loaded hive and are not covered.
func (systemHost) uninstallKeys(ctx context.Context) ([]regKey, []error) {
	var keys []regKey
	var errs []error
	read := func(root registry.Key, rootName, path string, optional bool) {
		ks, err := readSubKeys(ctx, root, rootName, path)
		switch {
		case errors.Is(err, registry.ErrNotExist) && optional:
		case err != nil:
			errs = append(errs, fmt.Errorf(`installed programs: registry %s\%s: %w`, rootName, path, err))
		}
		keys = append(keys, ks...)
	}
	read(registry.LOCAL_MACHINE, "HKLM", uninstallPath, false)
	read(registry.LOCAL_MACHINE, "HKLM", uninstallPath32, true) // absent on 32-bit Windows

	users, err := registry.USERS.ReadSubKeyNames(-1)
	if err != nil {
		errs = append(errs, fmt.Errorf("installed programs: list HKEY_USERS: %w", err))
	}
	for _, sid := range users {
		if strings.HasSuffix(sid, "_Classes") || sid == ".DEFAULT" {
			continue
		}
		read(registry.USERS, `HKU\`+sid, uninstallPath, true)
	}
	return keys, errs
}

// readSubKeys reads the values of every subkey of root\path. A subkey that cannot be read is
// reported in the returned error, after the others were read.
func readSubKeys(ctx context.Context, root registry.Key, rootName, path string) ([]regKey, error) {
	k, err := registry.OpenKey(root, path, registry.READ|registry.WOW64_64KEY)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadSubKeyNames(-1)
	if err != nil {
		return nil, err
	}
	var out []regKey
	var errs []error
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		v, err := readKey(k, n)
		if err != nil {
			errs = append(errs, fmt.Errorf("subkey %s: %w", n, err))
			continue
		}
		out = append(out, regKey{Path: rootName + `\` + path + `\` + n, Values: v})
	}
	return out, errors.Join(errs...)
}

// readKey reads the string, integer and multi-string values of root\path.
func readKey(root registry.Key, path string) (regValues, error) {
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadValueNames(-1)
	if err != nil {
		return nil, err
	}
	v := regValues{}
	for _, n := range names {
		_, typ, err := k.GetValue(n, nil)
		if err != nil {
			return nil, fmt.Errorf("value %s: %w", n, err)
		}
		switch typ {
		case registry.SZ, registry.EXPAND_SZ:
			s, _, err := k.GetStringValue(n)
			if err != nil {
				return nil, fmt.Errorf("value %s: %w", n, err)
			}
			v[n] = s
		case registry.DWORD, registry.QWORD:
			i, _, err := k.GetIntegerValue(n)
			if err != nil {
				return nil, fmt.Errorf("value %s: %w", n, err)
			}
			v[n] = i
		case registry.MULTI_SZ:
			ss, _, err := k.GetStringsValue(n)
			if err != nil {
				return nil, fmt.Errorf("value %s: %w", n, err)
			}
			v[n] = ss
		}
	}
	return v, nil
}

// powershell runs script in Windows PowerShell 5.1, found under the system directory rather
// than through PATH, so that a planted powershell.exe is never run with the agent's rights.
func (systemHost) powershell(ctx context.Context, timeout time.Duration, script string) ([]byte, string, error) {
	sys, err := windows.GetSystemDirectory()
	if err != nil {
		return nil, "", fmt.Errorf("find the system directory for powershell.exe: %w", err)
	}
	exe := filepath.Join(sys, "WindowsPowerShell", "v1.0", "powershell.exe")
	out, stderr, err := command.Run(ctx, timeout, cleanStderr, exe, powershellArgs(script)...)
	return out, cleanStderr(stderr), err
}
