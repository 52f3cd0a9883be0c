"""Database set-up: URL resolution, connection pragmas and the append-only triggers."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from engine.models import Base

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "enforceflow.sqlite3"
APPEND_ONLY_TABLES = ("audit_events", "documents", "attachments")


def database_url(url: str | None = None) -> str:
    """The configured database: argument, then DATABASE_URL, then the embedded SQLite file."""
    url = url or os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def make_engine(url: str | None = None) -> Engine:
    """Create a SQLAlchemy engine with safe defaults for SQLite and PostgreSQL."""
    url = database_url(url)
    if url.startswith("sqlite"):
        return prepare(create_engine(url, connect_args={"timeout": 15}))
    return create_engine(url, pool_pre_ping=True)


def prepare(engine: Engine) -> Engine:
    """Connection settings for an engine made elsewhere (e.g. by Flask-SQLAlchemy), before its first connection."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def create_schema(engine: Engine) -> None:
    """Create tables and the triggers that make the record append-only (全过程记录, 防删改)."""
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        for table in APPEND_ONLY_TABLES:
            for stmt in _trigger_ddl(engine.dialect.name, table):
                conn.execute(text(stmt))


def _trigger_ddl(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION enforceflow_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION enforceflow_append_only()",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION enforceflow_append_only()",
        ]
    raise ValueError(f"unsupported database dialect: {dialect}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
