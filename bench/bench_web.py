"""Benchmark: the web app and the JSON API with N open cases in the database.

Targets (issue): with 10,000 open cases, the 待办 page and `GET /api/v1/tasks` p95 under 50 ms; completing a task
(no PDF conversion) p95 under 150 ms; 20 concurrent API clients working different cases for a minute with no errors.

Usage: .venv/bin/python bench/bench_web.py [--cases 10000] [--db sqlite|postgresql] [--clients 20] [--seconds 60]
           [--requests 200] [--completions 100] [--warmup 2] [--agencies 5] [--profile] [--real-path 10] [--json F]
The report (markdown) goes to stdout, progress to stderr; PostgreSQL is $TEST_POSTGRES_URL or
postgresql+psycopg://postgres@localhost/test, in a schema of its own that is dropped at the end.

Data: ONE real penalty case is driven through the real Runtime along the `hearing` scenario and its rows are
snapshotted at the 13 points of MIX; the other N-1 cases are SQL-level clones of those snapshots (cases, open_tasks,
deadlines, documents with their .docx, audit chain), round-robin over the agencies by blocks of 100 with the mix's
exact proportions. Every Spiff task UUID is rewritten consistently in the clone's state, open-task ids and documents,
so each clone is a case the engine loads and completes; ready times and due dates are jittered.
Measurements: in-process (Flask test client) and over real HTTP (waitress in a thread of this process, http.client
with keep-alive). The HTTP load generator shares the process (and the GIL) with the server; the numbers include that.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import logging
import pstats
import re
import sqlite3
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from contextlib import contextmanager
from datetime import date
from math import ceil
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import waitress  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from engine.casework import Actor  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.demo import load_scenario, substitute  # noqa: E402
from engine.models import Case, OpenTask, User  # noqa: E402
from engine.runtime import Runtime  # noqa: E402
from web import accounts, create_app, services  # noqa: E402
from web.auth import Principal  # noqa: E402
from web.extensions import db  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_data import (  # noqa: E402
    MIX,
    PASSWORD,
    SCENARIO,
    TARGETS,
    build,
    database,
    log,
    machine,
    real_path_ms,
)


# ------------------------------------------------------------------ clients
class Http:
    """One keep-alive HTTP/1.1 connection to the server with a cookie jar (name=value)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, data

    def close(self) -> None:
        self.conn.close()


class InProcess:
    """The Flask test client behind the same interface (no sockets, no WSGI server)."""

    def __init__(self, app) -> None:
        self.client = app.test_client()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        response = self.client.open(path, method=method, data=body, headers=headers)
        return response.status_code, response.get_data()


def login(client, username: str) -> None:
    """Sign in through the real form: CSRF token from the login page, then POST."""
    status, page = client.request("GET", "/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    body = urlencode({"csrf_token": token, "username": username, "password": PASSWORD}).encode()
    status, _ = client.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise RuntimeError(f"login of {username} failed: HTTP {status}")


def bearer(token: str, json_body: bool = False) -> dict:
    return {"Authorization": f"Bearer {token}", **({"Content-Type": "application/json"} if json_body else {})}


@contextmanager
def serve(app, threads: int = 8):
    """The app behind a real waitress server on a free port, in a thread of this process."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" under 20 clients is expected
    # channel_timeout: the measuring client's keep-alive connection idles while the in-process measurements run
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads, channel_timeout=3600)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:  # the loop's select() on the sockets close() just closed
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, name="bench-waitress", daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)


# ------------------------------------------------------------------ measuring
def stats(samples: list[float]) -> dict:
    """p50 and p95 (nearest rank) in ms."""
    s = sorted(samples)
    if not s:
        return {"n": 0, "p50": None, "p95": None, "mean": None, "max": None}
    p = lambda q: round(s[max(0, ceil(q * len(s)) - 1)] * 1000, 2)  # noqa: E731
    return {"n": len(s), "p50": p(0.5), "p95": p(0.95), "mean": round(sum(s) / len(s) * 1000, 2),
            "max": round(s[-1] * 1000, 2)}


def timed(fn, n: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def getter(client, path: str, headers: dict | None = None):
    def get():
        status, body = client.request("GET", path, None, headers)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}: {body[:300]!r}")
        return body
    return get


def step_data(today: date) -> dict[str, dict]:
    """What a client submits per task: 调查取证 chooses 现场检查 (no document), 现场检查 renders 现场检查笔录."""
    onsite = next(s for s in load_scenario("penalty", SCENARIO)["steps"] if s.get("task") == "onsite_inspection")
    return {"investigate": {"investigation_action": "现场检查"}, "onsite_inspection": substitute(onsite["data"], today)}


def ready_task(session, case_id: int, bpmn_id: str) -> str:
    return session.scalar(select(OpenTask.id).where(OpenTask.case_id == case_id, OpenTask.bpmn_id == bpmn_id))


def api_completions(client, token: str, case_ids: list[int], session, data: dict) -> dict:
    """Complete 调查取证 (0 documents) then 现场检查 (1 document) on each case via POST /api/v1/tasks/{id}/complete."""
    times: dict[str, list[float]] = {"investigate": [], "onsite_inspection": []}
    docs: dict[str, set[int]] = {"investigate": set(), "onsite_inspection": set()}
    for case_id in case_ids:
        task_id = ready_task(session, case_id, "investigate")
        for bpmn_id in ("investigate", "onsite_inspection"):
            body = json.dumps(data[bpmn_id]).encode()
            t0 = time.perf_counter()
            status, raw = client.request("POST", f"/api/v1/tasks/{task_id}/complete", body, bearer(token, True))
            times[bpmn_id].append(time.perf_counter() - t0)
            if status != 200:
                raise RuntimeError(f"complete {bpmn_id} on case {case_id}: HTTP {status}: {raw[:300]!r}")
            answer = json.loads(raw)
            docs[bpmn_id].add(len(answer["documents"]))
            task_id = next((t["id"] for t in answer["tasks"] if t["bpmn_id"] == "onsite_inspection"), None)
    return {"times": times, "documents": {k: sorted(v) for k, v in docs.items()}}


def engine_completions(runtime: Runtime, url: str, case_ids: list[int], actor: Actor, data: dict) -> dict:
    """The engine floor: Runtime.complete_task called directly, same tasks and data, own session."""
    engine = make_engine(url)
    session = make_session_factory(engine)()
    times: dict[str, list[float]] = {"investigate": [], "onsite_inspection": []}
    for case_id in case_ids:
        for bpmn_id in ("investigate", "onsite_inspection"):
            task_id = ready_task(session, case_id, bpmn_id)
            t0 = time.perf_counter()
            runtime.complete_task(session, task_id, data[bpmn_id], actor)
            times[bpmn_id].append(time.perf_counter() - t0)
    session.close()
    engine.dispose()
    return times


# The case columns the lists load (web.services.CASE_COLUMNS: never the workflow state).
CASE_LIST_COLUMNS = ("id", "case_no", "title", "party_name", "status", "created_at", "updated_at", "closed_at",
                     "agency_id", "procedure_version_id")


def inbox_floor(url: str, agency_id: int, roles: tuple[str, ...], limit: int | None, n: int) -> list[float]:
    """The DB floor of the inbox: the same join, filter, order and columns in SQLAlchemy Core, rows fetched, no ORM;
    with limit 50 also the count the paged 待办 shows."""
    engine = make_engine(url)
    t, c = OpenTask.__table__, Case.__table__
    where = (t.c.agency_id == agency_id, t.c.role.in_(roles))
    query = (select(t, *(c.c[k].label(f"case_{k}") for k in CASE_LIST_COLUMNS)).join(c, c.c.id == t.c.case_id)
             .where(*where).order_by(t.c.due.is_(None), t.c.due, t.c.ready_at, t.c.id).limit(limit))
    count = select(func.count()).select_from(t).where(*where)
    with engine.connect() as conn:
        samples = timed(lambda: (limit == 50 and conn.execute(count).scalar(), conn.execute(query).fetchall()), n)
    engine.dispose()
    return samples


# ------------------------------------------------------------------ concurrent clients
def client_loop(port: int, token: str, case_ids: list[int], data: dict, stop_at: float, out: list) -> None:
    """One API client: list my tasks, open one of my cases, complete its task; round-robin over my cases."""
    client, queue = Http(port), deque(case_ids)
    try:
        work_cases(client, queue, token, data, stop_at, out)
    finally:
        client.close()


def work_cases(client: Http, queue: deque, token: str, data: dict, stop_at: float, out: list) -> None:
    while queue and time.perf_counter() < stop_at:
        case_id = queue.popleft()
        call(client, out, "GET /api/v1/tasks?limit=20", "GET", "/api/v1/tasks?limit=20", token)
        status, raw = call(client, out, "GET /api/v1/cases/{id}", "GET", f"/api/v1/cases/{case_id}", token)
        tasks = json.loads(raw)["tasks"] if status == 200 else []
        task = next((t for t in tasks if t["bpmn_id"] in data and t["role"] == "handler"), None)
        if task is None:
            continue
        body = json.dumps(data[task["bpmn_id"]]).encode()
        call(client, out, "POST /api/v1/tasks/{id}/complete", "POST", f"/api/v1/tasks/{task['id']}/complete", token,
             body)
        queue.append(case_id)


def call(client: Http, out: list, kind: str, method: str, path: str, token: str, body: bytes | None = None):
    t0 = time.perf_counter()
    try:
        status, raw = client.request(method, path, body, bearer(token, body is not None))
    except (OSError, http.client.HTTPException) as exc:
        status, raw = 0, repr(exc).encode()
    out.append((kind, status, time.perf_counter() - t0, raw[:300] if not 200 <= status < 300 else b""))
    return status, raw


def concurrent(port: int, work: list[tuple[str, list[int]]], data: dict, seconds: float) -> dict:
    """len(work) clients (threads, own keep-alive connection each) for `seconds`; every non-2xx is an error."""
    stop_at = time.perf_counter() + seconds
    outs: list[list] = [[] for _ in work]
    threads = [threading.Thread(target=client_loop, args=(port, token, cases, data, stop_at, out))
               for (token, cases), out in zip(work, outs, strict=True)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    records = [r for out in outs for r in out]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _status, seconds_taken, _body in records:
        by_kind[kind].append(seconds_taken)
    errors = [(kind, status, body.decode("utf-8", "replace")) for kind, status, _s, body in records
              if not 200 <= status < 300]
    return {"clients": len(work), "seconds": round(elapsed, 1), "requests": len(records), "errors": len(errors),
            "error_samples": errors[:5], "throughput": round(len(records) / elapsed, 1),
            "completions": len(by_kind["POST /api/v1/tasks/{id}/complete"]),
            "by_kind": {kind: stats(v) for kind, v in sorted(by_kind.items())}}


def plan_clients(session, world: dict, clients: int, tokens: dict[str, str], reserved: set[int]) -> list[tuple]:
    """Client k works as handler h{a}.{i} of agency a = k mod A, on its own share of that agency's 调查取证 cases."""
    agencies = world["agencies"]
    work = []
    for a, agency_id in enumerate(agencies):
        mine = [k for k in range(clients) if k % len(agencies) == a]
        pool = [c for c in investigate_cases(session, agency_id) if c not in reserved]
        for n, _k in enumerate(mine):
            work.append((tokens[f"h{a}.{n}"], pool[n::len(mine)]))
    return work


def investigate_cases(session, agency_id: int) -> list[int]:
    query = select(OpenTask.case_id).where(OpenTask.agency_id == agency_id, OpenTask.bpmn_id == "investigate")
    return list(session.scalars(query.order_by(OpenTask.case_id)))


# ------------------------------------------------------------------ the run
def make_app(world: dict):
    app = create_app({"SQLALCHEMY_DATABASE_URI": world["url"], "CLOCK": world["clock"],
                      "SECRET_KEY": "bench-secret-" + "x" * 32})
    app.add_url_rule("/_bench/empty", "bench_empty", lambda: "")  # the framework floor, on the real app
    return app


def issue_tokens(world: dict) -> dict[str, str]:
    """One API token per handler (username -> secret)."""
    tokens = {}
    for users in world["people"].values():
        for username, user_id in users.items():
            if username.startswith("h"):
                tokens[username] = accounts.issue_token(db.session, db.session.get(User, user_id), "bench")[1]
    db.session.commit()
    return tokens


def measure_reads(clients: dict, token: str, n: int, last_page: int, case_id: int) -> dict:
    out = {}
    api = bearer(token)
    for via, client in clients.items():
        for name, path, headers in (
                ("GET / (待办 page 1, 50 rows)", "/", None), (f"GET /?page={last_page} (last page)",
                                                              f"/?page={last_page}", None),
                ("GET /_bench/empty", "/_bench/empty", None), ("GET /api/v1/tasks", "/api/v1/tasks", api),
                ("GET /api/v1/tasks?limit=500", "/api/v1/tasks?limit=500", api),
                ("GET /api/v1/cases/{id} (20 documents)", f"/api/v1/cases/{case_id}", api)):
            log(f"{name} [{via}] × {n}")
            out[f"{name} [{via}]"] = stats(timed(getter(client, path, headers), n))
    return out


def measure_services(app, principal: Principal, n: int) -> dict:
    out = {}
    with app.test_request_context():
        for label, limit in (("services.inbox(all)", None), ("services.inbox(limit=50)", 50)):
            log(f"{label} × {n}")
            out[label] = stats(timed(lambda lim=limit: (services.inbox(principal, limit=lim),
                                                        db.session.remove()), n))
    return out


class Pool:
    """The measured agency's cases waiting at 调查取证, handed out once each."""

    def __init__(self, case_ids: list[int]) -> None:
        self.left, self.used = deque(case_ids), set()

    def take(self, n: int) -> list[int]:
        if len(self.left) < n:
            raise RuntimeError(f"not enough cases at 调查取证 left ({len(self.left)} < {n}): use more --cases")
        got = [self.left.popleft() for _ in range(n)]
        self.used.update(got)
        return got


def measure_completions(clients: dict, token: str, pool: Pool, args, session, data: dict) -> tuple[dict, dict]:
    """Per client kind: warm-up cases (not counted), then 调查取证 and 现场检查 on `args.completions` other cases."""
    measures, documents = {}, {}
    for via, client in clients.items():
        log(f"completions [{via}] × {args.completions}")
        api_completions(client, token, pool.take(args.warmup), session, data)
        done = api_completions(client, token, pool.take(args.completions), session, data)
        measures[f"POST complete 调查取证 (0 docs) [{via}]"] = stats(done["times"]["investigate"])
        measures[f"POST complete 现场检查 (1 doc) [{via}]"] = stats(done["times"]["onsite_inspection"])
        documents[via] = done["documents"]
    return measures, documents


def measure_floors(world: dict, principal: Principal, pool: Pool, args, runtime: Runtime, data: dict) -> dict:
    """The DB floor of the inbox (Core, three shapes) and the engine floor of completion (Runtime directly)."""
    out = {}
    for label, limit in (("count + 50 rows, as 待办 page 1", 50), ("100 rows, as GET /api/v1/tasks", 100),
                         ("all rows", None)):
        log(f"floor: Core SELECT {label}")
        out[f"floor: Core SELECT inbox {label}"] = stats(inbox_floor(world["url"], principal.agency_id,
                                                                     principal.roles, limit, args.requests))
    actor = principal.actor("handler")
    log("engine floor: Runtime.complete_task")
    engine_completions(runtime, world["url"], pool.take(args.warmup), actor, data)
    times = engine_completions(runtime, world["url"], pool.take(args.completions), actor, data)
    out["floor: Runtime.complete_task 调查取证 (0 docs)"] = stats(times["investigate"])
    out["floor: Runtime.complete_task 现场检查 (1 doc)"] = stats(times["onsite_inspection"])
    return out


def profile(fn, n: int, top: int = 5) -> str:
    """cProfile `n` calls: the top functions by own time, then this project's functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        fn()
    profiler.disable()
    out = []
    for order, restriction in (("tottime", ()), ("cumulative", (r"/(web|engine)/\w+\.py",))):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats(order).print_stats(*restriction, top)
        lines = [line for line in buf.getvalue().splitlines() if line.strip()]
        out += [f"-- by {order}{' (web/, engine/ only)' if restriction else ''}", *lines[-(top + 1):]]
    return "\n".join(out).replace(str(Path(__file__).resolve().parent.parent) + "/", "")


def measure_all(app, world: dict, port: int, args, principal: Principal, tokens: dict) -> dict:
    """Reads and single-client completions in-process and over HTTP, the floors, the profiles, the crowd."""
    data = step_data(world["clock"].moment.date())
    engine = make_engine(world["url"])
    session = make_session_factory(engine)()
    pool = Pool([c for c in investigate_cases(session, principal.agency_id) if c != world["real_case"]])
    clients = {"in-process": InProcess(app), "HTTP": Http(port)}
    for client in clients.values():
        login(client, "h0.0")
    measures = measure_reads(clients, tokens["h0.0"], args.requests, ceil(world["inbox_rows"] / 50), world["real_case"])
    measures.update(measure_services(app, principal, args.requests))
    done, documents = measure_completions(clients, tokens["h0.0"], pool, args, session, data)
    measures.update(done)
    measures.update(measure_floors(world, principal, pool, args, app.extensions["enforceflow.runtime"], data))
    result = {"measures": measures, "documents": documents}
    if args.profile:
        log("profiles")
        result["profile"] = run_profiles(clients["in-process"], tokens["h0.0"], pool.take(5), session, data)
    work = plan_clients(session, world, args.clients, tokens, pool.used)
    log(f"{len(work)} concurrent clients × {args.seconds} s")
    result["concurrent"] = concurrent(port, work, data, args.seconds)
    clients["HTTP"].close()
    session.close()
    engine.dispose()
    return result


def run_profiles(client, token: str, cases: list[int], session, data: dict) -> dict:
    page = profile(getter(client, "/"), 20)
    tasks = profile(getter(client, "/api/v1/tasks", bearer(token)), 50)
    complete = profile(lambda: api_completions(client, token, [cases.pop()], session, data), 5)
    return {"GET / (20 requests)": page, "GET /api/v1/tasks (50 requests)": tasks,
            "POST complete 调查取证 + 现场检查 (5 cases)": complete}


def run(args) -> dict:
    """Build, measure, tear down; returns everything measured (also used by tests at a tiny size)."""
    with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as url:
        world = build(url, args.cases, args.agencies, args.mix, handlers=max(1, ceil(args.clients / args.agencies)))
        app = make_app(world)
        with app.app_context():
            tokens = issue_tokens(world)
            user = db.session.get(User, world["people"][world["agencies"][0]]["h0.0"])
            principal = Principal(user.id, user.username, user.display_name, user.agency_id, "X市市场监督管理局",
                                  ("handler",))
            world["inbox_rows"] = len(services.inbox(principal))
            db.session.remove()
        try:
            with serve(app) as port:
                result = measure_all(app, world, port, args, principal, tokens)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        db_version = _db_version(url)
    keys = ("cases", "open_tasks", "inbox_rows", "template_s", "clone_s", "codes")
    return {"db": args.db, "db_version": db_version, **{k: world[k] for k in keys},
            "clock": world["clock"].moment.isoformat(), **result}


def _db_version(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version} (WAL, file)"
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return f"PostgreSQL {version} (localhost)"


# ------------------------------------------------------------------ report
def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return "met" if value < target else f"**missed** ({value / target:.1f}× the target)"


def table(result: dict) -> str:
    lines = ["| measurement | n | p50 ms | p95 ms | mean ms | max ms | target |", "|---|---|---|---|---|---|---|"]
    for name, s in result["measures"].items():
        target = ("page" if name.startswith("GET /") and "page" in name else "tasks" if name.startswith("GET /api/v1/tasks [")
                  else "complete" if name.startswith("POST complete") else None)
        mark = f"p95 < {TARGETS[target]:.0f}: {verdict(s['p95'], TARGETS[target])}" if target else ""
        lines.append(f"| {name} | {s['n']} | {s['p50']} | {s['p95']} | {s['mean']} | {s['max']} | {mark} |")
    return "\n".join(lines)


def crowd_table(c: dict) -> str:
    lines = [f"{c['clients']} clients × {c['seconds']} s over HTTP: {c['requests']} requests "
             f"({c['throughput']} req/s), {c['completions']} completions, **{c['errors']} errors**", "",
             "| request | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {s['n']} | {s['p50']} | {s['p95']} | {s['max']} |" for k, s in c["by_kind"].items()]
    lines += [f"- error: {kind} HTTP {status}: {body[:200]}" for kind, status, body in c["error_samples"]]
    return "\n".join(lines)


def report(result: dict, info: dict) -> str:
    head = (f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, Python {info['python']}; "
            f"{result['db_version']}; date {info['date']}; commit {info['commit']}.\n"
            f"Data: {result['cases']} open cases in {len(result['codes'])} agencies, {result['open_tasks']} open tasks; "
            f"the measured handler (agency {result['codes'][0]}) has {result['inbox_rows']} ready tasks in 待办. "
            f"Built in {result['template_s']:.1f} s (the real case) + {result['clone_s']:.1f} s (clones). "
            f"Case clock {result['clock']}.\n"
            f"Documents rendered per completion: {json.dumps(result['documents'], ensure_ascii=False)}.\n")
    body = [head, table(result), "", crowd_table(result["concurrent"])]
    for name, text_value in result.get("profile", {}).items():
        body += ["", f"Profile, {name}, top 5 by own time:", "```", text_value, "```"]
    return "\n".join(body)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=200, help="requests per read measurement")
    parser.add_argument("--completions", type=int, default=100, help="cases completed per completion measurement")
    parser.add_argument("--agencies", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2, help="cases completed before each completion measurement")
    parser.add_argument("--profile", action="store_true", help="cProfile the page, the task list and completions")
    parser.add_argument("--real-path", type=int, default=0, help="also time N cases built the real way")
    parser.add_argument("--json", help="also write the raw result to this file")
    args = parser.parse_args(argv)
    args.mix = MIX
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    info = machine()
    result = run(args)
    if args.real_path:
        result["real_path_ms_per_case"] = round(real_path_ms(args.real_path), 1)
        print(f"real path (start_case + 案件来源登记): {result['real_path_ms_per_case']} ms per case")
    print(report(result, info))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, **result}, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
