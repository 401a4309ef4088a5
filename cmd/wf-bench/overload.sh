#!/usr/bin/env bash
# Runs W1 over REST at 10x overload (640 creators without pause where 64
# saturate this machine) twice in the same minutes, on fresh engines with
# the same store: once with the engine's backpressure on (the default) and
# once with it off, and reports for each the share of creates answered 429,
# the answer time of accepted creates, and the engine's peak and settled
# memory, for docs/benchmarks.md. The store is SQLite in a temporary folder
# unless WF_DATABASE_URL names PostgreSQL. CREATORS changes the creators,
# OVERLOAD_RUNS=on (or off) runs one of the two; arguments are passed to
# wf-bench. Needs bin/ built (make build) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

run() { # label, extra engine flags...
	local label=$1; shift
	local data; data=$(mktemp -d -p "$work")
	# All bench clients share one address: the per-client connection bound
	# is raised so that it is the engine's backpressure that answers.
	bin/wf-engine --http.address 127.0.0.1:18080 --database.data_dir "$data" --log.level warn \
		--http.max_conns_per_client 4096 ${ENGINE_ARGS:-} "$@" &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.1; done
	echo "== $label"
	bin/wf-bench -address http://127.0.0.1:18080 -creators "${CREATORS:-640}" -pid "$pid" "${BENCH_ARGS[@]}"
	kill "$pid"; wait "$pid" || true
	if [ -n "${WF_DATABASE_URL:-}" ]; then # a fresh schema for the next run
		psql -q "$WF_DATABASE_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
	fi
}
BENCH_ARGS=("$@")
for r in ${OVERLOAD_RUNS:-on off}; do
	case $r in
	on) run "backpressure on" ;;
	off) run "backpressure off" --engine.backpressure.enabled=false ;;
	esac
done
