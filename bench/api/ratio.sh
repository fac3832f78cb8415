#!/usr/bin/env bash
# Tandem's request path against a bare async-graphql server: an
# authenticated `{ me { id } }` (and `{ __typename }`) on `tandem serve`
# with one worker, and `{ hello }` on bench/hello, each pinned to core 0
# while wrk (one thread, 64 connections) runs pinned to core 1. Prints
# requests/s and the ratio to hello (goal: `me` at least 0.5).
# With PROFILE=1, also records `perf` samples of the `me` run and prints
# where the server's time went.
#
#   [ROUNDS=3] [PROFILE=1] bash bench/api/ratio.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
# perf needs line tables, which the release profile leaves out for a
# shorter cold build.
if [ "${PROFILE:-}" = 1 ]; then export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only; fi
cargo build --release -q --bins
work="$(mktemp -d)"
export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
export TANDEM_JWT_SECRET="benchmark-secret-benchmark-secret-0001"
export TANDEM_WORKERS=1 RUST_LOG=warn
target/release/tandem seed --demo --people 2000 >/dev/null
token="$(target/release/tandem token --sub demo-mentee --name 'Priya Raman' --ttl 1h)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT

wait_for() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://$1/" && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  exit 1
}

measure() {
  local address="$1" query="$2"
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[{"query":"$query"}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
  taskset -c 1 wrk -t1 -c64 -d2s -s "$work/post.lua" "http://$address/graphql" >/dev/null
  taskset -c 1 wrk -t1 -c64 -d"${seconds}s" -s "$work/post.lua" "http://$address/graphql" \
    | awk '/Requests\/sec/ {print $2}'
}

# Both servers stay up (an idle one costs nothing); each round measures
# hello, `__typename` and `me` back to back, so a slow minute of this shared
# machine weighs on all three alike, and the medians are reported.
rounds="${ROUNDS:-3}"
taskset -c 0 target/release/tandem-bench-hello 127.0.0.1:18182 &
pids+=($!)
taskset -c 0 target/release/tandem serve --listen 127.0.0.1:18181 2>"$work/serve.log" &
server=$!
pids+=($server)
wait_for 127.0.0.1:18182
wait_for 127.0.0.1:18181

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "one server worker on core 0, wrk -t1 -c64 -d${seconds}s on core 1, $(nproc) cores, $rounds rounds"
echo
echo "| round | hello/s | \`__typename\`/s | \`me { id }\`/s | \`__typename\` ratio | \`me\` ratio |"
echo "|---|---|---|---|---|---|"
: >"$work/rounds"
for round in $(seq 1 "$rounds"); do
  hello="$(measure 127.0.0.1:18182 '{ hello }')"
  typename="$(measure 127.0.0.1:18181 '{ __typename }')"
  if [ "${PROFILE:-}" = 1 ] && [ "$round" = 1 ]; then
    perf record -q -F 2000 --call-graph dwarf,16384 -p "$server" -o "$work/perf.data" -- sleep "$seconds" 2>/dev/null &
    recorder=$!
  fi
  me="$(measure 127.0.0.1:18181 '{ me { id } }')"
  if [ "${PROFILE:-}" = 1 ] && [ "$round" = 1 ]; then wait "$recorder" || true; fi
  echo "$hello $typename $me $(ratio "$typename" "$hello") $(ratio "$me" "$hello")" >>"$work/rounds"
  echo "| $round | $hello | $typename | $me | $(ratio "$typename" "$hello") | $(ratio "$me" "$hello") |"
done
column() { awk -v c="$1" '{ print $c }' "$work/rounds" | median; }
echo "| median | $(column 1) | $(column 2) | $(column 3) | $(column 4) | $(column 5) |"

if [ "${PROFILE:-}" = 1 ]; then
  echo
  echo "perf, self time by symbol (the first \`me\` run):"
  perf report -q -i "$work/perf.data" --no-children --sort symbol -g none --percent-limit 1 --stdio 2>/dev/null \
    | grep -v '^$' | cut -c1-160 | head -40 || true
  echo "perf, time including callees:"
  perf report -q -i "$work/perf.data" --children --sort symbol -g none --percent-limit 5 --stdio 2>/dev/null \
    | grep -v '^$' | cut -c1-160 | head -60 || true
fi
