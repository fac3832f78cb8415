#!/usr/bin/env python3
"""The outbox's cost on acceptProposal as CPU per accept, with the servers
answering at the same time rather than one after the other.

outbox_ab.py runs each configuration's burst in turn, a few seconds apart;
on a shared two-core host a burst still moves by 10-30 % against the next,
and whichever ran second did worse in most groups. Here every
configuration's server answers its copy of the same accepts in the same
seconds, each from client threads of its own (`--clients`, one by
default) posting them one at a time on a connection each, so whatever the
host does then it does to all of them.
What is compared is each server's CPU time (user and system, from
/proc/PID/stat) per accept: the work an accept costs, which is what limits
the rate once the cores are busy, whatever else shares them.

    python3 bench/api/outbox_together.py --binary PATH [GROUPS] [--people N]
        [--burst N] [--clients N] [--configs without,rows] [--bin NAME=PATH]

Configurations, binaries and the seeded file as outbox_ab.py has them (the
binary needs bench/api/no-notifications.patch); the script checks that
"without" wrote no notification row and that "rows" did. Each group starts
the servers' clients together on the next BURST proposals; the order the
threads start in rotates.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lifecycle as lc  # noqa: E402
from outbox_ab import CONFIGS, ROWS, Server, count, prepare  # noqa: E402
from outbox_instr import accept_all  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def group(servers, order, chunk, clients):
    """Every server answers `chunk` at the same time, from `clients`
    connections each; each one's user and system CPU milliseconds per
    accept."""
    start = threading.Barrier(len(order) * clients)
    result = {}
    failed = []

    def post(name, part):
        start.wait()
        try:
            accept_all(servers[name].port, part)
        except BaseException as e:  # noqa: BLE001 - reported after the join
            failed.append(f"{name}: {e}")

    for name in order:
        result[name] = cpu_ticks(servers[name].proc.pid)
    threads = [threading.Thread(target=post, args=(name, chunk[k::clients]))
               for k in range(clients) for name in order]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise SystemExit(f"a client failed: {failed[0]}")
    for name in order:
        (user, system), (user2, system2) = result[name], cpu_ticks(servers[name].proc.pid)
        result[name] = (1000 * (user2 - user) / TICK / len(chunk),
                        1000 * (system2 - system) / TICK / len(chunk))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="?", type=int, default=10)
    parser.add_argument("--binary", required=True,
                        help="a release build with bench/api/no-notifications.patch applied")
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--burst", type=int, default=600)
    parser.add_argument("--clients", type=int, default=1,
                        help="connections per server, each posting its share one at a time")
    parser.add_argument("--configs", default="without,rows")
    parser.add_argument("--bin", action="append", default=[], metavar="NAME=PATH")
    args = parser.parse_args()
    names = args.configs.split(",")
    if not {n.split(":")[0] for n in names} <= {"without", "rows"} or len(names) < 2:
        raise SystemExit("--configs: two or more of without and rows, each with an optional tag")
    binaries = dict(item.split("=", 1) for item in args.bin)
    work = tempfile.mkdtemp(prefix="tandem-outbox-together-")
    log = open(os.path.join(work, "serve.log"), "w")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    servers = {}
    results = []
    try:
        seeded, lines = prepare(args.binary, work, args.people, log)
        groups = min(args.groups, len(lines) // args.burst)
        if groups == 0:
            raise SystemExit(f"only {len(lines)} proposals: lower --burst")
        for n, name in enumerate(names):
            path = os.path.join(work, f"{name.replace(':', '-')}.db")
            shutil.copy(seeded, path)
            servers[name] = Server(binaries.get(name, args.binary), path, 18741 + n,
                                   dict(CONFIGS[name.split(":")[0]]), log)
        time.sleep(2)
        rows_before = {name: count(s.path, ROWS) for name, s in servers.items()}
        for i in range(groups):
            chunk = lines[i * args.burst:(i + 1) * args.burst]
            order = names[i % len(names):] + names[:i % len(names)]
            results.append(group(servers, order, chunk, args.clients))
            print(f"group {i + 1}: " + "; ".join(
                f"{n} {sum(results[-1][n]):.3f} ms" for n in names), flush=True)
        for name, server in servers.items():
            wrote = count(server.path, ROWS) != rows_before[name]
            if wrote != (name.split(":")[0] == "rows"):
                raise SystemExit(f"'{name}' {'wrote' if wrote else 'did not write'} notification rows: "
                                 "is the patch applied?")
    finally:
        for server in servers.values():
            server.stop()
        log.close()
        shutil.rmtree(work, ignore_errors=True)

    model, cores = lc.machine()
    ref = names[0]
    print()
    print(f"{started}; machine: {model}, nproc {cores}; {args.people} people seeded; {groups} groups of "
          f"{args.burst} accepts, the servers answering together, {args.clients} client thread(s) each")
    print()
    print("| configuration | CPU ms per accept, per group (user + system) | median | "
          f"/ {ref}, per group | median | user, system (medians) |")
    print("|---|---|---|---|---|---|")
    for n in names:
        totals = [sum(r[n]) for r in results]
        ratios = [sum(r[n]) / sum(r[ref]) for r in results]
        print(f"| {n} | {' '.join(f'{t:.3f}' for t in totals)} | {statistics.median(totals):.3f} | "
              f"{' '.join(f'{x:.3f}' for x in ratios)} | {statistics.median(ratios):.3f} | "
              f"{statistics.median(r[n][0] for r in results):.3f}, "
              f"{statistics.median(r[n][1] for r in results):.3f} |")


if __name__ == "__main__":
    main()
