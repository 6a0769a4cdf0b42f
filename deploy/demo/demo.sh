#!/usr/bin/env bash
# make demo: a collector on 127.0.0.1 (SQLite in var/demo/collector), the demo vulnerability
# records, a real agent on this machine and a simulated estate of real agent daemons, and one
# CE+ assessment walked from scope to verdict through the CLI (deploy/demo/walk). It leaves the
# collector and the agents running; `make demo-stop` (demo.sh stop) ends exactly the processes
# listed in var/demo/pids. Nothing listens or connects anywhere but 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${CEPLUS_DEMO_WORK:-var/demo}"

stop() {
  local pids="$WORK/pids"
  [ -f "$pids" ] || { echo "demo: nothing to stop ($pids not found)"; return 0; }
  while read -r pid name; do
    # only a process of ours: the PID may have been reused since
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q ceplus-; then
      kill -TERM "$pid" && echo "demo: stopped $name (pid $pid)"
    fi
  done <"$pids"
  rm -f "$pids"
}

if [ "${1:-}" = stop ]; then
  stop
  exit 0
fi
stop >/dev/null # a demo still running from before
mkdir -p bin/tools
go build -o bin/tools/demo-walk ./deploy/demo/walk
exec bin/tools/demo-walk -bin bin -work "$WORK" -demo deploy/demo
