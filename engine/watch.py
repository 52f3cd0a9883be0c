"""Deadline watch: an open deadline that has passed is recorded once in its case's audit chain (超期预警)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.models import Deadline


def note_overdue(session: Session, now: datetime) -> list[int]:
    """Record every open deadline due before today as overdue, once; safe to run from several processes."""
    today = now.date()
    due = session.scalars(select(Deadline.id).where(Deadline.status == "open", Deadline.due < today,
                                                     Deadline.overdue_noted_on.is_(None))).all()
    noted = []
    for deadline_id in due:
        claimed = session.execute(
            update(Deadline).where(Deadline.id == deadline_id, Deadline.overdue_noted_on.is_(None))
            .values(overdue_noted_on=today), execution_options={"synchronize_session": False})
        if claimed.rowcount != 1:
            session.rollback()
            continue  # another worker noted it
        row = session.get(Deadline, deadline_id)
        try:
            audit.append(session, row.case_id, at=now, actor="系统", role="system", kind="deadline_overdue",
                         step=row.element, data={"key": row.key, "name": row.name, "due": row.due.isoformat()})
            session.commit()
        except IntegrityError:  # the case's chain moved on at this moment: the next tick tries again
            session.rollback()
            continue
        noted.append(deadline_id)
    return noted
