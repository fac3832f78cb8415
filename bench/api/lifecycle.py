#!/usr/bin/env python3
"""Throughput of requestMentorship (proposal included) and acceptProposal
through HTTP on one server worker, over a seeded organisation.

    python3 bench/api/lifecycle.py sqlite|postgres [PEOPLE] [SECONDS]

PostgreSQL needs an admin URL whose role may CREATE DATABASE, in
TANDEM_BENCH_POSTGRES_URL (e.g. postgres://tandem:secret@127.0.0.1:5432/tandem);
a fresh database is made for the run. Needs wrk (Debian) and psql for
PostgreSQL; Python's standard library otherwise.

Each requestMentorship comes from a different mentee (one unfinished request
each) and each acceptProposal answers a different proposal with its mentor's
token, so no call repeats one already made. wrk sends each prepared line once
(a Lua script walks the list, stops when it runs out) and counts the answers
that carry GraphQL errors, which arrive with HTTP 200.
"""
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "target", "release", "tandem")
PORT = 18585
SECRET = "benchmark-secret-benchmark-secret-0001"

LUA = r"""
local lines = {}
for line in io.lines(os.getenv("BENCH_LINES")) do
  local tab = line:find("\t")
  lines[#lines + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
end
local next_line = 0
-- Globals, so done() can read them from the thread with thread:get().
errors = 0
answered = 0
first_error = ""
local threads = {}

function setup(thread) table.insert(threads, thread) end

function request()
  next_line = next_line + 1
  local item = lines[next_line]
  local body
  if item == nil then
    -- The list is spent while answers are still in flight: send a harmless
    -- read rather than repeat a mutation (which would be refused).
    item = lines[#lines]
    body = '{"query":"{ __typename }"}'
  else
    body = item[2]
  end
  return wrk.format("POST", "/graphql",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. item[1] },
    body)
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or body:find('"errors"', 1, true) then
    errors = errors + 1
    if first_error == "" then first_error = body:sub(1, 300) end
  end
  if answered >= #lines then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e, a, first = 0, 0, ""
  for _, t in ipairs(threads) do
    e = e + t:get("errors")
    a = a + t:get("answered")
    if first == "" then first = t:get("first_error") end
  end
  io.write(string.format("BENCH answered=%d errors=%d\n", a, e))
  io.write("FIRST_ERROR " .. first .. "\n")
end
"""


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(sub, email):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": sub, "email": email, "iss": "tandem", "aud": "tandem",
              "exp": int(time.time()) + 7200}
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def gql(tok, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/graphql", data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {tok}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        answer = json.load(resp)
    if answer.get("errors"):
        raise SystemExit(f"errors: {answer['errors']}")
    return answer["data"]


class Db:
    """Reads the benchmark's database with sqlite3 or psql."""

    def __init__(self, backend, url, path=None):
        self.backend, self.url, self.path = backend, url, path

    def rows(self, sql):
        if self.backend == "sqlite":
            with sqlite3.connect(self.path) as db:
                return [tuple(str(c) for c in r) for r in db.execute(sql)]
        out = subprocess.run(["psql", self.url, "-qAt", "-F", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]


def wrk(work, name, lines, seconds):
    path = os.path.join(work, f"{name}.lines")
    with open(path, "w") as f:
        for tok, body in lines:
            f.write(f"{tok}\t{body}\n")
    script = os.path.join(work, "lines.lua")
    with open(script, "w") as f:
        f.write(LUA)
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", script,
         f"http://127.0.0.1:{PORT}/graphql"],
        env=dict(os.environ, BENCH_LINES=path), check=True, capture_output=True, text=True).stdout
    rps = next(l.split()[1] for l in out.splitlines() if l.startswith("Requests/sec"))
    p50 = next(l.split()[1] for l in out.splitlines() if l.strip().startswith("50%"))
    p99 = next(l.split()[1] for l in out.splitlines() if l.strip().startswith("99%"))
    bench = next(l for l in out.splitlines() if l.startswith("BENCH"))
    first_error = next((l[12:] for l in out.splitlines() if l.startswith("FIRST_ERROR ")), "")
    if first_error.strip():
        print(f"{name}: first error: {first_error}", file=sys.stderr)
    fields = dict(kv.split("=") for kv in bench.split()[1:])
    took = next(l.split(" in ")[1].split(",")[0] for l in out.splitlines() if " requests in " in l)
    if int(fields["answered"]) >= len(lines):
        # wrk reports the whole -d duration even when the list ran out early,
        # so the rate would be wrong: say so instead of printing it.
        rps = f"ran out of lines ({len(lines)}); rerun with fewer seconds"
    return rps, p50, p99, f'{fields["answered"]} in {took}', fields["errors"]


def link(tokens):
    """One `me` call per token links it to its seeded person by email."""
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda t: gql(t, "{ me { id } }"), tokens))


def main():
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    people = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tandem"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp()
    if backend == "sqlite":
        path = os.path.join(work, "bench.db")
        url = f"sqlite://{path}?mode=rwc"
        db = Db("sqlite", url, path)
    else:
        admin = os.environ["TANDEM_BENCH_POSTGRES_URL"]
        name = f"tandem_bench_{int(time.time())}"
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        url = admin.rsplit("/", 1)[0] + "/" + name
        db = Db("postgres", url)
    env = dict(os.environ, DATABASE_URL=url, TANDEM_JWT_SECRET=SECRET, TANDEM_WORKERS="1",
               RUST_LOG="warn")
    subprocess.run([BIN, "seed", "--demo", "--people", str(people)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{PORT}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        mentors = db.rows("SELECT COUNT(*) FROM mentor_profile")[0][0]
        mentees = db.rows("SELECT p.id, p.email FROM person p JOIN mentee_profile m "
                          "ON m.person_id = p.id WHERE p.sub IS NULL ORDER BY p.id")
        mentee_tokens = [token(f"bench-{pid}", email) for pid, email in mentees]
        link(mentee_tokens)
        # Warm-up: compile the mentor pool and fill caches, with reads only.
        for tok in mentee_tokens[:200]:
            gql(tok, "{ recommendations(first: 3) { score { total } } }")
        ask = json.dumps({"query": 'mutation { requestMentorship(input: { goals: "bench" }) { id state } }'})
        requested = wrk(work, "request", [(t, ask) for t in mentee_tokens], seconds)

        proposals = db.rows("SELECT m.id, p.id, p.email, COALESCE(p.sub, '') FROM mentorship_match m "
                            "JOIN person p ON p.id = m.mentor_id WHERE m.state = 'proposed' "
                            "ORDER BY m.id")
        # The demo's three people already have a sub of their own: keep it.
        mentor_tokens = {pid: token(sub or f"bench-{pid}", email)
                         for _, pid, email, sub in proposals}
        link(list(mentor_tokens.values()))
        accept = "mutation($id: ID!) { acceptProposal(matchId: $id) { id state } }"
        lines = [(mentor_tokens[pid], json.dumps({"query": accept, "variables": {"id": mid}}))
                 for mid, pid, _, _ in proposals]
        # Accepts are quicker than requests: a third of the time keeps the
        # list from running out before wrk's clock does.
        accepted = wrk(work, "accept", lines, max(1, seconds * 3 // 10))
        active = db.rows("SELECT COUNT(*) FROM mentorship_match WHERE state = 'active'")[0][0]
    finally:
        server.terminate()
        server.wait()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {backend}, {people} people, "
          f"{mentors} mentors, {len(mentees)} mentees, one server worker, wrk -t1 -c4 "
          f"(each line once, at most {seconds} s); {cpu}, {os.cpu_count()} cores")
    print()
    print("| call | requests/s | p50 | p99 | answered | GraphQL errors |")
    print("|---|---|---|---|---|---|")
    for name, (rps, p50, p99, sent, errors) in [("requestMentorship (proposes)", requested),
                                                ("acceptProposal", accepted)]:
        print(f"| {name} | {rps} | {p50} | {p99} | {sent} | {errors} |")
    print()
    print(f"proposals made: {len(proposals)}, active after the accepts: {active}")


if __name__ == "__main__":
    main()
