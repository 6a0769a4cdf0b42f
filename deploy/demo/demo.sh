#!/usr/bin/env bash
# make demo: the main job on the embedded default data. See README.md "What make demo does today".
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=bin
if [ "${1:-}" = stop ]; then
  echo "demo: nothing is left running by the demo yet"
  exit 0
fi
echo "demo: not yet assembled"
