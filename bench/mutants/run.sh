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
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-domain}"
shard="${2:-}"
command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants
args=(--no-shuffle --sharding round-robin --output "target/mutants-$what")
[ -n "$shard" ] && args+=(--shard "$shard")
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
    args+=(--package tandem --test-package tandem-tests --timeout 300 -f 'api/src/service/*.rs' -f 'api/src/store/*.rs' -- -- sqlite::)
    ;;
  *)
    echo "usage: $0 domain|service [k/n]" >&2
    exit 2
    ;;
esac
started="$(date -u +%FT%TZ)"
set +e
cargo mutants "${args[@]}"
set -e
out="target/mutants-$what/mutants.out/outcomes.json"
# One file per shard, so the summaries of different shards sit side by side.
summary="bench/mutants/SUMMARY-$what${shard:+-${shard/\//of}}.txt"
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
