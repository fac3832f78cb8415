#!/usr/bin/env bash
# programMetrics at benchmark scale on PostgreSQL: seeds 20,000 people with
# a year of history (100,000 requests with their matches, check-ins,
# milestones and feedback), then times the whole query over HTTP for one
# program and for a year's range, N times each, with the release build.
#
# usage: bench/api/metrics.sh postgres://USER:PASS@127.0.0.1:5432/DB [N]
# The database is emptied first (DROP SCHEMA public CASCADE).
set -euo pipefail
cd "$(dirname "$0")/../.."
url="${1:?a PostgreSQL URL}"
runs="${2:-20}"
bin=target/release/tandem
cargo build --release -q -p tandem
psql "$url" -qAt -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
export DATABASE_URL="$url" TANDEM_JWT_SECRET=bench-secret-bench-secret-bench-secret \
  TANDEM_LISTEN=127.0.0.1:18181 TANDEM_SWEEP_INTERVAL=7d
start=$(date +%s.%N)
"$bin" seed --demo --people 20000 --history
echo "seeded in $(echo "$(date +%s.%N) - $start" | bc) s"
psql "$url" -qAt -c "VACUUM ANALYZE" 2>/dev/null || true
"$bin" serve >/tmp/tandem-metrics-bench.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18181/readyz >/dev/null && break; sleep 0.2; done
token=$("$bin" token --sub bench-ospo --role ospo)
program=$(psql "$url" -qAt -c "SELECT id FROM program WHERE status = 'running'")
year_from=$(date -u -d '-365 days' +%F); year_to=$(date -u +%F)
python3 - "$token" "$program" "$year_from" "$year_to" "$runs" <<'PY'
import json, statistics, sys, time, urllib.request
token, program, year_from, year_to, runs = sys.argv[1:6]
q = """query($p: ID, $from: Date, $to: Date) { programMetrics(programId: $p, from: $from, to: $to) {
  requestsByState { state count } timeToMatch { medianHours p90Hours count }
  proposals { made accepted declined expired acceptanceRate declinesByReason { reason count } }
  mentorships { active completed endedEarly completionRate }
  mentors { capacity live active utilization idleMentors loadGini }
  levelProgression { advanced meanAdvance byTargetLevel { targetLevel advanced meanAdvance } }
  satisfaction { meanRating ratings byMentor { meanRating ratings } byMentee { meanRating ratings } }
  milestones { kind count } checkIns { count minutes }
  demandSupply { kind slug wanted offered shortfall }
  byMonth { month requests proposalsMade accepted declined expired acceptanceRate completed endedEarly
            completionRate checkIns checkInMinutes milestones levelUps ratings meanRating } } }"""
def once(variables):
    body = json.dumps({"query": q, "variables": variables}).encode()
    req = urllib.request.Request("http://127.0.0.1:18181/graphql", body,
        {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    t = time.perf_counter()
    out = json.load(urllib.request.urlopen(req))
    took = (time.perf_counter() - t) * 1000
    assert "errors" not in out, out
    return took, out
for name, variables in [("whole program", {"p": program}), ("a year's range", {"from": year_from, "to": year_to})]:
    _, out = once(variables)  # warm-up
    times = sorted(once(variables)[0] for _ in range(int(runs)))
    made = out["data"]["programMetrics"]["proposals"]["made"]
    print(f"{name}: median {statistics.median(times):.0f} ms, p90 {times[int(len(times) * 0.9) - 1]:.0f} ms, "
          f"min {times[0]:.0f} ms over {runs} runs ({made} proposals counted)")
PY
