#!/usr/bin/env bash
# Runs W1 over REST twice in the same minutes, on fresh engines with the
# same store: once with auth.mode none, once with auth.mode oidc against the
# test issuer (api/auth/authtest/testissuer, started here on loopback), so
# docs/benchmarks.md can show what authentication costs. Arguments are
# passed to wf-bench. BENCH_MULTITENANCY=1 adds a third run with
# multi-tenancy on (the client's token names the default tenant). Needs
# bin/ built (make build) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o bin/testissuer ./api/auth/authtest/testissuer
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

mkfifo "$work/stdin"
sleep 100000 >"$work/stdin" &
pids+=($!)
bin/testissuer -client "bench:bench-secret:operator:<default>" -ttl 1h <"$work/stdin" >"$work/issuer.url" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/issuer.url" ] && break; sleep 0.1; done
issuer=$(head -1 "$work/issuer.url")
token=$(curl -sf -u bench:bench-secret -d grant_type=client_credentials "$issuer/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

run() { # mode, extra engine flags...
	local mode=$1; shift
	local data; data=$(mktemp -d -p "$work")
	bin/wf-engine --http.address 127.0.0.1:18080 --database.data_dir "$data" --log.level warn "$@" &
	local pid=$!
	for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.1; done
	echo "== auth.mode $mode"
	if [ "$mode" = oidc ]; then WF_TOKEN=$token bin/wf-bench -address http://127.0.0.1:18080 "${BENCH_ARGS[@]}"
	else bin/wf-bench -address http://127.0.0.1:18080 "${BENCH_ARGS[@]}"; fi
	kill "$pid"; wait "$pid" || true
}
BENCH_ARGS=("$@")
run none
run oidc --auth.mode oidc --auth.oidc.issuer "$issuer" --auth.oidc.audience wf-engine
if [ "${BENCH_MULTITENANCY:-}" = 1 ]; then
	run oidc --auth.mode oidc --auth.oidc.issuer "$issuer" --auth.oidc.audience wf-engine --multitenancy.enabled
fi
