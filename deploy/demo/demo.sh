#!/usr/bin/env bash
# make demo: the main job on the embedded default data. It uses only the real binaries in bin/.
# What it shows today (see README "What make demo does today"):
#   1. this machine's inventory through the signed source plugins (ceplus-agent inventory);
#   2. a CE+ assessment of a 42-device demo estate walked from scope to verdict through the real
#      commands: commit-reveal sample draws verified from the revealed seed, Sample 1 failing,
#      remediation, retest, Sample 2 and the verdict with its reasons (ceplus-collector sample,
#      ceplus-collector rules evaluate).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=bin
WORK=var/demo
if [ "${1:-}" = stop ]; then
  echo "demo: nothing is left running by the demo"
  exit 0
fi
rm -rf "$WORK"
mkdir -p "$WORK"
echo "ceplus demo: working files in $WORK"
if [ -x "$BIN/ceplus-agent" ] && [ -f "$BIN/plugins.json" ]; then
  echo
  echo "==> This machine's inventory (ceplus-agent inventory, through the signed plugins)"
  "$BIN/ceplus-agent" inventory | head -n 25 || echo "demo: inventory failed (see above)"
fi
go run ./deploy/demo/walk -bin "$BIN" -work "$WORK"
echo
echo "demo: done. The files of the walk-through (scope, draws, case) are in $WORK."
