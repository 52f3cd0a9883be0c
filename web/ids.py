"""Database ids as they arrive in URLs and forms: anything that cannot be an id is "not found", never a 500."""

from __future__ import annotations

from web.extensions import db

MAX_ID = 2**31 - 1  # the largest id an integer column holds; PostgreSQL refuses to compare a larger number with one


def row(model, ident: int):
    """The row with this integer id, or None, also for an id no integer column can hold."""
    return db.session.get(model, ident) if 0 < ident <= MAX_ID else None


def form_id(raw: str | None) -> int | None:
    """An id posted in a form, or None when it is not one."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID else None
