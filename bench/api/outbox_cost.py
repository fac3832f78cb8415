#!/usr/bin/env python3
"""The outbox's cost on acceptProposal (and requestMentorship): runs
bench/api/lifecycle.py (SQLite, one server worker) in rounds, each round
under every configuration below, and prints each run and the medians.

    python3 bench/api/outbox_cost.py [ROUNDS] [SECONDS] [--baseline-root DIR] [--only rows,sending]

- base:    the build before notifications existed: DIR is a worktree at
           that commit (90a4bd7) with its release binary built; its own
           lifecycle.py runs it. Left out without --baseline-root.
- inbox:   nothing configured (each event an inbox row only).
- rows:    webhook and email configured (bench/receiver on loopback),
           TANDEM_DELIVERY_WORKER=off: every row written, nothing sent, as
           on an API instance when another instance delivers.
- sending: the same channels with the worker sending from the server's
           own process, on the same two cores as wrk and the receiver.

The receiver is bench/receiver (Rust, one thread): the Python one used more
CPU than Tandem's worker, so it measured the receiver more than Tandem.
Its CPU seconds per run are printed.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RECEIVER = os.path.join(ROOT, "target", "release", "tandem-bench-receiver")
HOOK_PORT, SMTP_PORT = 18611, 18612
CHANNELS = {
    "TANDEM_WEBHOOK_URL": f"http://127.0.0.1:{HOOK_PORT}/hook",
    "TANDEM_WEBHOOK_SECRET": "benchmark-webhook-secret-0123456789",
    "TANDEM_SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
    "TANDEM_MAIL_FROM": "tandem@example.com",
}


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(root, extra_env, seconds, receiver_pid):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(extra_env)
    before = cpu_seconds(receiver_pid)
    done = subprocess.run([sys.executable, os.path.join(root, "bench", "api", "lifecycle.py"), "sqlite",
                           "20000", str(seconds)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"lifecycle.py failed:\n{done.stdout}{done.stderr}")
    rates = {}
    for name in ("requestMentorship", "acceptProposal"):
        m = re.search(rf"^\| {name} \| (\d+) \|.*?\| (\d+) in [0-9.]+ s \|", done.stdout, re.M)
        rates[name] = int(m.group(1)) if m else None
        answered = int(m.group(2)) if m else 0
        # The phase's CPU line: the server's core-seconds (its delivery
        # worker included), which the machine's noise moves less than rates.
        c = re.search(rf"^- {name}: .*\n  CPU core-seconds over [0-9.]+ s .*?: server ([0-9.]+),", done.stdout, re.M)
        rates[name + " cpu"] = 1000 * float(c.group(1)) / answered if c and answered else None
        # Other processes' core-seconds in the phase: the machine's neighbours.
        o = re.search(rf"^- {name}: .*\n  CPU core-seconds .*?everything else ([0-9.]+)", done.stdout, re.M)
        rates[name + " others"] = float(o.group(1)) if o else None
    return rates, cpu_seconds(receiver_pid) - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rounds", nargs="?", type=int, default=3)
    parser.add_argument("seconds", nargs="?", type=int, default=10)
    parser.add_argument("--baseline-root", help="a worktree at the commit before notifications, built in release")
    parser.add_argument("--only", help="the configurations to run, comma-separated (default: all)")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tandem", "-p", "tandem-bench-receiver"],
                   cwd=ROOT, check=True)
    receiver = subprocess.Popen([RECEIVER, str(HOOK_PORT), str(SMTP_PORT)], stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    configs = []
    if args.baseline_root:
        configs.append(("base", os.path.abspath(args.baseline_root), {}))
    configs += [
        ("inbox", ROOT, {}),
        ("rows", ROOT, dict(CHANNELS, TANDEM_DELIVERY_WORKER="off")),
        ("sending", ROOT, dict(CHANNELS)),
    ]
    if args.only:
        wanted = args.only.split(",")
        configs = [c for c in configs if c[0] in wanted]
    results = {name: [] for name, _, _ in configs}
    print(f"started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {args.rounds} rounds of "
          f"lifecycle.py sqlite 20000 {args.seconds}")
    print()
    print("| round | configuration | requestMentorship/s | acceptProposal/s | server CPU ms per accept | "
          "others' CPU s in the accept phase | receiver CPU s |")
    print("|---|---|---|---|---|---|---|")
    try:
        for round_ in range(1, args.rounds + 1):
            for name, root, env in configs:
                rates, receiver_cpu = run(root, env, args.seconds, receiver.pid)
                results[name].append(rates)
                per = rates["acceptProposal cpu"]
                others = rates["acceptProposal others"]
                print(f"| {round_} | {name} | {rates['requestMentorship']} | {rates['acceptProposal']} | "
                      f"{f'{per:.2f}' if per else '?'} | {f'{others:.1f}' if others is not None else '?'} | "
                      f"{receiver_cpu:.2f} |", flush=True)
    finally:
        receiver.terminate()
        _, counted = receiver.communicate()
    print()
    print("| configuration | requestMentorship/s (median) | acceptProposal/s (median) | server CPU ms per accept (median) |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs if r[k] is not None)
               for k in ("requestMentorship", "acceptProposal", "acceptProposal cpu")}
        print(f"| {name} | {med['requestMentorship']:.0f} | {med['acceptProposal']:.0f} | "
              f"{med['acceptProposal cpu']:.2f} |")
    print()
    print(f"receiver: {counted.strip()}")


if __name__ == "__main__":
    main()
