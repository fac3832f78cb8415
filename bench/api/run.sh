#!/usr/bin/env bash
# API throughput on one server worker: a bare `{ __typename }`, an
# authenticated `{ me { id } }`, and `recommendations(first: 10)` over an
# organisation of PEOPLE people (a quarter are mentors). Needs wrk (Debian).
#
#   bash bench/api/run.sh [PEOPLE] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
people="${1:-20000}"
seconds="${2:-10}"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
cargo build --release -q -p tandem
bin=target/release/tandem
work="$(mktemp -d)"
export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
export TANDEM_JWT_SECRET="benchmark-secret-benchmark-secret-0001"
export TANDEM_WORKERS=1 RUST_LOG=warn
"$bin" seed --demo --people "$people" >/dev/null
port=18181
"$bin" serve --listen "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token="$("$bin" token --sub demo-mentee --name 'Priya Raman' --ttl 1h)"
mentors="$(sqlite3 "$work/bench.db" 'SELECT COUNT(*) FROM mentor_profile' 2>/dev/null || echo '?')"

run() {
  local name="$1" query="$2"
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[{"query":"$query"}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
  # Warm up (compiles the mentor pool, fills caches), then measure.
  wrk -t1 -c4 -d2s -s "$work/post.lua" "http://127.0.0.1:$port/graphql" >/dev/null
  local out
  out="$(wrk -t1 -c4 -d"${seconds}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/graphql")"
  local rps p50 p99
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  local errors
  errors="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "people: $people, mentors: $mentors, one server worker, wrk -t1 -c4 -d${seconds}s"
echo
echo "| query | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
run '{ __typename }' '{ __typename }'
run '{ me { id } }' '{ me { id } }'
run 'recommendations(first: 10)' '{ recommendations(first: 10) { mentor { id displayName } score { total components { criterion contribution explanation } } } }'
