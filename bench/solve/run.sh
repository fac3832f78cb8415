#!/usr/bin/env bash
# Cohort-matching benchmark: `tandem solve` (optimal and stable) against
# SciPy's linear_sum_assignment and OR-Tools' SimpleMinCostFlow on the same
# generated files (bench/solve/compare.py). Each solver runs as its own process
# under /usr/bin/time -v: wall time and peak RSS are of the whole process
# (reading the CSV files included). The three optimal objectives must agree,
# or the script fails. Prints a Markdown table on stdout.
#
#   bench/solve/run.sh [--sizes small,medium,large] [--kinds uniform,structured]
#                      [--tandem PATH] [--timeout SECONDS] [--data DIR]
#
# Sizes (mentees x mentors, allowed pairs per mentee):
#   small 1,000 x 300 (250); medium 5,000 x 1,500 (1,400); large 20,000 x 5,000 (4,750)
# The release binary is taken from --tandem, else $TANDEM, else
# ${CARGO_TARGET_DIR:-target}/release/tandem, built there if it is missing.
# Python packages go to bench/solve/.venv (created on first run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sizes="small,medium,large"
kinds="uniform,structured"
tandem="${TANDEM:-}"
timeout_s=0
data="$root/bench-data"
seed=1

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --kinds) kinds="$2"; shift 2 ;;
    --tandem) tandem="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { echo "run.sh: $*" >&2; }
[ -x /usr/bin/time ] || { log "needs GNU time at /usr/bin/time (apt-get install time)"; exit 2; }

# Python side: its own venv, never the system's or the tests'.
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import numpy, scipy, pyarrow, ortools' 2>/dev/null; then
  log "creating $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check numpy scipy pyarrow ortools
fi
py="$venv/bin/python"

# Tandem: the release binary.
if [ -z "$tandem" ]; then
  target="${CARGO_TARGET_DIR:-$root/target}"
  tandem="$target/release/tandem"
  if [ ! -x "$tandem" ]; then
    log "building $tandem (cargo build --release -p tandem)"
    (cd "$root" && CARGO_TARGET_DIR="$target" cargo build --release -j 1 -p tandem >&2)
  fi
fi
[ -x "$tandem" ] || { log "no tandem binary at $tandem"; exit 2; }

versions="$("$py" -c 'import numpy, scipy, pyarrow, ortools; print(f"numpy {numpy.__version__}, scipy {scipy.__version__}, pyarrow {pyarrow.__version__}, ortools {ortools.__version__}")')"
log "tandem: $tandem; python: $("$py" -V 2>&1); $versions"

mkdir -p "$data"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Wall seconds from GNU time's "h:mm:ss" or "m:ss.ss".
wall_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1"
}
peak_mb() {
  awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"
}
field() { # field NAME < json line
  "$py" -c "import json, sys; print(json.loads(sys.stdin.readline())['$1'])"
}

rows=()
failed=0

# run LABEL TOOL-CMD...: appends a table row; sets $objective ("" on failure).
run() {
  local size="$1" kind="$2" label="$3"; shift 3
  local out="$work/out" tm="$work/time" err="$work/err" rc=0
  local cmd=("$@")
  if [ "$timeout_s" != 0 ]; then cmd=(timeout "$timeout_s" "${cmd[@]}"); fi
  log "$size $kind: $label"
  /usr/bin/time -v -o "$tm" "${cmd[@]}" >"$out" 2>"$err" || rc=$?
  local wall peak
  wall="$(wall_seconds "$tm")"; peak="$(peak_mb "$tm")"
  objective=""
  if [ "$rc" = 0 ] && [ -s "$out" ]; then
    objective="$(field objective <"$out")"
    local matched; matched="$(field matched <"$out")"
    log "  $(cat "$out")  wall ${wall}s, peak ${peak} MB"
    rows+=("| $size | $kind | $label | $wall | $peak | $objective | $matched |")
  elif [ "$rc" = 124 ]; then
    log "  timed out after ${timeout_s}s"
    rows+=("| $size | $kind | $label | >$timeout_s (timed out) | ≥$peak | — | — |")
  else
    log "  FAILED (exit $rc): $(tail -3 "$err")"
    rows+=("| $size | $kind | $label | failed (exit $rc) | $peak | — | — |")
    failed=1
  fi
}

IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a kind_list <<<"$kinds"
for size in "${size_list[@]}"; do
  case "$size" in
    small) mentees=1000; mentors=300; pairs=250; label="1,000×300" ;;
    medium) mentees=5000; mentors=1500; pairs=1400; label="5,000×1,500" ;;
    large) mentees=20000; mentors=5000; pairs=4750; label="20,000×5,000" ;;
    *) log "unknown size $size (small, medium, large)"; exit 2 ;;
  esac
  for kind in "${kind_list[@]}"; do
    caps="$data/$kind-$mentees-$mentors-$pairs-s$seed.caps.csv"
    scores="$data/$kind-$mentees-$mentors-$pairs-s$seed.scores.csv"
    if [ ! -s "$caps" ] || [ ! -s "$scores" ]; then
      log "generating $scores"
      "$tandem" generate --kind "$kind" --mentees "$mentees" --mentors "$mentors" \
        --pairs-per-mentee "$pairs" --seed "$seed" --capacities "$caps.tmp" --scores "$scores.tmp" >&2
      mv "$caps.tmp" "$caps"; mv "$scores.tmp" "$scores"
    fi

    run "$label" "$kind" "tandem optimal" "$tandem" solve --capacities "$caps" --scores "$scores" --strategy optimal
    optimal_tandem="$objective"
    run "$label" "$kind" "tandem stable" "$tandem" solve --capacities "$caps" --scores "$scores" --strategy stable

    # SciPy needs the dense mentees × (slots + mentees) float64 matrix in memory.
    slots="$(awk -F, 'NR > 1 { s += $2 } END { print s + 0 }' "$caps")"
    dense=$((mentees * (slots + mentees) * 8))
    avail_kb="$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)"
    dense_gb="$(awk -v b="$dense" 'BEGIN { printf "%.1f", b / 1e9 }')"
    if [ $((dense + (2 << 30))) -gt $((avail_kb * 1024)) ]; then
      log "  scipy skipped: dense matrix would need $dense_gb GB, $((avail_kb / 1024)) MB available"
      rows+=("| $label | $kind | scipy linear_sum_assignment | skipped: dense matrix would need $dense_gb GB | — | — | — |")
      optimal_scipy=""
    else
      run "$label" "$kind" "scipy linear_sum_assignment" "$py" "$here/compare.py" scipy "$caps" "$scores"
      optimal_scipy="$objective"
    fi
    run "$label" "$kind" "ortools min_cost_flow" "$py" "$here/compare.py" ortools "$caps" "$scores"
    optimal_ortools="$objective"

    # The optimal objectives that were computed must all be equal.
    got=()
    for o in "$optimal_tandem" "$optimal_scipy" "$optimal_ortools"; do [ -n "$o" ] && got+=("$o"); done
    if [ "${#got[@]}" -gt 0 ] && [ "$(printf '%s\n' "${got[@]}" | sort -u | wc -l)" != 1 ]; then
      log "MISMATCH at $label $kind: tandem $optimal_tandem, scipy ${optimal_scipy:-n/a}, ortools ${optimal_ortools:-n/a}"
      rows+=("| $label | $kind | **objectives differ** | tandem $optimal_tandem | scipy ${optimal_scipy:-n/a} | ortools ${optimal_ortools:-n/a} | |")
      failed=1
    fi
  done
done

echo "| size (mentees×mentors) | kind | tool | wall s | peak MB | objective | matched |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo
echo "Python: $("$py" -V 2>&1); $versions. Wall time and peak RSS of the whole process (GNU time), reading the files included."
if [ "$failed" != 0 ]; then
  log "FAILED: a solver failed or the optimal objectives differ (see above)"
  exit 1
fi
