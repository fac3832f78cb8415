#!/usr/bin/env python3
"""The outbox's cost on acceptProposal in work done rather than in time:
instructions executed by the server (valgrind's callgrind), bytes it
wrote (/proc/PID/io), and pages its commits wrote to SQLite's write-ahead
log (strace), with and without the notification rows.

outbox_ab.py measures the rate, which is what the goal is about, but on
a shared two-core machine its groups move by 10-30 % and a change of a few
per cent is lost in them. An instruction count is the same from run to
run, so this script says whether a change makes an accept cheaper and by
how much; outbox_ab.py then says what that is worth in accepts a second.
Instructions leave out the kernel's work on the bytes written, which
the log's pages stand for: each page a commit changed is written to the
log whole (4 KiB) and copied back by a checkpoint later. They are counted
from the log frames' headers as the server writes them. (Which table each
page belongs to cannot be told afterwards: rebalancing a B-tree moves
cells between page numbers.)

    python3 bench/api/outbox_instr.py --binary PATH [--people N] [--accepts N]
        [--configs without,rows] [--bin NAME=PATH] [--sql NAME=FILE]

Configurations, binaries and --sql as outbox_ab.py has them (the binary
needs bench/api/no-notifications.patch; the seed is made with it, so a
newer build given with --bin migrates its copy when it starts). Each
configuration serves its own copy of one seeded file under callgrind with
instrumentation off, answers a few accepts to warm up, then ACCEPTS more
one at a time on one connection with it on; then a second copy without
valgrind, the same accepts, under strace. The report divides the counts
by ACCEPTS (the log's pages by the commits seen).
"""
import argparse
import glob
import http.client
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time

from outbox_ab import CONFIGS, ROWS, Server, count, prepare

WARM_UP = 20


def io_counters(pid):
    with open(f"/proc/{pid}/io") as f:
        return {k: int(v) for k, v in (line.split(": ") for line in f)}


def callgrind(pid, *args):
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, stdout=subprocess.DEVNULL)


def accept_all(port, lines):
    """Posts each accept in turn on one keep-alive connection; all must succeed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    for token, body in lines:
        conn.request("POST", "/graphql", body, {"Authorization": f"Bearer {token}",
                                                "Content-Type": "application/json"})
        answer = conn.getresponse().read()
        if b'"errors"' in answer:
            raise SystemExit(f"an accept failed: {answer[:300]!r}")
    conn.close()


def log_pages(trace):
    """Pages per commit written to the log."""
    frame = re.compile(r'pwrite64\(\d+, "((?:\\x[0-9a-f]{2})+)", 24,')
    pages = commits = 0
    with open(trace) as f:
        for line in f:
            m = frame.search(line)
            if m:
                header = bytes(int(x, 16) for x in m.group(1).split("\\x")[1:])
                pages += 1
                # A commit's last frame carries the database's size in pages.
                commits += int.from_bytes(header[4:8], "big") != 0
    return pages / max(commits, 1)


def copy(seeded, script, path):
    """A copy of the seeded file at `path`, changed by `script` if given."""
    shutil.copy(seeded, path)
    if script:
        db = sqlite3.connect(path)
        with open(script) as f:
            db.executescript(f.read())
        db.close()
    return path


def traced(work, name, binary, seeded, script, lines, port, log):
    """The same accepts on a fresh copy, served without valgrind, with the
    server's writes traced."""
    path = copy(seeded, script, os.path.join(work, f"{name.replace(':', '-')}-traced.db"))
    trace = os.path.join(work, f"strace-{name.replace(':', '-')}.txt")
    server = Server(binary, path, port, dict(CONFIGS[name.split(":")[0]]), log)
    try:
        accept_all(port, lines[:WARM_UP])
        time.sleep(1)
        strace = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=pwrite64", "-s", "24", "-xx",
                                   "-o", trace, "-p", str(server.proc.pid)])
        time.sleep(1)
        accept_all(port, lines[WARM_UP:])
        time.sleep(0.5)
        strace.terminate()
        strace.wait()
    finally:
        server.stop()
    return log_pages(trace)


def total_instructions(out_file):
    """The dump's `totals:` line (its `summary:` line can be 0 when
    instrumentation was switched on after start)."""
    with open(out_file) as f:
        for line in f:
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit(f"no totals in {out_file}")


def measure(work, name, binary, seeded, script, lines, port, log):
    path = copy(seeded, script, os.path.join(work, f"{name.replace(':', '-')}.db"))
    out = os.path.join(work, f"callgrind-{name.replace(':', '-')}.out")
    wrapper = os.path.join(work, f"valgrind-{name.replace(':', '-')}")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nexec valgrind --tool=callgrind --instr-atstart=no "
                f"--callgrind-out-file={out} {binary} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    extra = dict(CONFIGS[name.split(":")[0]])
    server = Server(wrapper, path, port, extra, log)
    try:
        rows_before = count(path, ROWS)
        accept_all(port, lines[:WARM_UP])
        time.sleep(1)
        io_before = io_counters(server.proc.pid)
        callgrind(server.proc.pid, "-i", "on")
        accept_all(port, lines[WARM_UP:])
        callgrind(server.proc.pid, "-i", "off")
        io_after = io_counters(server.proc.pid)
        callgrind(server.proc.pid, "-d")
        rows = count(path, ROWS) - rows_before
    finally:
        server.stop()
    n = len(lines) - WARM_UP
    dumps = sorted(glob.glob(out + "*"), key=os.path.getmtime)
    instructions = max(total_instructions(d) for d in dumps)
    pages = traced(work, name, binary, seeded, script, lines, port, log)
    return {
        "instructions": instructions / n,
        "bytes": (io_after["wchar"] - io_before["wchar"]) / n,
        "writes": (io_after["syscw"] - io_before["syscw"]) / n,
        "rows": rows / len(lines),
        "pages": pages,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True,
                        help="a release build with bench/api/no-notifications.patch applied")
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--accepts", type=int, default=300)
    parser.add_argument("--configs", default="without,rows")
    parser.add_argument("--bin", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--sql", action="append", default=[], metavar="NAME=FILE")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    for tool, package in (("callgrind_control", "valgrind"), ("strace", "strace")):
        if shutil.which(tool) is None:
            subprocess.run(["apt-get", "install", "-y", package], check=True, stdout=subprocess.DEVNULL)
    names = args.configs.split(",")
    if not {n.split(":")[0] for n in names} <= {"without", "rows"}:
        raise SystemExit("--configs: without and rows, each with an optional tag (rows:new)")
    binaries = dict(item.split("=", 1) for item in args.bin)
    scripts = dict(item.split("=", 1) for item in args.sql)
    work = tempfile.mkdtemp(prefix="tandem-outbox-instr-")
    log = open(os.path.join(work, "serve.log"), "w")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        seeded, lines = prepare(args.binary, work, args.people, log)
        lines = lines[:WARM_UP + args.accepts]
        if len(lines) < WARM_UP + args.accepts:
            raise SystemExit(f"only {len(lines)} proposals: raise --people")
        results = {}
        for i, name in enumerate(names):
            results[name] = measure(work, name, binaries.get(name, args.binary), seeded,
                                    scripts.get(name), lines, 18700 + i, log)
            print(f"{name}: {results[name]}", flush=True)
    finally:
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ref = results[names[0]]
    print()
    print(f"{started}; {args.people} people seeded; {args.accepts} accepts per configuration after "
          f"{WARM_UP} to warm up, one at a time; callgrind (user-space instructions of every thread)")
    print()
    print(f"| configuration | instructions per accept | / {names[0]} | log pages per commit | / {names[0]} "
          f"| bytes written per accept (valgrind run) | notification rows per accept |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        r = results[name]
        print(f"| {name} | {r['instructions']:,.0f} | {r['instructions'] / ref['instructions']:.3f} "
              f"| {r['pages']:.2f} | {r['pages'] / ref['pages']:.3f} "
              f"| {r['bytes']:,.0f} | {r['rows']:.2f} |")


if __name__ == "__main__":
    main()
