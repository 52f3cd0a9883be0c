"""The Flask application (composition root): config → extensions → blueprints → error handlers → CLI."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from engine.catalog import Catalog
from engine.db import create_schema, prepare
from engine.roles import ROLES
from engine.runtime import Runtime
from web.config import load_config
from web.extensions import csrf, db, login_manager


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `test_config` overrides the environment (tests pass DATABASE URI, CLOCK, …)."""
    app = Flask(__name__)
    app.config.from_mapping(load_config(test_config))
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    with app.app_context():
        create_schema(prepare(db.engine))
    catalog = app.config.get("CATALOG") or Catalog()
    app.extensions["enforceflow.runtime"] = Runtime(catalog, clock=app.config.get("CLOCK"))
    _register_blueprints(app)
    _register_template_helpers(app)
    from web.errors import register_error_handlers

    register_error_handlers(app)
    from web.cli import register_cli

    register_cli(app)

    @app.get("/healthz")
    def healthz():
        """For operators and load balancers: the database answers and every procedure loads."""
        try:
            db.session.execute(text("SELECT 1"))
            database = "ok"
        except Exception as exc:  # noqa: BLE001 - reported, not raised: this endpoint exists to say what is wrong
            database = f"数据库不可用：{type(exc).__name__}"
        procedures = {key: catalog.current(key).content_hash[:12] for key in catalog.keys()}
        status = 200 if database == "ok" else 503
        return jsonify(status="ok" if status == 200 else "error", database=database, procedures=procedures), status

    return app


def _register_blueprints(app: Flask) -> None:
    from web import admin, api, archive, auth, cases, documents, tasks

    for module in (auth, cases, tasks, documents, admin, archive):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # the API authenticates by bearer token only, never by the session cookie
    app.register_blueprint(api.bp)


def _register_template_helpers(app: Flask) -> None:
    import json

    from engine.chinese import cn_date

    app.jinja_env.globals.update(ROLES=ROLES)
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.filters["cn_date"] = lambda d: cn_date(d) if d else ""
    app.jinja_env.filters["dt"] = lambda v: v.strftime("%Y-%m-%d %H:%M") if v else ""

    @app.context_processor
    def inject():
        return {"app_name": "执法文书流转引擎"}
