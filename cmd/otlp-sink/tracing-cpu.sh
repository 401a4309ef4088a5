#!/usr/bin/env bash
# Prints the CPU the engine and otlp-sink spent per completed W1 instance,
# tracing off and on (parent-based 10 % sampling, OTLP/HTTP to otlp-sink on
# loopback), in ROUNDS (default 3) off/on pairs of DUR (default 15s) runs on
# fresh SQLite engines: utime+stime from /proc/PID/stat before and after,
# divided by the instances wf-bench completed. CPU per instance varies less
# than throughput on a shared machine. BIN (default bin) holds wf-engine,
# wf-bench and otlp-sink; needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-bin}
work=$(mktemp -d)
sink=
cleanup() { [ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
"$bin/otlp-sink" -address 127.0.0.1:14319 >"$work/sink.log" 2>&1 &
sink=$!
run() { # label, environment...
	local label=$1; shift
	local data; data=$(mktemp -d -p "$work")
	env "$@" "$bin/wf-engine" --http.address 127.0.0.1:18092 --database.data_dir "$data" --log.level warn &
	local pid=$!
	for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18092/readyz >/dev/null && break; sleep 0.1; done
	local e0 s0 e1 s1
	e0=$(ticks "$pid"); s0=$(ticks "$sink")
	"$bin/wf-bench" -address http://127.0.0.1:18092 -duration "${DUR:-15s}" -warmup 0s >"$work/bench.json" 2>/dev/null
	e1=$(ticks "$pid"); s1=$(ticks "$sink")
	python3 - "$label" "$work/bench.json" "$e0" "$e1" "$s0" "$s1" "$hz" <<'PY'
import json, sys
label, path, e0, e1, s0, s1, hz = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
b = json.load(open(path))
n = b["completed"]
us = lambda t0, t1: (t1 - t0) / hz * 1e6 / n
print(f"{label}: {b['instances_per_s']:.0f} instances/s, engine {us(e0, e1):.0f} us/instance, otlp-sink {us(s0, s1):.1f} us/instance")
PY
	kill "$pid"; wait "$pid" 2>/dev/null || true
}
for _ in $(seq 1 "${ROUNDS:-3}"); do
	run "tracing off"
	run "tracing on (10 %)" OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:14319 WF_TELEMETRY_TRACING_SAMPLING_RATIO=0.1
done
