"""Web fixtures: an app on each test database with a simulated clock, two agencies and one user per role."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from engine.demo import DEMO_AGENCY, SimulatedClock
from web import accounts, create_app
from web.extensions import db
from web.seed import OTHER_AGENCY

PASSWORD = "correct-horse-9"
PEOPLE = {
    "li.ming": ("李明", "X", ["handler"]),
    "zhang.wei": ("张伟", "X", ["handler"]),
    "chen.jing": ("陈静", "X", ["reviewer"]),
    "wang.jianguo": ("王建国", "X", ["head"]),
    "admin": ("系统管理员", "X", ["admin"]),
    "zhao.lei": ("赵磊", "Y", ["handler", "reviewer", "head"]),
}


@pytest.fixture
def clock():
    return SimulatedClock(date(2026, 3, 2))


@pytest.fixture
def app(db_url, clock):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "CLOCK": clock,
                      "WTF_CSRF_ENABLED": False})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def people(app):
    """Agencies X and Y and their users; returns {username: user id} plus agency ids under 'X'/'Y'."""
    with app.app_context():
        x = accounts.create_agency(db.session, **DEMO_AGENCY)
        y = accounts.create_agency(db.session, **OTHER_AGENCY)
        ids = {"X": x.id, "Y": y.id}
        for username, (name, agency, roles) in PEOPLE.items():
            user = accounts.create_user(db.session, username=username, display_name=name, password=PASSWORD,
                                        agency=x if agency == "X" else y, roles=roles)
            ids[username] = user.id
        db.session.commit()
    return ids


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def as_user(app, people):
    """A logged-in test client for a username: as_user('li.ming')."""
    clients = {}

    def make(username: str):
        if username not in clients:
            c = app.test_client()
            response = login(c, username)
            assert response.status_code == 302, response.get_data(as_text=True)
            clients[username] = c
        return clients[username]

    return make


def flatten(data) -> MultiDict:
    """A submission as a browser posts the rendered form: dotted names, list indexes, true/false."""
    return MultiDict(_pairs(data))


def _pairs(data, prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            pairs += _pairs(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(data, list):
        if all(not isinstance(v, (dict, list)) for v in data) and data:
            pairs += [(prefix, str(v)) for v in data]
        for i, value in enumerate(data):
            if isinstance(value, (dict, list)):
                pairs += _pairs(value, f"{prefix}.{i}")
    elif isinstance(data, bool):
        pairs.append((prefix, "true" if data else "false"))
    else:
        pairs.append((prefix, str(data)))
    return pairs


def scenario_step(scenario: str, task: str, today, occurrence: int = 0) -> dict:
    """The data a scenario submits for a task, with its $today tokens resolved."""
    from engine.demo import load_scenario, substitute

    steps = [s for s in load_scenario("penalty", scenario)["steps"] if s.get("task") == task]
    return substitute(steps[occurrence].get("data", {}), today)
