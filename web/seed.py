"""The demo data: two agencies, one person per role, and cases at different stages. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from engine.casework import Actor
from engine.demo import DEMO_AGENCY, SimulatedClock, drive, load_scenario
from engine.models import Agency, Case, User
from engine.runtime import Runtime
from engine.workdays import default_calendar
from web import accounts

DEMO_PASSWORD = "enforce2026"
OTHER_AGENCY = dict(code="Y市监", name="Y市市场监督管理局", parent_government="Y市人民政府", court="Y市某某区人民法院",
                    address="Y市建设路2号", phone="0000-87654321")
DEMO_USERS = [
    ("li.ming", "李明", "X市监", ["handler"]),
    ("zhang.wei", "张伟", "X市监", ["handler"]),
    ("chen.jing", "陈静", "X市监", ["reviewer"]),
    ("wang.jianguo", "王建国", "X市监", ["head"]),
    ("zhou.min", "周敏", "X市监", ["archivist"]),
    ("admin", "系统管理员", "X市监", ["admin"]),
    ("zhao.lei", "赵磊", "Y市监", ["handler", "reviewer", "head"]),
]
# (scenario, the step to stop before (None: run it to the end), working days before today that the case started)
DEMO_CASES = [("hearing", "review_case", 13), ("standard", "approve_filing", 2), ("hearing", "verify_source", 0),
              ("simple", None, 20)]


def seed_demo(session, runtime: Runtime) -> dict:
    """Create what is missing of the demo; returns what was created."""
    created = {"agencies": 0, "users": 0, "cases": 0}
    agencies = {}
    for spec in (DEMO_AGENCY, OTHER_AGENCY):
        agency = session.scalars(select(Agency).where(Agency.code == spec["code"])).first()
        if agency is None:
            agency = accounts.create_agency(session, **spec)
            created["agencies"] += 1
        agencies[spec["code"]] = agency
    for username, name, code, roles in DEMO_USERS:
        if session.scalars(select(User).where(User.username == username)).first() is None:
            accounts.create_user(session, username=username, display_name=name, password=DEMO_PASSWORD,
                                 agency=agencies[code], roles=roles)
            created["users"] += 1
    session.commit()
    home = agencies[DEMO_AGENCY["code"]]
    if not session.scalar(select(func.count()).select_from(Case).where(Case.agency_id == home.id)):
        for scenario, stop_before, workdays_ago in DEMO_CASES:
            _demo_case(session, runtime, home, scenario, stop_before, workdays_ago)
            created["cases"] += 1
    return created


def _demo_case(session, runtime: Runtime, agency: Agency, scenario: str, stop_before: str | None,
               workdays_ago: int) -> None:
    steps = load_scenario("penalty", scenario)["steps"]
    upto = len(steps) if stop_before is None else next(i for i, s in enumerate(steps) if s.get("task") == stop_before)
    clock = SimulatedClock(_workdays_before(runtime.now().date(), workdays_ago))
    sim = Runtime(runtime.catalog, clock=clock)
    actors = {role: Actor(name, role, agency.id, _user_id(session, username))
              for username, name, _code, (role, *_rest) in DEMO_USERS if role in ("handler", "reviewer", "head")
              and username != "zhang.wei" and _code == agency.code}
    case = sim.start_case(session, "penalty", agency.id, actors["handler"])
    drive(sim, session, case, steps[:upto], clock, agency.id, actors)


def _workdays_before(day: date, n: int) -> date:
    calendar = default_calendar()
    while n > 0:
        day -= timedelta(days=1)
        n -= calendar.is_workday(day)
    return day


def _user_id(session, username: str) -> int | None:
    return session.scalar(select(User.id).where(User.username == username))
