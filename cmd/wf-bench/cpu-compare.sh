#!/usr/bin/env bash
# Compares the CPU time per W1 instance over REST of engine builds, for
# issue 20 item 5: for each round and each build (alternating, so that both
# see the same minutes of a busy machine), a fresh engine on a fresh store
# runs `wf-bench -cpu` fire-and-forget and with -await, and one line per
# run gives ms of CPU per instance for the engine, the PostgreSQL backends
# of its database and wf-bench, with throughput and p99. CPU per instance
# moves less with the machine's load than throughput does (yet some 15 % on a
# busy machine: compare several rounds).
#
#   cmd/wf-bench/cpu-compare.sh pg|sqlite OLD_BIN_DIR NEW_BIN_DIR [wf-bench args]
#
# A BIN_DIR holds wf-engine; wf-bench comes from NEW_BIN_DIR (it must have
# -cpu). PostgreSQL: PGURL_ADMIN (default: psql as the postgres user on
# port 5432) recreates database wf_cpu (WF_CPU_DB) for each run, owned by
# role wf, and POSTMASTER_PID_FILE (default the 15/main cluster's) names
# the postmaster whose backends are counted. ROUNDS (2), DURATION (20s),
# WARMUP (4s), STYLES ("ff await"), PORT (18610), ENGINE_ARGS, and
# OLD_ARGS / NEW_ARGS: wf-bench flags for one side only (e.g. OLD_ARGS="-client
# nethttp" compares wf-bench's own clients too). Output: a
# line per run on stdout, each run's JSON kept in $OUT (a temp folder).
set -euo pipefail
store=$1 old=$2 new=$3
shift 3
extra=("$@")
db=${WF_CPU_DB:-wf_cpu}
port=${PORT:-18610}
out=${OUT:-$(mktemp -d)}
pidfile=${POSTMASTER_PID_FILE:-/var/lib/postgresql/15/main/postmaster.pid}
engine=""
cleanup() { if [ -n "$engine" ]; then kill "$engine" 2>/dev/null || true; wait "$engine" 2>/dev/null || true; fi; }
trap cleanup EXIT

admin() { # SQL...
	if [ -n "${PGURL_ADMIN:-}" ]; then
		for c in "$@"; do psql -q "$PGURL_ADMIN" -c "$c" >/dev/null; done
	else
		for c in "$@"; do su postgres -c "psql -q -p 5432 -c \"$c\"" >/dev/null; done
	fi
}

run() { # label bindir style [wf-bench flags]
	local label=$1 bin=$2 style=$3 data args bench
	shift 3
	data=$(mktemp -d -p "$out")
	args=(--http.address "127.0.0.1:$port" --database.data_dir "$data" --log.level warn)
	bench=(-cpu -settle 0 -duration "${DURATION:-20s}" -warmup "${WARMUP:-4s}")
	if [ "$store" = pg ]; then
		admin "DROP DATABASE IF EXISTS $db" "CREATE DATABASE $db OWNER wf"
		args+=(--database.url "postgres://wf:wf@127.0.0.1:5432/$db?sslmode=disable")
		bench+=(-cpu-postmaster "$(head -1 "$pidfile")" -cpu-database "$db")
	fi
	[ "$style" = await ] && bench+=(-await -creators 96)
	# shellcheck disable=SC2086 # ENGINE_ARGS is a list of flags
	"$bin/wf-engine" "${args[@]}" ${ENGINE_ARGS:-} >"$out/$label.log" 2>&1 &
	engine=$!
	for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
	local at load
	at=$(date -u +%H:%M:%S) load=$(cut -d' ' -f1 /proc/loadavg)
	"$new/wf-bench" -address "http://127.0.0.1:$port" -pid "$engine" "${bench[@]}" ${extra[@]+"${extra[@]}"} "$@" >"$out/$label.json"
	kill "$engine"; wait "$engine" 2>/dev/null || true; engine=""
	rm -rf "$data"
	python3 - "$out/$label.json" "$label" "$at" "$load" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); c = d["cpu"]["ms_per_instance"]
print(f'{sys.argv[2]:<16} {sys.argv[3]} load {sys.argv[4]:>5}  {d["instances_per_s"]:>8.0f}/s p99 {d["latency_ms"]["p99"]:>6.1f} ms  '
      f'cpu ms/instance engine {c.get("engine", 0):.3f} pg {c.get("postgres_backends", 0):.3f} '
      f'(shared {c.get("postgres_shared", 0):.3f}) bench {c["bench"]:.3f} total {c["total"]:.3f}  errors {sum(d["errors"].values())}')
EOF
}

for r in $(seq 1 "${ROUNDS:-2}"); do
	for style in ${STYLES:-ff await}; do
		# shellcheck disable=SC2086 # OLD_ARGS and NEW_ARGS are lists of flags
		run "old-$style-$r" "$old" "$style" ${OLD_ARGS:-}
		# shellcheck disable=SC2086
		run "new-$style-$r" "$new" "$style" ${NEW_ARGS:-}
	done
done
echo "JSON in $out" >&2
