"""Generated requests against a real `tandem serve` over the demo data.

hypothesis-graphql builds queries and mutations from schema.graphql, valid
ones (positive mode) and ones that break the schema (negative mode); to
those come malformed documents (valid ones cut or with characters changed,
and arbitrary text) and well-formed operations with arbitrary JSON for their
variables. Every answer must be free of 5xx statuses, of the INTERNAL code,
of errors without a code, and of SQL or driver text. Derandomized, so a run
is repeatable; `--examples N` sets how many of each kind (default 300: 1,800
requests in all).

Run: python3 fuzz.py [--examples N] (TANDEM_BIN picks the binary; the
debug build by default).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes
from hypothesis_graphql import strategies as gql_st

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SECRET = "property-test-secret-of-at-least-32-bytes"

# Text that must never reach a client: SQL, driver and internal names.
LEAKS = re.compile(
    r"sqlx|sqlite|postgres|sea_orm|seaorm|select |insert into|update .* set |delete from"
    r"|syntax error|violates|relation \"|no such table|constraint|panicked|backtrace",
    re.IGNORECASE,
)


def tandem(bin_path, *args, env):
    return subprocess.run([bin_path, *args], env=env, check=True, capture_output=True, text=True)


def start(bin_path, workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_") and k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite://{workdir}/tandem.db?mode=rwc"
    env["TANDEM_JWT_SECRET"] = SECRET
    env["TANDEM_SWEEP_INTERVAL"] = "1h"
    tandem(bin_path, "seed", "--demo", env=env)
    tokens = {
        "mentee": tandem(bin_path, "token", "--sub", "demo-mentee", "--ttl", "1h", env=env).stdout.strip(),
        "ospo": tandem(bin_path, "token", "--sub", "demo-ospo", "--role", "ospo", "--ttl", "1h", env=env).stdout.strip(),
    }
    server = subprocess.Popen(
        [bin_path, "serve", "--listen", "127.0.0.1:0"],
        env={**env, "RUST_LOG": "info"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in server.stderr:
        found = re.search(r"listening address=(\S+)", line)
        if found:
            return server, f"http://{found.group(1)}/graphql", tokens
    raise SystemExit("tandem exited before listening")


def drain(server, errors):
    """Reads the server's log to its end (a full pipe would stall it),
    keeping ERROR lines: a client's mistake must not page an operator."""
    for line in server.stderr:
        if " ERROR " in line:
            errors.append(line.strip())


class Checker:
    def __init__(self, url, tokens):
        self.url = url
        self.tokens = tokens
        self.sent = 0
        self.problems = []
        # How the answers came back: "data" or the first error's code.
        self.outcomes = {}

    def send(self, body, who="ospo", raw=None):
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url,
            data=data,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.tokens[who]}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        self.sent += 1
        self.check(status, text, data)

    def check(self, status, text, sent):
        def problem(why):
            self.problems.append(f"{why}\n  sent: {sent[:400]!r}\n  got {status}: {text[:400]}")

        if status >= 500:
            return problem("a 5xx status")
        try:
            answer = json.loads(text)
        except ValueError:
            return problem("not JSON")
        if LEAKS.search(text):
            return problem("SQL or driver text")
        errors = answer.get("errors") or []
        first = (errors[0].get("extensions") or {}).get("code") if errors else "data"
        self.outcomes[first] = self.outcomes.get(first, 0) + 1
        for error in errors:
            code = (error.get("extensions") or {}).get("code")
            if not code:
                return problem("an error without a code")
            if code == "INTERNAL":
                return problem("INTERNAL")


def scalars():
    day = st.dates().map(lambda d: nodes.String(d.isoformat()))
    moment = st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z"))
    return {"Date": day, "DateTime": moment, "JSON": st.text(max_size=20).map(nodes.String)}


# Operations with variables, for arbitrary JSON in their place.
WITH_VARIABLES = [
    "query($id: ID!) { person(id: $id) { id displayName } }",
    "query($k: Int!, $a: String) { skills(first: $k, after: $a) { edges { cursor } } }",
    "query($f: MentorFilter) { mentors(filter: $f) { edges { node { id } } } }",
    "query($p: ID, $f: Date, $t: Date) { programMetrics(programId: $p, from: $f, to: $t) { requestsByState { count } } }",
    "query($s: [RequestState!]) { requests(states: $s) { edges { node { id } } } }",
    "query($q: String) { people(search: $q) { edges { node { id } } } }",
    "mutation($i: UpdateMyProfileInput!) { updateMyProfile(input: $i) { id } }",
    "mutation($i: RequestMentorshipInput!) { requestMentorship(input: $i) { id } }",
    "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
]

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def run(checker, schema, examples):
    common = settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    scalar = scalars()
    kinds = {
        "valid queries and mutations": gql_st.from_schema(schema, custom_scalars=scalar),
        "schema-breaking queries and mutations": gql_st.from_schema(
            schema, custom_scalars=scalar, mode=Mode.NEGATIVE
        ),
    }
    for name, strategy in kinds.items():
        before = checker.sent

        @common
        @given(query=strategy, who=st.sampled_from(["ospo", "mentee"]))
        def case(query, who):
            checker.send({"query": query}, who=who)

        case()
        print(f"{name}: {checker.sent - before} requests", flush=True)

    before = checker.sent
    valid = gql_st.from_schema(schema, custom_scalars=scalar)

    @common
    @given(query=valid, cut=st.integers(min_value=0), junk=st.text(max_size=8), text=st.text(max_size=200))
    def broken(query, cut, junk, text):
        at = cut % (len(query) + 1)
        checker.send({"query": query[:at]})
        checker.send({"query": query[:at] + junk + query[at:]})
        checker.send({"query": text})

    broken()
    print(f"malformed documents: {checker.sent - before} requests", flush=True)

    before = checker.sent

    @common
    @given(op=st.sampled_from(WITH_VARIABLES), variables=JSON_VALUES, raw=st.binary(max_size=64))
    def variables(op, variables, raw):
        checker.send({"query": op, "variables": variables})
        checker.send(None, raw=json.dumps({"query": op}).encode()[:-1] + raw)

    variables()
    print(f"malformed variables and bodies: {checker.sent - before} requests", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    args = parser.parse_args()
    bin_path = os.environ.get("TANDEM_BIN", str(ROOT / "target" / "debug" / "tandem"))
    schema = (ROOT / "schema.graphql").read_text()
    with tempfile.TemporaryDirectory(prefix="tandem-fuzz-") as workdir:
        server, url, tokens = start(bin_path, workdir)
        logged = []
        reader = threading.Thread(target=drain, args=(server, logged), daemon=True)
        reader.start()
        checker = Checker(url, tokens)
        try:
            run(checker, schema, args.examples)
        finally:
            server.terminate()
            server.wait(timeout=60)
            reader.join(timeout=10)
    checker.problems += [f"logged at ERROR: {line}" for line in logged]
    print(f"{checker.sent} generated requests, {len(checker.problems)} problems")
    print("answers:", ", ".join(f"{k} {v}" for k, v in sorted(checker.outcomes.items(), key=lambda kv: -kv[1])))
    for problem in checker.problems[:20]:
        print(problem)
    sys.exit(1 if checker.problems or checker.sent < 1000 else 0)


if __name__ == "__main__":
    main()
