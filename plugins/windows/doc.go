// Package windows is the ceplus inventory source for Windows: the edition, version and feature
// update that form the CE+ build key (for example "Windows 11 Pro 24H2"), the OS build with its
// update build revision, the installed updates (KBs), the updates the Windows Update Agent
// reports as missing, and the programs of the uninstall registry keys.
//
// It reads HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion and the uninstall keys with the
// registry API, and runs Windows PowerShell 5.1 (by its full path under the system directory,
// never through PATH) for Get-HotFix and for the Windows Update Agent COM API. The search for
// missing updates first asks the update service (Microsoft Update or the WSUS server the device
// is configured for); when that fails it falls back to the cache of the last successful scan
// (IUpdateSearcher.Online = false), and the source then ends Partial with both errors, because
// a cached answer may miss updates released since that scan.
//
// Rights: everything works unelevated (the registry keys read are readable by users, Get-HotFix
// uses WMI, and the Windows Update Agent lets any user search). Administrator or SYSTEM rights
// are needed only to read the per-user uninstall keys of other signed-in users under
// HKEY_USERS; without them those hives are reported as errors and the source ends Partial.
//
// The parsers and the mapping to the inventory model are portable and tested on Linux with
// hand-reconstructed output in testdata; only the registry and process glue is Windows-only.
// On other systems Collect returns an error wrapping pluginapi.ErrNotApplicable.
package windows
