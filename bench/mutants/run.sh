#!/usr/bin/env bash
# Mutation testing with cargo-mutants: how many deliberately broken versions
# of the code the tests catch. Too slow for CI (each mutant is a rebuild and a
# test run), so it runs here and writes its summary to bench/mutants/SUMMARY-<what>[-<k>of<n>].txt.
#
#   bash bench/mutants/run.sh domain  [SHARD]   # the domain crate, with its own tests
#   bash bench/mutants/run.sh service [SHARD]   # api/src/service and api/src/store, with the SQLite integration tests
#
# SHARD is k/n (cargo-mutants --shard): the same shard each time, so runs
# compare. Without it the whole set runs (domain: about 1,000 mutants).
# Further arguments go to cargo-mutants, e.g. `--re 'privacy.rs:231'` to
# finish an interrupted shard; MUTANTS_PART=name then keeps that run's
# output and summary apart (`...-<k>of<n>-<name>.txt`), and MUTANTS_FILES
# (space-separated globs) narrows the service's files. cargo-mutants 27.1
# applies --re to every mutant but the "delete field" ones, which only the
# file filter leaves out.
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-domain}"
shard="${2:-}"
shift $(( $# < 2 ? $# : 2 ))
extra=("$@")
part="${MUTANTS_PART:+-$MUTANTS_PART}"
command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants
args=(--no-shuffle --output "target/mutants-$what$part")
[ -n "$shard" ] && args+=(--sharding round-robin --shard "$shard")
args+=("${extra[@]}")
timeout=300
case "$what" in
  domain)
    args+=(--timeout-multiplier 3 --package tandem-domain --test-package tandem-domain)
    ;;
  service)
    # The service and store are exercised through the API; the SQLite
    # variants of the integration tests are the fastest selection that does.
    # cargo-mutants' baseline runs the mutated package's own tests, not
    # --test-package's, so the timeout it would derive from them (seconds)
    # would cut every mutant's run short and count it caught; the SQLite
    # suite takes about 50 s unmutated, so it is set here.
    set -f # the globs are cargo-mutants' to expand
    for f in ${MUTANTS_FILES:-api/src/service/*.rs api/src/store/*.rs}; do args+=(-f "$f"); done
    set +f
    args+=(--package tandem --test-package tandem-tests --timeout "$timeout" -- -- sqlite::)
    ;;
  *)
    echo "usage: $0 domain|service [k/n]" >&2
    exit 2
    ;;
esac
# A mutant that loops forever is stopped by cargo-mutants at the timeout, but
# the integration tests' binary it started can ignore SIGTERM and keep a core
# busy for the rest of the run, slowing every later mutant; anything built in
# cargo-mutants' scratch tree that outlives the timeout by a minute is killed.
reap() {
  while sleep 20; do
    ps -eo pid=,etimes=,args= | awk -v limit=$((timeout + 60)) \
      '$3 ~ /cargo-mutants-[^ ]*\/target\// && $2 > limit {print $1}' |
      while read -r pid; do
        echo "run.sh: killing $pid, left running by a timed-out mutant" >&2
        kill -9 "$pid" 2>/dev/null || true
      done || true
  done
}
reap &
reaper=$!
trap 'kill "$reaper" 2>/dev/null || true' EXIT
started="$(date -u +%FT%TZ)"
set +e
cargo mutants "${args[@]}"
set -e
out="target/mutants-$what$part/mutants.out/outcomes.json"
# One file per shard, so the summaries of different shards sit side by side.
summary="bench/mutants/SUMMARY-$what${shard:+-${shard/\//of}}$part.txt"
python3 - "$out" "$started" "$what" "$shard" >"$summary" <<'PY'
import json, sys
path, started, what, shard = sys.argv[1:5]
data = json.load(open(path))
counts = {}
missed = []
for o in data["outcomes"]:
    if o["scenario"] == "Baseline":
        continue
    summary = o["summary"]
    counts[summary] = counts.get(summary, 0) + 1
    if summary == "MissedMutant":
        m = o["scenario"]["Mutant"]
        missed.append(f'{m["file"]}:{m["span"]["start"]["line"]}: {m.get("name") or m.get("function", {}).get("function_name", "")} -> {m.get("replacement", "")}')
caught = counts.get("CaughtMutant", 0)
miss = counts.get("MissedMutant", 0)
timeout = counts.get("Timeout", 0)
viable = caught + miss + timeout
print(f"{what}, shard {shard or 'all'}, started {started}")
print(f"counts: {counts}")
print(f"caught (incl. timeouts) {caught + timeout} of {viable} viable = {100 * (caught + timeout) / max(viable, 1):.1f} %")
print("missed:")
for line in missed:
    print("  " + line)
PY
cat "$summary"
