"""The application factory: it starts on the engine's models and database, and reports its health."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from web import create_app
from web.extensions import db


@pytest.fixture
def app(db_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_app_starts_on_the_configured_database_and_reports_health(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert set(body["procedures"]) == {"penalty"}
    with app.app_context():
        # the append-only record is in place under the web app too
        names = {"sqlite": "SELECT name FROM sqlite_master WHERE type='trigger'",
                 "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"}[db.engine.dialect.name]
        triggers = {r[0] for r in db.session.execute(text(names))}
        assert any("audit_events" in t for t in triggers)


def test_unknown_page_is_a_chinese_404_not_a_stack_trace(app):
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "页面不存在" in page and "<html" in page and "Traceback" not in page
    api = app.test_client().get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api.get_json()["error"] == "页面不存在"
