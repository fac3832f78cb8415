#!/usr/bin/env python3
"""Notifications delivered per second by one instance to a local webhook
receiver.

Builds the release binary, migrates a fresh SQLite file, queues N webhook
deliveries in the outbox, starts a receiver on loopback (Python's threaded
HTTP/1.1 server answering 200, counting requests), then times
`tandem notifications deliver` passes until the outbox is empty. The rate
is deliveries / wall time of the passes (process start and migration check
included, so a long-running worker does slightly better).

    python3 bench/api/notifications.py [N]
"""

import http.server
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "benchmark-secret-benchmark-secret-0001"


class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    count = 0
    lock = threading.Lock()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        with Receiver.lock:
            Receiver.count += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tandem"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "tandem")
    work = tempfile.mkdtemp()
    path = os.path.join(work, "bench.db")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, DATABASE_URL=f"sqlite://{path}?mode=rwc", TANDEM_JWT_SECRET=SECRET,
               TANDEM_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", TANDEM_WEBHOOK_SECRET=SECRET,
               RUST_LOG="warn")
    subprocess.run([binary, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(path)
    payload = json.dumps({"mentorId": "nobody-1", "menteeId": "nobody-2", "path": "/matches/m"})
    long_ago = "1970-01-01T00:00:00+00:00"
    db.executemany(
        "INSERT INTO notification_delivery (id, channel, target, kind, match_id, request_id, payload, state, attempts, due_at, created_at) "
        "VALUES (?, 'webhook', ?, 'proposal.created', 'm', 'r', ?, 'pending', 0, ?, ?)",
        [(f"bench-{i:08d}", f"http://127.0.0.1:{port}/hook", payload, long_ago, long_ago) for i in range(n)])
    db.commit()
    started = time.monotonic()
    cpu_before = os.times()
    passes = 0
    while True:
        out = subprocess.run([binary, "notifications", "deliver"], env=env, check=True,
                             capture_output=True, text=True).stdout
        passes += 1
        done = json.loads(out)
        if done["retried"] or done["dead"]:
            raise SystemExit(f"deliveries failed: {done}")
        if done["sent"] == 0:
            break
    elapsed = time.monotonic() - started
    cpu = os.times()
    receiver_cpu = (cpu.user - cpu_before.user) + (cpu.system - cpu_before.system)
    tandem_cpu = (cpu.children_user - cpu_before.children_user) + (cpu.children_system - cpu_before.children_system)
    left = db.execute("SELECT COUNT(*) FROM notification_delivery WHERE state != 'sent'").fetchone()[0]
    print(f"{n} webhook deliveries in {elapsed:.2f} s over {passes} passes: "
          f"{n / elapsed:,.0f} per second; receiver counted {Receiver.count}; not sent: {left}; "
          f"CPU seconds: receiver (Python) {receiver_cpu:.2f}, tandem {tandem_cpu:.2f}")


if __name__ == "__main__":
    main()
