#!/usr/bin/env python3
"""Throughput of requestMentorship (proposal included) and acceptProposal
through HTTP on one server worker, over a seeded organisation. Both phases
run for up to SECONDS each, are timed by the Lua script's own clock, and the
report says where the two cores went during each phase.

    python3 bench/api/lifecycle.py sqlite|postgres [PEOPLE] [SECONDS]
        [--postgres-url URL] [--keep-db] [--port PORT] [--after-seed-sql FILE]

Builds the release binary, seeds PEOPLE people (default 20,000; a quarter
are mentors) into a fresh SQLite file or a fresh PostgreSQL database, serves
it with TANDEM_WORKERS=1 and drives it with `wrk -t1 -c4 --latency` over
loopback, one phase of at most SECONDS seconds (default 10) per call:

1. requestMentorship, each call by a different mentee (a mentee may have
   one unfinished request); the service proposes a mentor inside the call;
2. acceptProposal, each call for a different proposal made in phase 1, with
   the token of that proposal's mentor.

Tokens are minted here (HS256) with sub "bench-<person id>" and the seeded
person's email, so the first call links each to its person; every token is
linked (and checked) with one `{ me { id } }` call before anything is timed.

PostgreSQL: the admin URL (a role that may CREATE DATABASE) comes from
--postgres-url, else TANDEM_BENCH_POSTGRES_URL (one is required for
postgres); a database bench_<unix time>
is created for the run and dropped at the end unless --keep-db. Needs wrk
(Debian; installed with apt-get when missing) and, for PostgreSQL, psql.
Python's standard library otherwise.

wrk sends each prepared (token, body) line once, in order, stops when every
line has been answered, and counts the answers that carry GraphQL errors
(they arrive with HTTP 200, so wrk's non-2xx count misses them). wrk's main
thread sleeps for the whole -d even when its thread stopped early, so the
driver interrupts it (SIGINT) once the last line is answered, and requests/s
is computed from the Lua script's own monotonic clock: answers over the time
from the first request to the last answer.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "target", "release", "tandem")
SECRET = "benchmark-secret-benchmark-secret-0001"
DEFAULT_POSTGRES_URL = None
GOAL_RPS, GOAL_P99_MS = 500, 20.0

# Each line of BENCH_LINES is "<token>\t<JSON body>". The script is loaded
# once for setup()/done() and once in the thread: both read the file.
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local lines = {}
for line in io.lines(os.getenv("BENCH_LINES")) do
  local tab = line:find("\t", 1, true)
  lines[#lines + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
end
local total = #lines

-- Globals, so that done() can read them from the thread with thread:get().
sent = 0        -- lines sent
answered = 0    -- answers to lines (not to fillers)
errors = 0      -- answers to lines with "errors" in the body or a status other than 200
non200 = 0
fillers = 0     -- harmless reads sent after the list ran out (should stay 0)
first_at = 0
last_at = 0
first_error = ""

local threads = {}
function setup(thread) table.insert(threads, thread) end

-- wrk calls request() once in thread 0's state before the run, only to
-- check that it parses (script_verify_request): answer that call with the
-- first line without consuming it. (Hence -t1: other threads get no probe.)
local probed = false

function request()
  if not probed then
    probed = true
    return wrk.format("POST", "/graphql",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. lines[1][1] },
      lines[1][2])
  end
  if sent >= total then
    -- Only reachable if an answer never came (e.g. a dropped connection):
    -- never repeat a mutation, send a harmless read instead.
    fillers = fillers + 1
    return wrk.format("POST", "/graphql",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. lines[total][1] },
      '{"query":"{ __typename }"}')
  end
  sent = sent + 1
  if sent == 1 then first_at = now() end
  local item = lines[sent]
  return wrk.format("POST", "/graphql",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. item[1] },
    item[2])
end

-- Once every line is sent, a connection that gets its answer waits instead
-- of sending a filler; the thread stops when the last line is answered.
function delay()
  if sent >= total then return 60000 end
  return 0
end

function response(status, headers, body)
  if body:find('"__typename"', 1, true) then return end -- a filler's answer
  answered = answered + 1
  last_at = now()
  if status ~= 200 then non200 = non200 + 1 end
  if status ~= 200 or body:find('"errors"', 1, true) then
    errors = errors + 1
    if first_error == "" then first_error = body:sub(1, 400):gsub("[\r\n]", " ") end
  end
  if answered >= total then
    -- Tell the Python driver, which interrupts wrk's main thread (asleep
    -- for the whole -d) so that wrk's duration, rate and latency
    -- correction cover only the time the phase really took.
    io.write("BENCH_FINISHED\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local s, a, e, n, f, t0, t1, first = 0, 0, 0, 0, 0, nil, 0, ""
  for _, t in ipairs(threads) do
    s = s + t:get("sent")
    a = a + t:get("answered")
    e = e + t:get("errors")
    n = n + t:get("non200")
    f = f + t:get("fillers")
    local fa, la = t:get("first_at"), t:get("last_at")
    if fa > 0 and (t0 == nil or fa < t0) then t0 = fa end
    if la > t1 then t1 = la end
    if first == "" then first = t:get("first_error") end
  end
  local elapsed = 0
  if t0 ~= nil and t1 > t0 then elapsed = t1 - t0 end
  io.write(string.format("BENCH lines=%d sent=%d answered=%d errors=%d non200=%d fillers=%d elapsed=%.6f\n",
    total, s, a, e, n, f, elapsed))
  io.write("FIRST_ERROR " .. first .. "\n")
end
"""


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(sub, email):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"sub": sub, "email": email, "iss": "tandem", "aud": "tandem",
              "exp": int(time.time()) + 4 * 3600}
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def gql(port, token, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        answer = json.load(resp)
    if answer.get("errors"):
        raise SystemExit(f"GraphQL errors: {answer['errors']}")
    return answer["data"]


class Db:
    """Reads the benchmark's database with sqlite3 (read-only) or psql."""

    def __init__(self, backend, url, path=None):
        self.backend, self.url, self.path = backend, url, path

    def rows(self, sql):
        if self.backend == "sqlite":
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                return [tuple("" if c is None else str(c) for c in r) for r in db.execute(sql)]
            finally:
                db.close()
        out = subprocess.run(["psql", self.url, "-qAt", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def count(self, sql):
        return int(self.rows(sql)[0][0])

    def run_script(self, script):
        """Runs `script` (several statements) with write access."""
        if self.backend == "sqlite":
            db = sqlite3.connect(self.path)
            try:
                db.executescript(script)
            finally:
                db.close()
            return
        subprocess.run(["psql", self.url, "-q", "-v", "ON_ERROR_STOP=1"], input=script,
                       check=True, capture_output=True, text=True)


def sub_for(pid, sub):
    """The demo's three people already have a sub of their own: keep it
    (a new sub with their email would create a new person, not link)."""
    return sub or f"bench-{pid}"


def link(port, people):
    """One `me` call per (person id, token) links the token to its seeded
    person by email; checks that each token lands on the expected person."""
    def one(item):
        pid, tok = item
        return pid, gql(port, tok, "{ me { id } }")["me"]["id"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        wrong = [(pid, got) for pid, got in pool.map(one, people) if got != pid]
    if wrong:
        raise SystemExit(f"{len(wrong)} tokens linked to the wrong person, e.g. {wrong[:3]}")


def ms(text):
    """wrk's latency text (e.g. 812.00us, 8.29ms, 1.02s) in milliseconds."""
    for unit, factor in (("us", 1e-3), ("ms", 1.0), ("s", 1e3), ("m", 6e4)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(text)


def cpu_snapshot():
    """Busy CPU ticks of the machine (and of niced processes) and each
    process's user+system ticks, to tell how much of the two cores went to
    something other than the benchmark during a phase."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        rest = text[text.rindex(")") + 2:].split()
        procs[int(pid)] = (text[text.index("(") + 1:text.rindex(")")], int(rest[11]) + int(rest[12]))
    return time.monotonic(), busy, v[1], procs


def cpu_report(before, after, server_pid, wrk_pid):
    hz = os.sysconf("SC_CLK_TCK")
    t0, busy0, nice0, p0 = before
    t1, busy1, nice1, p1 = after
    used = {}
    for pid, (comm, ticks) in p1.items():
        if pid == server_pid:
            key = "server"
        elif pid == wrk_pid:
            key = "wrk"
        elif comm == "postgres":
            key = "postgres"
        else:
            key = comm
        old = p0.get(pid)
        # By pid only: a kernel worker's name changes with its work item.
        used[key] = used.get(key, 0) + max(ticks - (old[1] if old else 0), 0)
    mine = {k: used.pop(k, 0) / hz for k in ("server", "wrk", "postgres")}
    others = (busy1 - busy0) / hz - sum(mine.values())
    top = sorted(((v / hz, k) for k, v in used.items() if v > 0), reverse=True)[:3]
    return (f"CPU core-seconds over {t1 - t0:.1f} s × {os.cpu_count()} cores: server {mine['server']:.1f}, "
            f"wrk {mine['wrk']:.1f}, postgres {mine['postgres']:.1f}, everything else {max(others, 0):.1f} "
            f"(niced {(nice1 - nice0) / hz:.1f}; top: {', '.join(f'{k} {v:.1f}' for v, k in top) or '-'})")


def wrk(work, port, name, lines, seconds, server_pid):
    path = os.path.join(work, f"{name}.lines")
    with open(path, "w") as f:
        for tok, body in lines:
            assert "\t" not in body and "\n" not in body
            f.write(f"{tok}\t{body}\n")
    script = os.path.join(work, "lines.lua")
    with open(script, "w") as f:
        f.write(LUA)
    cmd = ["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", script, f"http://127.0.0.1:{port}/graphql"]
    load = os.getloadavg()[0]
    children = os.times()
    cpu_before = cpu_snapshot()
    proc = subprocess.Popen(cmd, env=dict(os.environ, BENCH_LINES=path), stdout=subprocess.PIPE, text=True)
    out = []
    for line in proc.stdout:
        out.append(line)
        if line.startswith("BENCH_FINISHED"):
            # wrk sleeps for the whole -d even when its thread has stopped;
            # SIGINT ends that sleep (wrk's own handler), once the thread
            # has had time to exit so that the main thread gets the signal.
            time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
    if proc.wait() != 0:
        raise SystemExit(f"wrk failed: {''.join(out)}")
    cpu_after = cpu_snapshot()
    # wrk is gone from /proc: count it from this process's children's times.
    now = os.times()
    wrk_ticks = round((now.children_user + now.children_system
                       - children.children_user - children.children_system) * os.sysconf("SC_CLK_TCK"))
    cpu_after[3][proc.pid] = ("wrk", wrk_ticks)
    out = "".join(out)
    with open(os.path.join(work, f"{name}.wrk.txt"), "w") as f:
        f.write(out)
    text = out.splitlines()
    p50 = next(l.split()[1] for l in text if l.strip().startswith("50%"))
    p99 = next(l.split()[1] for l in text if l.strip().startswith("99%"))
    wrk_rps = next(l.split()[1] for l in text if l.startswith("Requests/sec"))
    wrk_total = next(l.strip() for l in text if " requests in " in l)
    socket = next((l.split(":", 1)[1].strip() for l in text if "Socket errors:" in l),
                  "connect 0, read 0, write 0, timeout 0")
    non2xx = next((l.split(":", 1)[1].strip() for l in text if "Non-2xx" in l), "0")
    fields = dict(kv.split("=") for kv in next(l for l in text if l.startswith("BENCH ")).split()[1:])
    first_error = next((l[len("FIRST_ERROR "):] for l in text if l.startswith("FIRST_ERROR ")), "").strip()
    answered, elapsed = int(fields["answered"]), float(fields["elapsed"])
    return {
        "name": name, "lines": int(fields["lines"]), "sent": int(fields["sent"]), "answered": answered,
        "errors": int(fields["errors"]), "non200": int(fields["non200"]), "fillers": int(fields["fillers"]),
        "elapsed": elapsed, "rps": answered / elapsed if elapsed > 0 else 0.0, "wrk_rps": wrk_rps, "wrk_total": wrk_total,
        "p50": p50, "p99": p99, "socket": socket, "non2xx": non2xx, "first_error": first_error,
        "load": load, "cpu": cpu_report(cpu_before, cpu_after, server_pid, proc.pid), "command": " ".join(cmd[:-3] + ["-s", "lines.lua", cmd[-1]]),
    }


def build():
    for attempt in range(1, 31):
        done = subprocess.run(["cargo", "build", "--release", "-q", "-p", "tandem"], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode == 0:
            return
        tail = "\n".join(done.stderr.splitlines()[-15:])
        print(f"cargo build failed (attempt {attempt}); retrying in 60 s:\n{tail}", file=sys.stderr)
        time.sleep(60)
    raise SystemExit("cargo build --release -p tandem kept failing")


def postgres_database(admin):
    """Starts the local cluster if it does not answer; creates bench_<time>."""
    def ready():
        return subprocess.run(["psql", admin, "-qAtc", "SELECT 1"], capture_output=True).returncode == 0
    if not ready():
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=False)
        for _ in range(50):
            if ready():
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"PostgreSQL does not answer at {admin}")
    name = f"bench_{int(time.time())}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    parts = urllib.parse.urlsplit(admin)
    return name, urllib.parse.urlunsplit(parts._replace(path="/" + name))


def machine():
    model = "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Model name"))
    except (OSError, StopIteration):
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return model, cores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backend", choices=["sqlite", "postgres"])
    parser.add_argument("people", nargs="?", type=int, default=20000)
    parser.add_argument("seconds", nargs="?", type=int, default=10)
    parser.add_argument("--postgres-url", default=os.environ.get("TANDEM_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="admin URL of a role with CREATEDB (default: $TANDEM_BENCH_POSTGRES_URL or %(default)s)")
    parser.add_argument("--keep-db", action="store_true", help="keep the seeded database after the run")
    parser.add_argument("--port", type=int, default=18585)
    parser.add_argument("--after-seed-sql", metavar="FILE",
                        help="SQL run on the seeded database before it is served (to compare schemas, e.g. indexes)")
    args = parser.parse_args()
    port = args.port

    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    build()
    work = tempfile.mkdtemp(prefix="tandem-lifecycle-")
    pg_name = None
    if args.backend == "sqlite":
        path = os.path.join(work, "bench.db")
        url = f"sqlite://{path}?mode=rwc"
        db = Db("sqlite", url, path)
    else:
        if not args.postgres_url:
            raise SystemExit("postgres needs --postgres-url or TANDEM_BENCH_POSTGRES_URL")
        pg_name, url = postgres_database(args.postgres_url)
        db = Db("postgres", url)
        pg_version = db.rows("SHOW server_version")[0][0].split()[0]
    env = dict(os.environ, DATABASE_URL=url, TANDEM_JWT_SECRET=SECRET, TANDEM_WORKERS="1", RUST_LOG="warn")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    server = None
    try:
        t = time.perf_counter()
        seeded = subprocess.run([BIN, "seed", "--demo", "--people", str(args.people)], env=env,
                                capture_output=True, text=True)
        if seeded.returncode != 0:
            raise SystemExit(f"tandem seed failed:\n{seeded.stdout}{seeded.stderr}")
        seed_s = time.perf_counter() - t
        if args.after_seed_sql:
            with open(args.after_seed_sql) as f:
                db.run_script(f.read())
        log = open(os.path.join(work, "serve.log"), "w")
        server = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                                  stdout=log, stderr=log)
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"tandem serve exited: see {work}/serve.log")
                time.sleep(0.1)
        else:
            raise SystemExit("tandem serve did not become healthy")

        people = db.count("SELECT COUNT(*) FROM person")
        mentors = db.count("SELECT COUNT(*) FROM mentor_profile")
        mentees = db.rows("SELECT p.id, p.email, COALESCE(p.sub, '') FROM person p "
                          "JOIN mentee_profile m ON m.person_id = p.id ORDER BY p.id")
        mentee_tokens = [(pid, mint(sub_for(pid, sub), email)) for pid, email, sub in mentees]
        t = time.perf_counter()
        link(port, mentee_tokens)
        link_s = time.perf_counter() - t

        # Warm-up, reads only: a few hundred recommendations by mentees
        # (compiles the mentor pool, fills the caches); consumes no line.
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda item: gql(port, item[1], "{ recommendations(first: 10) { score { total } } }"),
                          mentee_tokens[-300:]))

        ask = json.dumps({"query": 'mutation { requestMentorship(input: { goals: "bench" }) { id state } }'})
        requested = wrk(work, port, "requestMentorship", [(tok, ask) for _, tok in mentee_tokens], args.seconds,
                        server.pid)
        time.sleep(1)  # lets any request still in flight when wrk stopped commit
        requests_by_state = db.rows("SELECT state, COUNT(*) FROM mentorship_request GROUP BY state ORDER BY state")

        proposals = db.rows("SELECT m.id, p.id, p.email, COALESCE(p.sub, '') FROM mentorship_match m "
                            "JOIN person p ON p.id = m.mentor_id WHERE m.state = 'proposed' "
                            "ORDER BY m.proposed_at, m.id")
        mentor_tokens = {pid: mint(sub_for(pid, sub), email) for _, pid, email, sub in proposals}
        link(port, list(mentor_tokens.items()))
        accept = "mutation($id: ID!) { acceptProposal(matchId: $id) { id state } }"
        lines = [(mentor_tokens[pid], json.dumps({"query": accept, "variables": {"id": mid}}))
                 for mid, pid, _, _ in proposals]
        accepted = wrk(work, port, "acceptProposal", lines, args.seconds, server.pid)
        time.sleep(1)
        matches_by_state = db.rows("SELECT state, COUNT(*) FROM mentorship_match GROUP BY state ORDER BY state")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if args.backend == "sqlite" and not args.keep_db:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        if pg_name and not args.keep_db:
            subprocess.run(["psql", args.postgres_url, "-qc", f"DROP DATABASE IF EXISTS {pg_name}"], check=False)

    model, cores = machine()
    if args.backend == "sqlite":
        backend = f"SQLite, file {path} ({'kept' if args.keep_db else 'deleted after the run'})"
    else:
        backend = (f"PostgreSQL {pg_version}, database {pg_name} "
                   f"({'kept' if args.keep_db else 'dropped after the run'})")
    print(f"date: {started}; machine: {model}, nproc {cores}; backend: {backend}")
    print(f"{people} people, {mentors} mentors, {len(mentees)} mentees (seeded in {seed_s:.1f} s, "
          f"{len(mentees)} tokens linked in {link_s:.1f} s); one server worker (TANDEM_WORKERS=1); "
          f"`wrk -t1 -c4 -d{args.seconds}s --latency`, each line sent once, phase stops when the list is answered")
    print()
    print("| call | requests/s | p50 | p99 | requests sent | answered | GraphQL errors | goal ≥ 500/s, p99 < 20 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for r in (requested, accepted):
        met = r["rps"] >= GOAL_RPS and ms(r["p99"]) < GOAL_P99_MS and r["errors"] == 0
        print(f"| {r['name']} | {r['rps']:.0f} | {r['p50']} | {r['p99']} | {r['sent']} of {r['lines']} | "
              f"{r['answered']} in {r['elapsed']:.2f} s | {r['errors']} | {'met' if met else 'not met'} |")
    print()
    for r in (requested, accepted):
        print(f"- {r['name']}: wrk: \"{r['wrk_total']}\", Requests/sec {r['wrk_rps']}; socket errors: "
              f"{r['socket']}; non-2xx: {r['non2xx']}; non-200 answers to lines: {r['non200']}; "
              f"fillers: {r['fillers']}; list {'exhausted' if r['answered'] >= r['lines'] else 'not exhausted'}; "
              f"load average before: {r['load']:.2f}")
        print(f"  {r['cpu']}")
        if r["first_error"]:
            print(f"  first error: {r['first_error']}")
    print(f"- requests by state after phase 1: {dict(requests_by_state)}; proposals to accept: {len(proposals)} "
          f"({len(mentor_tokens)} distinct mentors)")
    print(f"- matches by state after phase 2: {dict(matches_by_state)}")
    print(f"- raw wrk output: {work}/*.wrk.txt")


if __name__ == "__main__":
    main()
