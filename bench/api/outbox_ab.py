#!/usr/bin/env python3
"""The outbox's cost on acceptProposal, measured in groups of bursts:
servers on identical SQLite copies answer the same acceptProposal calls one
after the other, each in its configuration:

- without: no notification rows at all (the reference);
- rows:    webhook and email configured, TANDEM_DELIVERY_WORKER=off: the
           inbox, email and webhook rows written in the transaction,
           nothing sent (an API instance beside a delivering one);
- sending: the same channels, the delivery worker sending from the
           server's own process to bench/receiver on the same two cores.

A configuration may carry a tag (`rows:wr`) and `--sql rows:wr=FILE`: the
same settings on a copy FILE changed first (to compare schemas).

A group's ratios compare bursts a few seconds apart, so the machine's
neighbours, which moved whole runs of lifecycle.py by 15-50 %, move a
group much less.

    python3 bench/api/outbox_ab.py [GROUPS] [--people N] [--burst N]
        [--configs without,rows,sending] [--sql NAME=FILE] --binary PATH [--keep]

`--env NAME=VAR=VALUE` serves one tagged configuration with a setting of
its own (e.g. `--env rows:one=TANDEM_DB_MAX_CONNECTIONS=1`).

`--bin NAME=PATH` serves one tagged configuration with another build
(e.g. `--configs without,rows,without:old,rows:old --bin without:old=A
--bin rows:old=A`), so two builds are compared in the same groups.

"without" needs a build with bench/api/no-notifications.patch applied
(`notify::write` returns at once under BENCH_NO_NOTIFICATIONS): make a
worktree, `git apply` the patch, build it in release and pass its binary
with --binary; every server runs that binary. The script checks that the
"without" server wrote no notification row, that "rows" did, and that the
"sending" one delivered every row it wrote.

1. Seeds PEOPLE (default 40,000) into one SQLite file, serves it, links
   every mentee's token, and has every mentee call requestMentorship once
   (the proposals to accept), then links each proposed mentor's token.
2. Copies the file once per configuration and serves each copy with
   TANDEM_WORKERS=1 and the sweeper held off (TANDEM_SWEEP_INTERVAL=1h);
   bench/receiver (Rust, one thread) takes the webhooks and emails.
3. For each group, the next BURST proposals (default 2,000) are accepted on
   every server, one after the other (the order rotates), each burst
   through `wrk -t1 -c4` as lifecycle.py drives it, after the sending
   server's outbox is empty.

Reported per burst: requests/s, the server's CPU per accept (for
"sending", up to the moment its outbox is empty again, so every send is
counted), and what other processes took meanwhile.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lifecycle as lc  # noqa: E402
# The receiver, its ports and the channels pointing at it, as outbox_cost.py has them.
from outbox_cost import CHANNELS, HOOK_PORT, RECEIVER, SMTP_PORT, cpu_seconds  # noqa: E402

ROOT = lc.ROOT
ACCEPT = "mutation($id: ID!) { acceptProposal(matchId: $id) { id state } }"


def count(path, sql):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


class Server:
    def __init__(self, binary, path, port, extra, log):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "BENCH_"))}
        # The sweeper's pass (a minute apart by default) offers seats to
        # every waiting request: over a thousand here, a core-second or two
        # that landed in whichever burst ran then, in either server.
        env.update(DATABASE_URL=f"sqlite://{path}?mode=rwc", TANDEM_JWT_SECRET=lc.SECRET,
                   TANDEM_WORKERS="1", RUST_LOG="warn", TANDEM_SWEEP_INTERVAL="1h", **extra)
        self.path, self.port = path, port
        self.proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                                     stdout=log, stderr=log)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"tandem serve exited: see {log.name}")
                time.sleep(0.1)
        raise SystemExit("tandem serve did not become healthy")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

    def pending(self):
        return count(self.path, "SELECT COUNT(*) FROM notification_delivery WHERE state = 'pending'")

    def drained(self, timeout=120):
        """Waits until the outbox holds nothing pending."""
        end = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > end:
                raise SystemExit(f"the outbox of {self.path} did not drain")
            time.sleep(0.02)


def prepare(binary, work, people, log):
    """One seeded file with a proposal per mentee and every token linked."""
    path = os.path.join(work, "seeded.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "BENCH_"))}
    env.update(DATABASE_URL=f"sqlite://{path}?mode=rwc", TANDEM_JWT_SECRET=lc.SECRET, RUST_LOG="warn")
    seeded = subprocess.run([binary, "seed", "--demo", "--people", str(people)], env=env,
                            capture_output=True, text=True)
    if seeded.returncode != 0:
        raise SystemExit(f"tandem seed failed:\n{seeded.stdout}{seeded.stderr}")
    server = Server(binary, path, 18640, {}, log)
    try:
        db = lc.Db("sqlite", None, path)
        mentees = db.rows("SELECT p.id, p.email, COALESCE(p.sub, '') FROM person p "
                          "JOIN mentee_profile m ON m.person_id = p.id ORDER BY p.id")
        tokens = [(pid, lc.mint(lc.sub_for(pid, sub), email)) for pid, email, sub in mentees]
        lc.link(server.port, tokens)
        ask = json.dumps({"query": 'mutation { requestMentorship(input: { goals: "bench" }) { id state } }'})
        lc.wrk(work, server.port, "prepare", [(tok, ask) for _, tok in tokens], 900, server.proc.pid)
        time.sleep(1)
        proposals = db.rows("SELECT m.id, p.id, p.email, COALESCE(p.sub, '') FROM mentorship_match m "
                            "JOIN person p ON p.id = m.mentor_id WHERE m.state = 'proposed' "
                            "ORDER BY m.proposed_at, m.id")
        mentors = {pid: lc.mint(lc.sub_for(pid, sub), email) for _, pid, email, sub in proposals}
        lc.link(server.port, list(mentors.items()))
    finally:
        server.stop()
    done = sqlite3.connect(path)
    done.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done.close()
    return path, [(mentors[pid], json.dumps({"query": ACCEPT, "variables": {"id": mid}}))
                  for mid, pid, _, _ in proposals]


def burst(work, server, name, lines, sending):
    before = cpu_seconds(server.proc.pid)
    rec = lc.wrk(work, server.port, name, lines, 300, server.proc.pid)
    if sending:
        server.drained()
    cpu = cpu_seconds(server.proc.pid) - before
    others = float(re.search(r"everything else ([0-9.]+)", rec["cpu"]).group(1))
    top = re.search(r"top: (.*)\)$", rec["cpu"]).group(1)
    return {"rps": rec["rps"], "errors": rec["errors"], "answered": rec["answered"],
            "cpu_ms": 1000 * cpu / max(rec["answered"], 1), "others": others, "top": top}


CONFIGS = {
    "without": dict(CHANNELS, BENCH_NO_NOTIFICATIONS="1"),
    "rows": dict(CHANNELS, TANDEM_DELIVERY_WORKER="off"),
    "sending": CHANNELS,
}
ROWS = "SELECT (SELECT COUNT(*) FROM notification) + (SELECT COUNT(*) FROM notification_delivery)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="?", type=int, default=6)
    parser.add_argument("--people", type=int, default=40000)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--configs", default="without,rows,sending",
                        help="comma-separated, from: without, rows, sending (the first is the reference)")
    parser.add_argument("--sql", action="append", default=[], metavar="NAME=FILE",
                        help="SQL run on NAME's copy before it is served; NAME is a configuration with a tag, "
                             "e.g. rows:wr (the rows configuration, on a copy changed by FILE)")
    parser.add_argument("--bin", action="append", default=[], metavar="NAME=PATH",
                        help="serve NAME (a configuration with a tag, e.g. rows:old) with another build, "
                             "to compare builds; it needs the patch as --binary does")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VAR=VALUE",
                        help="serve NAME (a configuration with a tag, e.g. rows:one) with VAR set to VALUE, "
                             "to compare settings")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (databases, logs)")
    parser.add_argument("--binary", required=True,
                        help="a release build with bench/api/no-notifications.patch applied")
    args = parser.parse_args()
    names = args.configs.split(",")
    if not {n.split(":")[0] for n in names} <= set(CONFIGS) or len(names) < 2:
        raise SystemExit(f"--configs: two or more of {', '.join(CONFIGS)}")
    scripts = dict(item.split("=", 1) for item in args.sql)
    if not set(scripts) <= set(names):
        raise SystemExit("--sql: NAME must be one of --configs")
    binaries = dict(item.split("=", 1) for item in args.bin)
    settings = {}
    for item in args.env:
        name, var, value = item.split("=", 2)
        settings.setdefault(name, {})[var] = value
    if not set(settings) <= set(names):
        raise SystemExit("--env: NAME must be one of --configs")
    if not set(binaries) <= set(names):
        raise SystemExit("--bin: NAME must be one of --configs")
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tandem-bench-receiver"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="tandem-outbox-ab-")
    log = open(os.path.join(work, "serve.log"), "w")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t = time.monotonic()
    seeded, lines = prepare(args.binary, work, args.people, log)
    prepared_s = time.monotonic() - t
    groups = min(args.groups, len(lines) // args.burst)
    if groups == 0:
        raise SystemExit(f"only {len(lines)} proposals: lower --burst")
    receiver = subprocess.Popen([RECEIVER, str(HOOK_PORT), str(SMTP_PORT)], stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    servers = {}
    senders = []
    results = []
    delivered = unsent = 0
    try:
        for n, name in enumerate(names):
            path = os.path.join(work, f"{name.replace(':', '-')}.db")
            shutil.copy(seeded, path)
            if name in scripts:
                db = sqlite3.connect(path)
                with open(scripts[name]) as f:
                    db.executescript(f.read())
                db.close()
            servers[name] = Server(binaries.get(name, args.binary), path, 18641 + n,
                                   dict(CONFIGS[name.split(":")[0]], **settings.get(name, {})), log)
        # Each server's first sweep runs at start: wait until all are idle.
        for _ in range(120):
            before = sum(cpu_seconds(s.proc.pid) for s in servers.values())
            time.sleep(1)
            if sum(cpu_seconds(s.proc.pid) for s in servers.values()) - before < 0.05:
                break
        rows_before = {name: count(server.path, ROWS) for name, server in servers.items()}
        senders = [servers[n] for n in names if n.split(":")[0] == "sending"]
        makes_rows = [n for n in names if n.split(":")[0] == "rows"]
        for i in range(groups):
            chunk = lines[i * args.burst:(i + 1) * args.burst]
            order = names[i % len(names):] + names[:i % len(names)]
            group = {}
            for name in order:
                for sender in senders:
                    sender.drained()
                time.sleep(0.5)
                group[name] = burst(work, servers[name], f"{name}-{i}", chunk, name.split(":")[0] == "sending")
            if "without" in servers and count(servers["without"].path, ROWS) != rows_before["without"]:
                raise SystemExit("the 'without' server wrote notification rows: is the patch applied?")
            for n in makes_rows:
                if count(servers[n].path, ROWS) == rows_before[n]:
                    raise SystemExit(f"the '{n}' server wrote no notification rows")
            results.append((order, group))
            print(f"group {i + 1}: " + "; ".join(
                f"{n} {group[n]['rps']:.0f}/s {group[n]['cpu_ms']:.2f} ms (others {group[n]['others']:.1f}: "
                f"{group[n]['top']})" for n in order), flush=True)
        unsent = sum(count(s.path, "SELECT COUNT(*) FROM notification_delivery WHERE state != 'sent'")
                     for s in senders)
        delivered = sum(count(s.path, "SELECT COUNT(*) FROM notification_delivery WHERE state = 'sent'")
                        for s in senders)
    finally:
        for server in servers.values():
            server.stop()
        receiver.terminate()
        _, counted = receiver.communicate()
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    model, cores = lc.machine()
    ref = names[0]
    print()
    print(f"{started}; machine: {model}, nproc {cores}; binary {args.binary}; {args.people} people seeded, "
          f"{len(lines)} proposals (prepared in {prepared_s:.0f} s); {groups} groups of {args.burst} accepts "
          f"per configuration, the order rotating; one server worker each; `wrk -t1 -c4` per burst; "
          f"TANDEM_SWEEP_INTERVAL=1h")
    print()
    others = names[1:]
    print("| group | first | " + " | ".join(f"{n}: accepts/s" for n in names) + " | "
          + " | ".join(f"{n} / {ref}" for n in others) + " | "
          + " | ".join(f"{n}: CPU ms per accept" for n in names) + " | others' CPU s |")
    print("|---" * (2 + 2 * len(names) + len(others) + 1) + "|")
    ratios = {n: [] for n in others}
    clean = {n: [] for n in others}
    cpu = {n: [] for n in names}
    for i, (order, group) in enumerate(results, 1):
        quiet = all(group[n]["others"] < 0.5 for n in names)
        for n in others:
            ratios[n].append(group[n]["rps"] / group[ref]["rps"])
            if quiet:
                clean[n].append(ratios[n][-1])
        for n in names:
            cpu[n].append(group[n]["cpu_ms"])
        print(f"| {i} | {order[0]} | " + " | ".join(f"{group[n]['rps']:.0f}" for n in names) + " | "
              + " | ".join(f"{ratios[n][-1]:.3f}" for n in others) + " | "
              + " | ".join(f"{group[n]['cpu_ms']:.2f}" for n in names) + " | "
              + ", ".join(f"{group[n]['others']:.1f}" for n in names) + " |")
    print()
    for n in others:
        print(f"- {n} / {ref}, accepts/s: median {statistics.median(ratios[n]):.3f}, "
              f"range {min(ratios[n]):.3f}-{max(ratios[n]):.3f}; in the groups where other processes took "
              f"under 0.5 core-s in every burst: median "
              f"{statistics.median(clean[n]) if clean[n] else float('nan'):.3f} of {len(clean[n])}")
    print("- server CPU ms per accept, median: " + ", ".join(f"{n} {statistics.median(cpu[n]):.2f}" for n in names)
          + ("; for sending, up to the moment its outbox was empty again" if senders else ""))
    answers = sum(g[n]["answered"] for _, g in results for n in g)
    errors = sum(g[n]["errors"] for _, g in results for n in g)
    print(f"- errors: {errors} of {answers} answers" + (
        f"; deliveries sent {delivered}, not sent {unsent}; receiver: {counted.strip()}" if senders else ""))


if __name__ == "__main__":
    main()
