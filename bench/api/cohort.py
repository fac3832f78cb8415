#!/usr/bin/env python3
"""Times runCohortMatching through the API on a seeded organisation.

    python3 bench/api/cohort.py [PEOPLE] [POSTGRES_URL]

Seeds PEOPLE people into a fresh SQLite file, or with POSTGRES_URL into a
fresh database beside the one it names (read back with `psql`), starts
the release `tandem serve`, enrolls every mentor and every person with a
mentee profile into one program, then times a dry run per strategy and the
commit, all through POST /graphql. Standard library only.
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "target", "release", "tandem")
PORT = 18484


def gql(token, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/graphql",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(req, timeout=600) as resp:
        answer = json.load(resp)
    if answer.get("errors"):
        raise SystemExit(f"errors: {answer['errors']}")
    return answer["data"]


def main():
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    admin = sys.argv[2] if len(sys.argv) > 2 else None
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tandem"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp()
    db_path = os.path.join(work, "cohort.db")
    if admin:
        name = f"cohort_bench_{os.getpid()}"
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        url = admin.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite://{db_path}?mode=rwc"
    env = dict(os.environ, DATABASE_URL=url,
               TANDEM_JWT_SECRET="benchmark-secret-benchmark-secret-0001", RUST_LOG="warn",
               TANDEM_MAX_BODY_BYTES=str(8 << 20))
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
        token = subprocess.run([BIN, "token", "--sub", "demo-ospo", "--role", "ospo", "--ttl", "2h"],
                               env=env, check=True, capture_output=True, text=True).stdout.strip()
        if admin:
            def ids(table):
                out = subprocess.run(["psql", url, "-Atc", f"SELECT person_id FROM {table}"],
                                     check=True, capture_output=True, text=True).stdout
                return out.split()
            mentors, mentees = ids("mentor_profile"), ids("mentee_profile")
        else:
            with sqlite3.connect(db_path) as db:
                mentors = [r[0] for r in db.execute("SELECT person_id FROM mentor_profile")]
                mentees = [r[0] for r in db.execute("SELECT person_id FROM mentee_profile")]
        program = gql(token, 'mutation { createProgram(input: { name: "Bench", startsOn: "2027-01-01", endsOn: "2027-12-31" }) { id } }')["createProgram"]["id"]
        gql(token, "mutation($id: ID!) { setProgramStatus(id: $id, status: OPEN) { id } }", {"id": program})
        enroll = "mutation($i: EnrollInput!) { enroll(input: $i) { id } }"
        for role, ids in (("MENTOR", mentors), ("MENTEE", mentees)):
            for start in range(0, len(ids), 5000):
                gql(token, enroll, {"i": {"programId": program, "personIds": ids[start:start + 5000], "role": role}})
        run = ("mutation($i: CohortMatchingInput!) { runCohortMatching(input: $i) "
               "{ objective blockingPairs assignments { matchId } unmatched { reason } } }")
        print(f"{'PostgreSQL' if admin else 'SQLite'}: people {people}, mentors {len(mentors)}, mentees {len(mentees)}")
        print("| run | seconds | assigned | unmatched | blocking pairs | objective |")
        print("|---|---|---|---|---|---|")
        for label, strategy, dry in (("dry run, optimal", "OPTIMAL", True), ("dry run, stable", "STABLE", True),
                                     ("commit, optimal", "OPTIMAL", False)):
            started = time.perf_counter()
            result = gql(token, run, {"i": {"programId": program, "strategy": strategy, "dryRun": dry}})["runCohortMatching"]
            elapsed = time.perf_counter() - started
            print(f"| {label} | {elapsed:.2f} | {len(result['assignments'])} | {len(result['unmatched'])} | "
                  f"{result['blockingPairs']} | {result['objective']:.2f} |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
