"""Shared fixtures: a database per test (SQLite file; PostgreSQL too when reachable)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from engine.db import create_schema, make_engine, make_session_factory
from engine.models import Agency, Base

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@localhost/test")


def postgres_reachable() -> bool:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


PG_OK = postgres_reachable()


def pytest_report_header(config):
    return f"PostgreSQL at {PG_URL}: {'reachable, database tests run on SQLite and PostgreSQL' if PG_OK else 'NOT reachable, database tests run on SQLite only'}"


def _backends():
    params = [pytest.param("sqlite", id="sqlite")]
    if PG_OK:
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


@pytest.fixture(params=_backends())
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def db_engine(db_url):
    engine = make_engine(db_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(db_engine):
    s = make_session_factory(db_engine)()
    yield s
    s.close()


@pytest.fixture
def agency(session):
    a = Agency(code="X市监", name="X市市场监督管理局", parent_government="X市人民政府", court="X市某某区人民法院")
    session.add(a)
    session.commit()
    return a


__all__ = ["Base"]
