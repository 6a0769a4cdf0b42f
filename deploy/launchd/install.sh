#!/bin/sh
# Installs the ceplus agent on macOS as a launch daemon, from the unpacked
# ceplus-agent-<version>-darwin-<arch>.tar.gz (this script sits beside ceplus-agent), as root:
#
#   sudo ./install.sh              install or upgrade; starts the daemon only if enrolled
#   sudo ./install.sh uninstall    stop and remove it; the state directory is kept
#
# The agent and its signed plugins go to /usr/local/lib/ceplus (root:wheel, 0755: the agent
# refuses a plugin directory others can write), /usr/local/bin/ceplus-agent links to it, the
# plist to /Library/LaunchDaemons. State: /Library/Application Support/ceplus. Log:
# /Library/Logs/ceplus-agent.log. DESTDIR (tests) prefixes every installed path and skips launchctl.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="${DESTDIR:-}"
lib="$dest/usr/local/lib/ceplus"
plist="$dest/Library/LaunchDaemons/org.ceplus.agent.plist"
state="/Library/Application Support/ceplus"
label=org.ceplus.agent

if [ -z "$dest" ] && [ "$(id -u)" != 0 ]; then
	echo "install.sh: run it as root (sudo $0 ${1:-})" >&2
	exit 1
fi
launchctl_() {
	if [ -z "$dest" ]; then launchctl "$@"; fi
}

case "${1:-install}" in
uninstall)
	if [ -z "$dest" ] && launchctl print "system/$label" >/dev/null 2>&1; then
		launchctl_ bootout "system/$label"
	fi
	rm -f "$plist" "$dest/usr/local/bin/ceplus-agent"
	rm -rf "$lib"
	echo "ceplus-agent removed; its state stays in $state (delete it when the endpoint leaves the audit)"
	exit 0
	;;
install) ;;
*)
	echo "usage: $0 [install|uninstall]" >&2
	exit 2
	;;
esac

for f in ceplus-agent plugins.json plugins.json.sig org.ceplus.agent.plist; do
	if [ ! -f "$here/$f" ]; then
		echo "install.sh: $here/$f is missing: run the script from the unpacked agent tarball" >&2
		exit 1
	fi
done
# An upgrade: stop the running daemon before its files change.
if [ -z "$dest" ] && launchctl print "system/$label" >/dev/null 2>&1; then
	launchctl_ bootout "system/$label"
fi
mkdir -p "$lib" "$dest/usr/local/bin" "$dest/Library/LaunchDaemons"
rm -f "$lib"/ceplus-plugin-*
cp "$here/ceplus-agent" "$here"/ceplus-plugin-* "$here/plugins.json" "$here/plugins.json.sig" "$lib/"
chmod 0755 "$lib" "$lib/ceplus-agent" "$lib"/ceplus-plugin-*
chmod 0644 "$lib/plugins.json" "$lib/plugins.json.sig"
ln -sf /usr/local/lib/ceplus/ceplus-agent "$dest/usr/local/bin/ceplus-agent"
cp "$here/org.ceplus.agent.plist" "$plist"
chmod 0644 "$plist"
if [ -z "$dest" ]; then
	chown -R root:wheel "$lib" "$plist"
	xattr -dr com.apple.quarantine "$lib" 2>/dev/null || true # absent unless downloaded by a browser
fi

if [ -f "$dest$state/agent.crt" ]; then
	launchctl_ bootstrap system "$plist"
	echo "ceplus-agent installed and started (log: /Library/Logs/ceplus-agent.log)"
else
	echo "ceplus-agent installed, not enrolled, so not started. Enrol it, then start the daemon:"
	echo "  sudo ceplus-agent enrol --collector HOST:4433 --token TOKEN --ca-sha256 FINGERPRINT"
	echo "  sudo launchctl bootstrap system /Library/LaunchDaemons/org.ceplus.agent.plist"
fi
