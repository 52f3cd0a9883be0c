"""The Flask application (composition root). In this release it serves only the health check; the pages for case
handlers, reviewers, heads, archivists and the public come with the next issues."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from engine.catalog import Catalog
from engine.db import create_schema, database_url, prepare
from web.extensions import db


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url(),  # DATABASE_URL, else the embedded SQLite file under var/
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    db.init_app(app)
    with app.app_context():
        create_schema(prepare(db.engine))
    catalog = Catalog()

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

    @app.errorhandler(404)
    def not_found(_exc):
        return jsonify(error="页面不存在"), 404

    return app
