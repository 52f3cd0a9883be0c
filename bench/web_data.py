"""Data for the web benchmark: one real penalty case driven through the Runtime, cloned at the SQL level N times.

ONE real case is driven along the `hearing` scenario and its rows are snapshotted at the points of MIX; the other N-1
cases are clones of those snapshots (cases, open_tasks, deadlines, documents, audit chain), round-robin over the
agencies, every Spiff task UUID rewritten consistently so each clone is a case the engine loads and completes.
"""

from __future__ import annotations

import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from engine.casework import Actor  # noqa: E402
from engine.db import create_schema, make_engine, make_session_factory  # noqa: E402
from engine.demo import ACTORS, SimulatedClock, drive, load_scenario  # noqa: E402
from engine.models import AuditEvent, Case, Deadline, DocCounter, Document, OpenTask, User  # noqa: E402
from engine.roles import ROLES  # noqa: E402
from engine.runtime import Runtime  # noqa: E402
from web import accounts  # noqa: E402

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@localhost/test")
PASSWORD = "bench-password-1"
SCENARIO = "hearing"
START = date(2026, 3, 2)
CODES = "XYZWVUTSRQ"
# Where the open cases stand: (ready task, its occurrence in the hearing scenario, weight in a block of 100 cases).
MIX = [("register_source", 1, 4), ("verify_source", 1, 8), ("approve_filing", 1, 8), ("investigate", 1, 20),
       ("investigate", 2, 10), ("investigate", 4, 8), ("review_case", 1, 8), ("notify_party", 1, 6),
       ("receive_statements", 1, 6), ("hold_hearing", 1, 4), ("collective_discussion", 1, 4),
       ("serve_decision", 1, 6), ("record_payment", 1, 8)]
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CHILDREN = (OpenTask, Deadline, Document, AuditEvent)
TARGETS = {"page": 50.0, "tasks": 50.0, "complete": 150.0}


T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr (the report goes to stdout)."""
    print(f"[{time.perf_counter() - T0:7.1f} s] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ machine and database
def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "date": time.strftime("%Y-%m-%d"), "commit": commit or "?"}


@contextmanager
def database(kind: str, tmp: Path):
    """A SQLite file in `tmp`, or a dedicated PostgreSQL schema dropped at the end (as tests/conftest.py does)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


# ------------------------------------------------------------------ data: one real case, snapshots, clones
def make_agencies(session, n: int) -> list:
    agencies = [accounts.create_agency(session, code=f"{c}市监", name=f"{c}市市场监督管理局",
                                       parent_government=f"{c}市人民政府", court=f"{c}市某某区人民法院")
                for c in CODES[:n]]
    session.commit()
    return agencies


def make_people(session, agencies: list, handlers: int) -> dict[int, dict[str, int]]:
    """Per agency: handlers h{a}.{i}, reviewer r{a}, head d{a}; one password hash for all (scrypt is slow)."""
    password_hash = generate_password_hash(PASSWORD)
    people: dict[int, dict[str, int]] = {}
    for a, agency in enumerate(agencies):
        names = [(f"h{a}.{i}", "handler") for i in range(handlers)] + [(f"r{a}", "reviewer"), (f"d{a}", "head")]
        for username, role in names:
            user = User(username=username, display_name=f"{ROLES[role]}{username}", password_hash=password_hash,
                        agency_id=agency.id, roles=role, active=True, created_at=datetime(2026, 1, 5, 9))
            session.add(user)
            session.flush()
            people.setdefault(agency.id, {})[username] = user.id
    session.commit()
    return people


def role_users(people: dict[str, int], a: int) -> dict[str, int]:
    return {"handler": people[f"h{a}.0"], "reviewer": people[f"r{a}"], "head": people[f"d{a}"]}


def stop_index(steps: list[dict], task: str, occurrence: int) -> int:
    """Index of the step that completes the `occurrence`-th `task` (the case waits there before it runs)."""
    hits = [i for i, step in enumerate(steps) if step.get("task") == task]
    return hits[occurrence - 1]


def snapshot(session, case_id: int) -> dict:
    """The case's row and all its child rows, as plain dicts by column name."""
    session.expire_all()
    case = session.execute(select(Case.__table__).where(Case.__table__.c.id == case_id)).mappings().one()
    out = {"case": dict(case)}
    for model in CHILDREN:
        table = model.__table__
        rows = session.execute(select(table).where(table.c.case_id == case_id).order_by(table.c[_key(model)]))
        out[table.name] = [dict(r) for r in rows.mappings()]
    return out


def _key(model) -> str:
    return "id" if model is not OpenTask else "ready_at"


def drive_template(session, runtime: Runtime, clock: SimulatedClock, agency_id: int, users: dict[str, int],
                   mix: list) -> tuple[int, dict]:
    """Drive ONE real case along the scenario, snapshotting it at each stop of the mix; returns (case id, snaps)."""
    steps = load_scenario("penalty", SCENARIO)["steps"]
    actors = {role: Actor(ACTORS[role].name, role, agency_id, users[role]) for role in ACTORS}
    stops = sorted({stop_index(steps, task, k): (task, k) for task, k, _w in mix}.items())
    case = runtime.start_case(session, "penalty", agency_id, actors["handler"])
    snaps, done = {}, 0
    for index, key in stops:
        drive(runtime, session, case, steps[done:index], clock, agency_id, actors)
        done = index
        snaps[key] = snapshot(session, case.id)
    return case.id, snaps


def clone(snap: dict, agency, serial: int, year: int, rng: random.Random, users: dict[str, int]) -> tuple:
    """A copy of a snapshot for another case: new task UUIDs everywhere, new 案件编号, jittered ready/due."""
    mapping: dict[str, str] = {}

    def renew(text_value: str) -> str:
        return UUID_RE.sub(lambda m: mapping.setdefault(m.group(0), str(uuid.uuid4())), text_value)

    case = {k: v for k, v in snap["case"].items() if k != "id"}
    case.update(state=renew(case["state"]), agency_id=agency.id, case_no=f"{agency.code}案〔{year}〕{serial}号")
    if case["party_name"]:
        party = f"{case['party_name']}（{serial}）"
        case.update(title=case["title"].replace(case["party_name"], party, 1), party_name=party)
    tasks = [dict(t, id=mapping[t["id"]], agency_id=agency.id, ready_at=t["ready_at"] - timedelta(
        days=rng.randint(0, 7), minutes=rng.randint(0, 600)), due=t["due"] and t["due"] + timedelta(
        days=rng.randint(-10, 10))) for t in snap["open_tasks"]]
    children = {
        "open_tasks": tasks,
        "deadlines": [dict(_no_id(d), agency_id=agency.id) for d in snap["deadlines"]],
        "documents": [dict(_no_id(d), task_id=mapping.get(d["task_id"], d["task_id"]), context=renew(d["context"]))
                      for d in snap["documents"]],
        "audit_events": [dict(_no_id(e), user_id=e["user_id"] and users.get(e["role"]))
                         for e in snap["audit_events"]],
    }
    return case, children


def _no_id(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "id"}


def flush_clones(session, pending: list[tuple]) -> None:
    """Insert a batch of clones: the cases (ids returned in order), then every child row with its case id."""
    if not pending:
        return
    table = Case.__table__
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = session.execute(stmt, [case for case, _children in pending]).scalars().all()
    rows: dict[str, list[dict]] = defaultdict(list)
    for case_id, (_case, children) in zip(ids, pending, strict=True):
        for name, items in children.items():
            rows[name] += [dict(item, case_id=case_id) for item in items]
    for model in CHILDREN:
        if rows[model.__tablename__]:
            session.execute(insert(model.__table__), rows[model.__tablename__])
    session.commit()


def insert_clones(session, snaps: dict, agencies: list, people: dict, count: int, mix: list, year: int,
                  rng: random.Random, batch: int = 200) -> dict[int, int]:
    """`count` clones in blocks of len(pattern) cases per agency, round-robin; returns the last 案件 serial per agency."""
    pattern = [(task, k) for task, k, weight in mix for _ in range(weight)]
    order = list(range(len(pattern)))
    serials = {a.id: int(i == 0) for i, a in enumerate(agencies)}  # agency 0 holds the real case, serial 1
    users = {a.id: role_users(people[a.id], i) for i, a in enumerate(agencies)}
    pending: list[tuple] = []
    for j in range(count):
        if j % len(pattern) == 0:
            rng.shuffle(order)
        agency = agencies[(j // len(pattern)) % len(agencies)]
        serials[agency.id] += 1
        snap = snaps[pattern[order[j % len(pattern)]]]
        pending.append(clone(snap, agency, serials[agency.id], year, rng, users[agency.id]))
        if len(pending) == batch:
            flush_clones(session, pending)
            pending = []
    flush_clones(session, pending)
    return serials


def set_case_counters(session, serials: dict[int, int], year: int) -> None:
    """The next real case of each agency continues after the clones' 案件编号."""
    for agency_id, last in serials.items():
        session.merge(DocCounter(agency_id=agency_id, kind="案件", year=year, last=last))
    session.commit()


def build(url: str, cases: int, agencies: int = 5, mix: list | None = None, handlers: int = 4,
          seed: int = 1) -> dict:
    """The database with `cases` open cases; returns what was built (ids, the clock, counts, timings)."""
    mix = mix or MIX
    t0 = time.perf_counter()
    engine = make_engine(url)
    create_schema(engine)
    session = make_session_factory(engine)()
    rows = make_agencies(session, agencies)
    people = make_people(session, rows, handlers)
    clock = SimulatedClock(START)
    runtime = Runtime(clock=clock)
    log("driving the real case")
    real_id, snaps = drive_template(session, runtime, clock, rows[0].id, role_users(people[rows[0].id], 0), mix)
    t1 = time.perf_counter()
    log(f"cloning {cases - 1} cases")
    serials = insert_clones(session, snaps, rows, people, cases - 1, mix, clock.moment.year, random.Random(seed))
    set_case_counters(session, serials, clock.moment.year)
    counts = {"cases": session.scalar(select(func.count()).select_from(Case).where(Case.status == "open")),
              "open_tasks": session.scalar(select(func.count()).select_from(OpenTask))}
    session.close()
    engine.dispose()
    return {"url": url, "clock": clock, "agencies": [a.id for a in rows], "codes": [a.code for a in rows],
            "people": people, "real_case": real_id, "runtime": runtime, **counts,
            "template_s": t1 - t0, "clone_s": time.perf_counter() - t1}


def real_path_ms(cases: int = 10) -> float:
    """What building the database the real way would cost: start_case + 案件来源登记 per case (fresh SQLite)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'real.sqlite3'}")
        create_schema(engine)
        session = make_session_factory(engine)()
        agency = make_agencies(session, 1)[0]
        clock = SimulatedClock(START)
        runtime = Runtime(clock=clock)
        steps = load_scenario("penalty", SCENARIO)["steps"][:1]
        actors = {role: Actor(a.name, role, agency.id) for role, a in ACTORS.items()}
        t0 = time.perf_counter()
        for _ in range(cases):
            case = runtime.start_case(session, "penalty", agency.id, actors["handler"])
            drive(runtime, session, case, steps, clock, agency.id, actors)
        elapsed = (time.perf_counter() - t0) / cases * 1000
        session.close()
        engine.dispose()
    return elapsed
