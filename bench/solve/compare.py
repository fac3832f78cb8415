#!/usr/bin/env python3
"""Reference solvers for the cohort-matching benchmark (bench/solve/run.sh).

    python3 compare.py scipy   CAPS.csv SCORES.csv
    python3 compare.py ortools CAPS.csv SCORES.csv

Solves the problem `tandem solve --strategy optimal` solves (design.md,
"Matching" and "Solving from files"): each mentee gets at most one mentor,
each mentor at most its capacity, a pair missing from SCORES is forbidden,
maximise the total score. Prints the same one JSON line as `tandem solve`:
{"strategy","objective","matched","mentees","mentors","elapsed_ms"}, where
elapsed_ms counts reading the files and solving (not the Python imports).

- scipy:   scipy.optimize.linear_sum_assignment on the slot-expanded dense
           matrix: mentor j repeated capacity(j) times as columns, then one
           zero "stay unmatched" column per mentee. Costs are negated scores
           (minimising them maximises the score; passing maximize=True would
           make SciPy copy the whole matrix), forbidden cells cost FORBIDDEN.
- ortools: ortools.graph.python.min_cost_flow.SimpleMinCostFlow on
           source -> mentee (cap 1) -> mentor (cap 1, cost -score)
           -> sink (cap capacity), plus mentee -> sink (cap 1, cost 0) so a
           mentee may stay unmatched.

Files are read with pyarrow's multi-threaded CSV reader; ids are kept as the
strings they are (mapped to indices with pyarrow compute), scores as int64.
The files are trusted to be well formed beyond the header, the mentor ids and
the sign of the scores (`tandem solve` validates them fully; a duplicate pair
is not looked for here).
Each solver runs in its own process so that wall time and peak RSS are its own.
"""

import json
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# The system allocator hands freed buffers back to the OS, so the peak RSS is
# what the solver needs rather than what Arrow's default pool keeps cached.
pa.set_memory_pool(pa.system_memory_pool())

# Any positive cost keeps a forbidden cell out of an optimal assignment: every
# mentee can always take a free zero dummy column instead (there are as many
# dummy columns as mentees). A large value makes that obvious; 1e9 stays an
# exact integer in float64 even summed over 20,000 rows.
FORBIDDEN = 1e9


def read(caps_path, scores_path):
    """Returns (mentor_ids, capacity[int64], mentee_count, e[int32], m[int32], s[int64])."""
    caps = pacsv.read_csv(
        caps_path,
        convert_options=pacsv.ConvertOptions(
            column_types={"mentor": pa.string(), "capacity": pa.int64()}
        ),
    )
    if caps.column_names != ["mentor", "capacity"]:
        sys.exit(f"{caps_path}: header must be `mentor,capacity`")
    mentor_ids = caps.column("mentor").combine_chunks()
    capacity = caps.column("capacity").to_numpy()
    if pc.count_distinct(mentor_ids).as_py() != len(mentor_ids):
        sys.exit(f"{caps_path}: a mentor appears twice")

    scores = pacsv.read_csv(
        scores_path,
        read_options=pacsv.ReadOptions(block_size=64 << 20),
        convert_options=pacsv.ConvertOptions(
            column_types={"mentee": pa.string(), "mentor": pa.string(), "score": pa.int64()}
        ),
    )
    if scores.column_names != ["mentee", "mentor", "score"]:
        sys.exit(f"{scores_path}: header must be `mentee,mentor,score`")
    s = scores.column("score").to_numpy()
    m_idx = pc.index_in(scores.column("mentor"), value_set=mentor_ids)
    if m_idx.null_count:
        sys.exit(f"{scores_path}: a mentor that {caps_path} does not list")
    m = m_idx.to_numpy().astype(np.int32, copy=False)
    mentees = scores.column("mentee").combine_chunks().dictionary_encode()
    e = mentees.indices.to_numpy().astype(np.int32, copy=False)
    mentee_count = len(mentees.dictionary)
    del scores, m_idx, mentees
    if len(s) and s.min() < 0:
        sys.exit(f"{scores_path}: a negative score")
    return mentor_ids, capacity, mentee_count, e, m, s


def solve_scipy(capacity, n, e, m, s):
    from scipy.optimize import linear_sum_assignment  # imported before the clock starts

    slots = int(capacity.sum())
    first = np.zeros(len(capacity), dtype=np.int64)
    np.cumsum(capacity[:-1], out=first[1:])
    cost = np.full((n, slots + n), FORBIDDEN, dtype=np.float64)
    cost[:, slots:] = 0.0
    neg = -s.astype(np.float64)
    for k in range(int(capacity.max(initial=0))):
        if k == 0:
            cost[e, first[m]] = neg
        else:
            keep = capacity[m] > k
            cost[e[keep], first[m[keep]] + k] = neg[keep]
    rows, cols = linear_sum_assignment(cost)
    real = cols < slots
    chosen = cost[rows[real], cols[real]]
    if np.any(chosen == FORBIDDEN):
        sys.exit("scipy: the assignment uses a forbidden pair")
    return int(-chosen.sum()), int(real.sum())


def solve_ortools(capacity, n, e, m, s):
    from ortools.graph.python import min_cost_flow  # imported before the clock starts

    mentors = len(capacity)
    source, sink = 0, n + mentors + 1
    mentee_node = np.arange(1, n + 1, dtype=np.int32)
    mentor_node = np.arange(n + 1, n + mentors + 1, dtype=np.int32)
    pairs = len(s)
    tails = np.concatenate([np.full(n, source, np.int32), e + 1, mentee_node, mentor_node])
    heads = np.concatenate([mentee_node, m + (n + 1), np.full(n, sink, np.int32), np.full(mentors, sink, np.int32)])
    caps = np.concatenate([np.ones(n + pairs + n, np.int64), capacity.astype(np.int64)])
    costs = np.concatenate([np.zeros(n, np.int64), -s, np.zeros(n + mentors, np.int64)])
    del e, m
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    del tails, heads, caps, costs
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n, -n]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        sys.exit(f"ortools: min cost flow ended with status {status}")
    matched = int(flow.flows(arcs[n : n + pairs]).sum())
    return -flow.optimal_cost(), matched


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("scipy", "ortools"):
        sys.exit(__doc__.split("\n\n")[1])
    tool, caps_path, scores_path = sys.argv[1:]
    if tool == "scipy":
        import scipy.optimize  # noqa: F401  (elapsed_ms leaves imports out, as `tandem` has none)
    else:
        import ortools.graph.python.min_cost_flow  # noqa: F401
    started = time.perf_counter()
    mentor_ids, capacity, n, e, m, s = read(caps_path, scores_path)
    solver = solve_scipy if tool == "scipy" else solve_ortools
    objective, matched = solver(capacity, n, e, m, s)
    line = {
        "strategy": "scipy-lsa" if tool == "scipy" else "ortools-mcf",
        "objective": objective,
        "matched": matched,
        "mentees": n,
        "mentors": len(mentor_ids),
        "elapsed_ms": round((time.perf_counter() - started) * 1000),
    }
    print(json.dumps(line, separators=(",", ":")))


if __name__ == "__main__":
    main()
