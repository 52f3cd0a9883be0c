"""Gap-free serial numbers: 文号 per agency, kind and year, and case numbers (GB/T 9704 7.2.5)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.chinese import format_doc_no
from engine.models import Agency, DocCounter


def next_serial(session: Session, agency_id: int, kind: str, year: int) -> int:
    """Take the next serial inside the caller's transaction.

    The UPDATE holds the counter row until commit, so concurrent cases queue up; a rolled-back
    transaction gives its number back, which keeps the series gap-free and never reused.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(DocCounter).values(agency_id=agency_id, kind=kind, year=year, last=0).on_conflict_do_nothing()
    )
    stmt = (
        update(DocCounter)
        .where(DocCounter.agency_id == agency_id, DocCounter.kind == kind, DocCounter.year == year)
        .values(last=DocCounter.last + 1)
        .returning(DocCounter.last)
    )
    return session.execute(stmt).scalar_one()


def next_doc_no(session: Session, agency: Agency, kind: str, year: int) -> str:
    """The next 文号, e.g. X市监处罚〔2026〕12号."""
    return format_doc_no(agency.code, kind, year, next_serial(session, agency.id, kind, year))
