"""What the pages and the API share: the runtime, case access checks, and view models of tasks, cases, deadlines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask import abort, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import defer, load_only

from engine import audit
from engine.catalog import Procedure
from engine.models import Agency, AuditEvent, Case, Deadline, Document, OpenTask, ProcedureVersion
from engine.roles import ROLES
from engine.runtime import Runtime
from engine.workdays import default_calendar
from web.auth import Principal
from web.extensions import db
from web.ids import row

EVENT_KINDS = {
    "case_started": "案件创建", "task_completed": "办理", "event_received": "提出", "document_generated": "生成文书",
    "deadline_opened": "期限起算", "deadline_closed": "期限届满/终结", "deadline_paused": "期限中止",
    "deadline_resumed": "期限恢复", "deadline_extended": "期限延长", "timers_checked": "定时检查",
    "case_closed": "结案", "viewed": "调阅", "attachment_added": "上传证据材料", "deadline_overdue": "期限已超期",
}


def runtime() -> Runtime:
    return current_app.extensions["enforceflow.runtime"]


def today() -> date:
    return runtime().now().date()


def case_for(principal: Principal, case_id: int) -> Case:
    """The case if it exists (404) and belongs to the person's agency (403)."""
    case = row(Case, case_id)
    if case is None:
        abort(404, description="案件不存在")
    if case.agency_id != principal.agency_id:
        abort(403, description="您无权查看其他执法机关的案件")
    return case


def task_for(principal: Principal, task_id: str) -> OpenTask:
    """A ready task of the person's agency (404 if unknown or done) and role (403)."""
    task = db.session.get(OpenTask, task_id)
    if task is None:
        abort(404, description="任务不存在或已经办理完毕")
    if task.agency_id != principal.agency_id:
        abort(403, description="您无权办理其他执法机关的案件")
    if not principal.has_role(task.role):
        abort(403, description=f"“{task.name}”由{ROLES.get(task.role, task.role)}办理，您没有该角色")
    return task


def procedure_of(case: Case) -> Procedure:
    return runtime().procedure_of(db.session, case)


@dataclass(frozen=True)
class Urgency:
    """How close a due date is: remaining working days and a mark (ok / near / overdue)."""

    due: date | None
    left: int | None
    mark: str
    label: str
    provisional: bool = False


def urgency(due: date | None, provisional: bool = False, unit: str = "WD", on: date | None = None) -> Urgency:
    if due is None:
        return Urgency(None, None, "none", "无期限")
    on = on or today()
    near = current_app.config["REVIEW_WARNING_WORKDAYS"]
    if unit == "WD":
        left = default_calendar().workdays_between(on, due)
        word = "个工作日"
    else:
        left = (due - on).days
        word = "日"
    if due < on:
        return Urgency(due, left, "overdue", f"已逾期 {abs(left)} {word}", provisional)
    if left == 0:
        return Urgency(due, 0, "near", "今日到期", provisional)
    return Urgency(due, left, "near" if left <= near else "ok", f"剩余 {left} {word}", provisional)


# Lists never load a case's workflow state (a large JSON text): only the columns they show.
CASE_COLUMNS = load_only(Case.id, Case.case_no, Case.title, Case.party_name, Case.status, Case.created_at,
                         Case.updated_at, Case.closed_at, Case.agency_id, Case.procedure_version_id)


def _mine(principal: Principal):
    return (OpenTask.agency_id == principal.agency_id, OpenTask.role.in_(principal.roles))


URGENT_FIRST = (OpenTask.due.is_(None), OpenTask.due, OpenTask.ready_at, OpenTask.id)


def inbox(principal: Principal, *, limit: int | None = None, offset: int = 0) -> list[tuple[OpenTask, Case]]:
    """My ready tasks (待办): my agency, my roles, most urgent first.

    A page is chosen from the task index alone and only then joined to its cases, so the database sorts the
    small index rows, not every joined row."""
    query = select(OpenTask, Case).join(Case, Case.id == OpenTask.case_id).options(CASE_COLUMNS)
    if limit:
        page = select(OpenTask.id).where(*_mine(principal)).order_by(*URGENT_FIRST).limit(limit).offset(offset)
        query = query.where(OpenTask.id.in_(page.scalar_subquery()))
    else:
        query = query.where(*_mine(principal))
    return [(t, c) for t, c in db.session.execute(query.order_by(*URGENT_FIRST))]


def inbox_count(principal: Principal) -> int:
    query = select(func.count()).select_from(OpenTask).where(*_mine(principal))
    return db.session.scalar(query) or 0


def done(principal: Principal, limit: int = 100) -> list[tuple[AuditEvent, Case]]:
    """What I did (已办), newest first."""
    query = (select(AuditEvent, Case).join(Case, Case.id == AuditEvent.case_id).options(CASE_COLUMNS)
             .where(AuditEvent.user_id == principal.user_id,
                    AuditEvent.kind.in_(("task_completed", "event_received")))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [(e, c) for e, c in db.session.execute(query)]


def cases(principal: Principal, *, status: str | None = None, q: str = "", limit: int = 200) -> list[Case]:
    query = select(Case).options(CASE_COLUMNS).where(Case.agency_id == principal.agency_id)
    if status in ("open", "closed"):
        query = query.where(Case.status == status)
    if q:
        like = f"%{q}%"
        query = query.where(Case.case_no.like(like) | Case.title.like(like) | Case.party_name.like(like))
    return list(db.session.scalars(query.order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit)))


def deadlines(case: Case) -> list[tuple[Deadline, Urgency]]:
    rows = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.id))
    out = []
    for d in rows:
        unit = "WD" if d.unit == "WD" else "CD"
        if d.status == "open":
            out.append((d, urgency(d.due, d.provisional, unit)))
        else:
            state = {"paused": f"已中止（剩余 {d.remaining or 0}）", "closed": "已终结", "replaced": "已变更"}
            out.append((d, Urgency(d.due, None, d.status, state.get(d.status, d.status), d.provisional)))
    return out


def documents(case: Case) -> list[Document]:
    """Every document version of the case (for lists: the .docx bytes and render context are not loaded)."""
    query = (select(Document).where(Document.case_id == case.id).order_by(Document.id)
             .options(defer(Document.content), defer(Document.context)))
    return list(db.session.scalars(query))


def latest_versions(docs: list[Document]) -> set[int]:
    """The current version of each document; a document made again by another step (a second review round) is a
    document of its own, not a new version of the first."""
    newest: dict[tuple[str, str], Document] = {}
    for d in docs:
        key = (d.template_key, d.task_id)
        if key not in newest or d.version >= newest[key].version:
            newest[key] = d
    return {d.id for d in newest.values()}


def timeline(case: Case) -> list[dict]:
    out = []
    for ev in audit.event_dicts(db.session, case.id):
        data = json.loads(ev["data"])
        name = data.get("name") or data.get("title") or data.get("what") or data.get("filename") or ev["step"]
        if ev["kind"] == "case_started":
            name = procedure_name(case)
        out.append({**ev, "label": EVENT_KINDS.get(ev["kind"], ev["kind"]), "name": name,
                    "role_name": ROLES.get(ev["role"], ev["role"])})
    return out


def case_data(case: Case) -> dict:
    """The data the case has gathered, from the submissions in its record (newest value of each field wins),
    in the order of the forms' fields (the record stores keys sorted)."""
    procedure = procedure_of(case)
    merged: dict = {}
    for ev in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                            AuditEvent.kind.in_(("task_completed", "event_received")))
                                 .order_by(AuditEvent.seq)):
        cfg = procedure.element(ev.step)
        schema = procedure.forms.expanded(cfg.form) if cfg is not None and cfg.form else {}
        merged.update(in_form_order(json.loads(ev.data).get("submission") or {}, schema))
    return merged


def in_form_order(value, schema: dict):
    """A submission with its keys in the order its form lists them (unknown keys last)."""
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        order = {key: i for i, key in enumerate(props)}
        return {k: in_form_order(value[k], props.get(k) or {})
                for k in sorted(value, key=lambda k: (order.get(k, len(order)), k))}
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return [in_form_order(v, items) for v in value]
    return value


def agency(principal: Principal) -> Agency:
    return db.session.get(Agency, principal.agency_id)


def procedure_name(case: Case) -> str:
    version = db.session.get(ProcedureVersion, case.procedure_version_id)
    return version.name if version else ""


def counts(principal: Principal) -> dict[str, int]:
    open_cases = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.agency_id == principal.agency_id, Case.status == "open"))
    return {"open_cases": open_cases or 0}


def attachments(case: Case) -> list:
    from engine.models import Attachment

    query = select(Attachment.id, Attachment.filename, Attachment.size, Attachment.sha256, Attachment.uploaded_by,
                   Attachment.created_at, Attachment.task_bpmn_id).where(Attachment.case_id == case.id)
    return list(db.session.execute(query.order_by(Attachment.id)))


_LABELS: dict[str, dict[str, str]] = {}


def labels(procedure: Procedure) -> dict[str, str]:
    """Chinese titles of the form fields of a procedure by dotted path ("source.kind") and, failing that, by key."""
    if procedure.content_hash not in _LABELS:
        by_path: dict[str, str] = {}
        by_key: dict[str, str] = {}

        def walk(schema: dict, path: str) -> None:
            for key, prop in (schema.get("properties") or {}).items():
                if not isinstance(prop, dict):
                    continue
                here = f"{path}.{key}" if path else key
                if prop.get("title"):
                    by_path.setdefault(here, prop["title"])
                    by_key.setdefault(key, prop["title"])
                walk(prop, here)
                if isinstance(prop.get("items"), dict):
                    walk(prop["items"], here)

        for name in procedure.forms.schemas:
            if procedure.forms.schemas[name].get("properties"):
                walk(procedure.forms.expanded(name), "")
        _LABELS[procedure.content_hash] = {**{f"*{k}": v for k, v in by_key.items()}, **by_path}
    return _LABELS[procedure.content_hash]
