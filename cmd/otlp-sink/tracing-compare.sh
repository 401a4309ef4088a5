#!/usr/bin/env bash
# Runs W1 over REST on fresh engines (the store WF_DATABASE_URL selects,
# else SQLite in a temporary folder) in the same minutes, alternating
# tracing off and tracing on (parent-based 10 % sampling, OTLP/HTTP to
# otlp-sink on loopback), so docs/benchmarks.md can show what tracing
# costs. Arguments are passed to wf-bench; BENCH_ROUNDS (default 2) is the
# number of off/on pairs; BIN (default bin) holds wf-engine and wf-bench.
# PORT (default 18090) is the engine's port. Needs them built (make build)
# and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-bin}
go build -o "$bin/otlp-sink" ./cmd/otlp-sink
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$bin/otlp-sink" -address 127.0.0.1:14318 >"$work/sink.log" &
pids+=($!)
sink=$!

run() { # label, environment...
	local label=$1; shift
	local data; data=$(mktemp -d -p "$work")
	env "$@" "$bin/wf-engine" --http.address 127.0.0.1:${PORT:-18090} --database.data_dir "$data" --log.level warn &
	local pid=$!
	for _ in $(seq 1 100); do curl -sf http://127.0.0.1:${PORT:-18090}/readyz >/dev/null && break; sleep 0.1; done
	echo "== tracing $label"
	"$bin/wf-bench" -address http://127.0.0.1:${PORT:-18090} "${BENCH_ARGS[@]}"
	kill "$pid"; wait "$pid" || true
}
BENCH_ARGS=("$@")
for _ in $(seq 1 "${BENCH_ROUNDS:-2}"); do
	run off
	run "on (10 %)" OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:14318 WF_TELEMETRY_TRACING_SAMPLING_RATIO=0.1
done
kill "$sink"; wait "$sink" || true
cat "$work/sink.log"
