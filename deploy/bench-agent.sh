#!/usr/bin/env bash
# bench-agent.sh prints the agent's figures on this machine for `ceplus-agent inventory --json`:
# wall time, the agent's own peak RSS (VmHWM at exit, read by deploy/tools/peakrss), and, from
# /usr/bin/time, the CPU time and largest peak RSS over the agent and its plugin processes;
# then the plugin start+handshake and 10,000-package Collect benchmarks. Run it through
# `make bench-agent`, which builds and signs bin/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
RUNS=${RUNS:-5}
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "bench-agent: $TIME is missing: apt-get install time" >&2
	exit 1
fi
go build -o "$BIN/tools/peakrss" ./deploy/tools/peakrss
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$BIN/ceplus-agent" inventory --json >/dev/null # warm the page cache
echo "ceplus-agent inventory --json, $RUNS runs on $(hostname) ($(nproc) CPUs):"
for i in $(seq "$RUNS"); do
	"$BIN/tools/peakrss" "$BIN/ceplus-agent" inventory --json 2>"$tmp/peak" >"$tmp/inv.json"
	"$TIME" -v "$BIN/ceplus-agent" inventory --json 2>"$tmp/time" >/dev/null
	pkgs=$(grep -c '"source_name"' "$tmp/inv.json" || true)
	wall=$(sed -n 's/.*wall \([0-9.]*s\).*/\1/p' "$tmp/peak")
	agent=$(sed -n 's/.*peak RSS \([0-9.]* MB\).*/\1/p' "$tmp/peak")
	all=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
	cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.2f", u+s}' "$tmp/time")
	printf "  run %d: %s packages, wall %s, agent peak RSS %s, largest of agent+plugins %.1f MB, CPU agent+plugins %ss\n" \
		"$i" "$pkgs" "$wall" "$agent" "$(echo "$all / 1024" | bc -l)" "$cpu"
done
echo
echo "plugin host benchmarks (shared/pluginapi):"
go test -run '^$' -bench 'StartHandshake|Collect10k' -benchmem -count 1 ./shared/pluginapi/ | grep -E '^Benchmark'
