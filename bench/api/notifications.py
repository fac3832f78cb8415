#!/usr/bin/env python3
"""Notifications delivered per second by one instance to local receivers.

Builds the release binaries, migrates a fresh SQLite file, queues N
deliveries in the outbox (webhooks, emails, or both: N of each), starts
bench/receiver (Rust, one thread: answers every webhook POST with 200 and
accepts every SMTP message) on loopback, then times `tandem notifications
deliver` passes until the outbox is empty. The rate is deliveries / wall
time of the passes (process start and migration check included, so a
long-running worker does slightly better); the CPU columns are the passes'
(tandem) and the receiver's core-seconds.

    python3 bench/api/notifications.py [N] [--channel webhook|email|both] [--binary PATH]

--binary runs another build of `tandem` (say, an older commit's, to compare)
instead of building this tree's.
"""

import argparse
import os
import sqlite3
import subprocess
import tempfile
import time
import json

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "benchmark-secret-benchmark-secret-0001"
HOOK_PORT, SMTP_PORT = 18621, 18622


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10000)
    parser.add_argument("--channel", choices=["webhook", "email", "both"], default="webhook")
    parser.add_argument("--binary", help="a tandem binary to run instead of this tree's release build")
    args = parser.parse_args()
    n = args.n
    channels = ["webhook", "email"] if args.channel == "both" else [args.channel]
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tandem", "-p", "tandem-bench-receiver"],
                   cwd=ROOT, check=True)
    binary = args.binary or os.path.join(ROOT, "target", "release", "tandem")
    receiver = subprocess.Popen([os.path.join(ROOT, "target", "release", "tandem-bench-receiver"),
                                 str(HOOK_PORT), str(SMTP_PORT)], stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    work = tempfile.mkdtemp()
    path = os.path.join(work, "bench.db")
    hook = f"http://127.0.0.1:{HOOK_PORT}/hook"
    env = dict(os.environ, DATABASE_URL=f"sqlite://{path}?mode=rwc", TANDEM_JWT_SECRET=SECRET,
               TANDEM_WEBHOOK_URL=hook, TANDEM_WEBHOOK_SECRET=SECRET,
               TANDEM_SMTP_URL=f"smtp://127.0.0.1:{SMTP_PORT}", TANDEM_MAIL_FROM="tandem@example.com",
               RUST_LOG="warn")
    try:
        subprocess.run([binary, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        db = sqlite3.connect(path)
        long_ago = "1970-01-01T00:00:00+00:00"
        # The pair the emails are about (names and addresses are read when sending).
        db.executemany("INSERT INTO person (id, display_name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                       [("bench-mentor", "Ada Mentor", "ada@example.com", long_ago, long_ago),
                        ("bench-mentee", "Grace Mentee", "grace@example.com", long_ago, long_ago)])
        payload = json.dumps({"mentorId": "bench-mentor", "menteeId": "bench-mentee", "side": "mentor",
                              "path": "/matches/m", "goals": "Learn to maintain a project",
                              "reasons": ["You both work on Kubernetes", "Same timezone"]})
        for channel in channels:
            target = hook if channel == "webhook" else "bench-mentor"
            person = None if channel == "webhook" else "bench-mentor"
            db.executemany(
                "INSERT INTO notification_delivery (id, channel, target, person_id, kind, match_id, request_id, "
                "payload, state, attempts, due_at, created_at) "
                "VALUES (?, ?, ?, ?, 'proposal.created', 'm', 'r', ?, 'pending', 0, ?, ?)",
                [(f"bench-{channel}-{i:08d}", channel, target, person, payload, long_ago, long_ago)
                 for i in range(n)])
        db.commit()
        receiver_before = cpu_seconds(receiver.pid)
        started = time.monotonic()
        cpu_before = os.times()
        passes = 0
        while True:
            out = subprocess.run([binary, "notifications", "deliver"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            passes += 1
            done = json.loads(out)
            if done["retried"] or done["dead"] or done["dropped"]:
                raise SystemExit(f"deliveries failed: {done}")
            if done["sent"] == 0:
                break
        elapsed = time.monotonic() - started
        cpu = os.times()
        receiver_cpu = cpu_seconds(receiver.pid) - receiver_before
        tandem_cpu = (cpu.children_user - cpu_before.children_user) + (cpu.children_system - cpu_before.children_system)
        left = db.execute("SELECT COUNT(*) FROM notification_delivery WHERE state != 'sent'").fetchone()[0]
    finally:
        receiver.terminate()
        _, counted = receiver.communicate()
    total = n * len(channels)
    print(f"{total} deliveries ({n} x {' + '.join(channels)}) in {elapsed:.2f} s over {passes} passes: "
          f"{total / elapsed:,.0f} per second; receiver counted: {counted.strip()}; not sent: {left}; "
          f"CPU seconds: tandem {tandem_cpu:.2f} ({1000 * tandem_cpu / total:.3f} ms per delivery), "
          f"receiver {receiver_cpu:.2f}")


if __name__ == "__main__":
    main()
