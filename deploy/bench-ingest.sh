#!/usr/bin/env bash
# make bench-ingest: a running collector (SQLite, then PostgreSQL when one answers on
# 127.0.0.1:5432) against ceplus-loadgen, many simulated agents in one process, on loopback only.
# Knobs: AGENTS (idle connections, default 10000), UPLOADS (2,000-package inventories, 2000),
# UPLOADERS (concurrent uploading agents, 100), IDLE (hold time before measuring RSS, 30s),
# STORES ("sqlite postgres"), GOMEMLIMIT_COLLECTOR (the collector's soft memory limit, default
# 900MiB as in deploy/systemd/ceplus-collector.service; "off" for none).
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${AGENTS:-10000}
UPLOADS=${UPLOADS:-2000}
UPLOADERS=${UPLOADERS:-100}
IDLE=${IDLE:-30s}
STORES=${STORES:-"sqlite postgres"}
GOMEMLIMIT_COLLECTOR=${GOMEMLIMIT_COLLECTOR:-900MiB}
PGURL=${PGURL:-"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&search_path=bench_ingest"}
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
go build -o "$BIN/" ./collector/cmd/ceplus-collector ./agent/cmd/ceplus-loadgen
export QUIC_GO_DISABLE_RECEIVE_BUFFER_WARNING=true

run() { # run LABEL [serve args...]
	local label=$1; shift
	local data; data=$(mktemp -d)
	GOMEMLIMIT=$GOMEMLIMIT_COLLECTOR "$BIN/ceplus-collector" serve --data "$data" --listen-agents 127.0.0.1:0 --listen-api 127.0.0.1:0 \
		--upload-burst 1000000 --upload-every 1ms --log-level warn "$@" >"$data/serve.out" 2>"$data/serve.log" &
	local pid=$!
	for _ in $(seq 200); do [ -s "$data/agents.addr" ] && break; sleep 0.1; done
	[ -s "$data/agents.addr" ] || { echo "collector did not start:"; cat "$data/serve.log"; kill $pid; return 1; }
	local token
	token=$("$BIN/ceplus-collector" token create --data "$data" "$@" --uses $((AGENTS + 1)) --json | sed -n 's/.*"token": "\(.*\)".*/\1/p')
	echo "== $label: $AGENTS agents, $UPLOADS uploads of 2,000-package inventories by $UPLOADERS agents, idle $IDLE, collector GOMEMLIMIT=$GOMEMLIMIT_COLLECTOR"
	if "$BIN/ceplus-loadgen" --collector "$(cat "$data/agents.addr")" --ca-sha256 "$(cat "$data/ca.sha256")" --token "$token" \
		--agents "$AGENTS" --uploads "$UPLOADS" --uploaders "$UPLOADERS" --idle "$IDLE" --collector-pid $pid \
		>"$data/report.json" 2>"$data/loadgen.log"; then
		cat "$data/report.json"
	else
		echo "loadgen failed:"; tail -20 "$data/loadgen.log"; tail -20 "$data/serve.log"
	fi
	kill $pid; wait $pid || true
	rm -rf "$data"
}

for s in $STORES; do
	case $s in
	sqlite) run "SQLite" ;;
	postgres)
		if command -v psql >/dev/null && psql "${PGURL%%\?*}?sslmode=disable" -qc 'DROP SCHEMA IF EXISTS bench_ingest CASCADE; CREATE SCHEMA bench_ingest' 2>/dev/null; then
			run "PostgreSQL" --store "$PGURL"
		else
			echo "== PostgreSQL: skipped (no server answers at ${PGURL%%\?*})"
		fi ;;
	esac
done
