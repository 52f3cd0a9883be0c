"""Headless demo: run a scripted case of a procedure end to end on a simulated clock."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from engine import audit
from engine.catalog import WORKFLOWS
from engine.db import create_schema, make_engine, make_session_factory
from engine.errors import EngineError
from engine.models import Agency, Case, Deadline, Document
from engine.runtime import Actor, Runtime
from engine.workdays import add_calendar_days, add_workdays

DEMO_AGENCY = dict(code="X市监", name="X市市场监督管理局", parent_government="X市人民政府", court="X市某某区人民法院",
                   address="X市人民路1号", phone="0000-12345678")
ACTORS = {"handler": Actor("李明", "handler"), "reviewer": Actor("陈静", "reviewer"), "head": Actor("王建国", "head")}
TOKEN = re.compile(r"^\$today(?:\+(\d+)(WD|CD))?$")


class SimulatedClock:
    """The demo's case clock: starts at 09:00 on --today and moves as the scenario says."""

    def __init__(self, start: date) -> None:
        self.moment = datetime.combine(start, time(9, 0))

    def __call__(self) -> datetime:
        return self.moment

    def tick(self) -> None:
        self.moment += timedelta(minutes=7)

    def advance(self, spec: str) -> None:
        m = re.fullmatch(r"(\d+)(WD|CD)", spec)
        if not m:
            raise EngineError(f"bad advance {spec!r}")
        n, unit = int(m.group(1)), m.group(2)
        # People act on working days: a calendar-day move that lands on a weekend or holiday goes to the next one.
        day = (add_workdays(self.moment.date(), n) if unit == "WD" else add_calendar_days(self.moment.date(), n)).date
        self.moment = datetime.combine(day, time(9, 0))


def substitute(value, today: date):
    """Replace $today, $today+3WD, $today+2CD tokens in scenario data."""
    if isinstance(value, dict):
        return {k: substitute(v, today) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, today) for v in value]
    if isinstance(value, str) and (m := TOKEN.match(value)):
        if not m.group(1):
            return today.isoformat()
        n = int(m.group(1))
        return (add_workdays(today, n).date if m.group(2) == "WD" else add_calendar_days(today, n, False).date).isoformat()
    return value


def load_scenario(procedure: str, name: str) -> dict:
    scenarios = json.loads((WORKFLOWS / procedure / "demo" / "scenarios.json").read_text("utf-8"))["scenarios"]
    if name not in scenarios:
        raise EngineError(f"unknown scenario {name!r}; choose one of: {', '.join(scenarios)}")
    return scenarios[name]


def seed_agency(session) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.code == DEMO_AGENCY["code"])).first()
    if agency is None:
        agency = Agency(**DEMO_AGENCY)
        session.add(agency)
        session.commit()
    return agency


def run_demo(procedure: str, scenario: str, today: str | None, out: str, database: str | None = None,
             runtime: Runtime | None = None) -> dict:
    """Run one scenario; write every document and summary.json into `out`."""
    out_dir = Path(out)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    clock = SimulatedClock(date.fromisoformat(today) if today else date.today())
    engine = make_engine(database or f"sqlite:///{(out_dir / 'case.sqlite3').resolve()}")
    create_schema(engine)
    session = make_session_factory(engine)()
    runtime = runtime or Runtime()
    runtime.clock = clock
    agency = seed_agency(session)
    case = runtime.start_case(session, procedure, agency.id, ACTORS["handler"])
    steps = drive(runtime, session, case, load_scenario(procedure, scenario)["steps"], clock, agency.id)
    summary = summarize(session, case, steps, out_dir)
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    session.close()
    engine.dispose()
    return summary


def drive(runtime: Runtime, session, case: Case, steps: list[dict], clock: SimulatedClock, agency_id: int,
          actors: dict[str, Actor] | None = None) -> list:
    actors = actors or ACTORS
    done = []
    for number, step in enumerate(steps, start=1):
        if "advance" in step:
            clock.advance(step["advance"])
        elif step.get("advance_to_timer"):
            session.refresh(case)
            if case.next_timer_at is None:
                raise EngineError(f"step {number}: no timer is waiting")
            clock.moment = max(clock.moment, case.next_timer_at + timedelta(minutes=1))
            runtime.fire_due_timers(session)
        elif "event" in step:
            actor = actors[step.get("role", "handler")]
            runtime.send_event(session, case.id, step["event"], substitute(step.get("data", {}), clock.moment.date()),
                               Actor(actor.name, actor.role, agency_id, actor.user_id))
        else:
            task = next((t for t in runtime.ready_tasks(session, case_id=case.id) if t.bpmn_id == step["task"]), None)
            if task is None:
                ready = [t.bpmn_id for t in runtime.ready_tasks(session, case_id=case.id)]
                raise EngineError(f"step {number}: task {step['task']} is not ready (ready: {ready})")
            actor = actors[task.role]
            entry = {"task": task.bpmn_id, "name": task.name, "role": task.role, "at": clock.moment.isoformat()}
            runtime.complete_task(session, task.id, substitute(step.get("data", {}), clock.moment.date()),
                                  Actor(actor.name, actor.role, agency_id, actor.user_id))
            done.append(entry)
        clock.tick()
    return done


def summarize(session, case: Case, steps: list, out_dir: Path) -> dict:
    session.refresh(case)
    docs = session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id)).all()
    documents = []
    for i, doc in enumerate(docs, start=1):
        name = f"{i:02d}-{doc.template_key}.docx"
        (out_dir / name).write_bytes(doc.content)
        documents.append({"title": doc.title, "doc_no": doc.doc_no, "file": name, "sha256": doc.sha256})
    deadlines = session.scalars(select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.id)).all()
    return {
        "case_no": case.case_no,
        "status": case.status,
        "steps": steps,
        "documents": documents,
        "deadlines": [{"name": d.name, "start": d.start.isoformat(), "due": d.due.isoformat(),
                       "unit": "CD" if d.unit in ("CD", "M", "AT") else "WD", "provisional": d.provisional,
                       "status": d.status} for d in deadlines],
        "audit_verified": audit.verify_case(session, case.id).ok,
    }
