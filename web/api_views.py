"""The JSON shapes of the API (/api/v1): cases, tasks, deadlines, documents and the audit record, as plain dicts."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import url_for
from sqlalchemy import select

from engine import audit
from engine.catalog import Procedure
from engine.models import Case, Deadline, Document, OpenTask, ProcedureVersion
from engine.roles import role_name
from web import services
from web.extensions import db

EMPTY_FORM = {"type": "object", "properties": {}}


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def procedure_json(procedure: Procedure) -> dict:
    return {"key": procedure.key, "name": procedure.manifest.get("name", procedure.name),
            "version": procedure.content_hash, "category": procedure.manifest.get("category", "")}


def task_json(task: OpenTask, case: Case | None = None) -> dict:
    """A ready task with how urgent it is; with the case's number and title when listed across cases."""
    urgency = services.urgency(task.due, task.due_provisional)
    out = {"id": task.id, "bpmn_id": task.bpmn_id, "name": task.name, "role": task.role,
           "role_name": role_name(task.role), "case_id": task.case_id, "form": task.form,
           "ready_at": iso(task.ready_at), "due": iso(task.due), "due_provisional": task.due_provisional,
           "remaining": urgency.left, "mark": urgency.mark, "urgency": urgency.label}
    if case is not None:
        out.update(case_no=case.case_no, title=case.title, party_name=case.party_name)
    return out


def deadline_json(deadline: Deadline, urgency: services.Urgency) -> dict:
    return {"key": deadline.key, "name": deadline.name, "start": iso(deadline.start), "due": iso(deadline.due),
            "unit": deadline.unit, "period": deadline.period, "status": deadline.status,
            "provisional": deadline.provisional, "remaining": urgency.left, "mark": urgency.mark,
            "label": urgency.label, "paused_on": iso(deadline.paused_on), "closed_on": iso(deadline.closed_on)}


def document_json(doc: Document, latest: set[int]) -> dict:
    """One document version; `superseded` when a newer version of the same document exists."""
    url = url_for("api.download_document", document_id=doc.id)
    return {"id": doc.id, "case_id": doc.case_id, "template": doc.template_key, "title": doc.title,
            "doc_no": doc.doc_no, "version": doc.version, "superseded": doc.id not in latest, "volume": doc.volume,
            "date": iso(doc.doc_date), "created_at": iso(doc.created_at), "element": doc.element,
            "sha256": doc.sha256, "urls": {"docx": url, "pdf": f"{url}?format=pdf"}}


def documents_json(case: Case, only: list[Document] | None = None) -> list[dict]:
    """Every document version of a case (or only some of them), each knowing whether it was superseded."""
    docs = services.documents(case)
    latest = services.latest_versions(docs)
    wanted = {d.id for d in only} if only is not None else None
    return [document_json(d, latest) for d in docs if wanted is None or d.id in wanted]


def case_summary(case: Case, procedure_names: dict[int, str] | None = None) -> dict:
    """A case in a list; pass {procedure_version_id: name} to save a query per case."""
    name = (procedure_names or {}).get(case.procedure_version_id) or services.procedure_name(case)
    return {"id": case.id, "case_no": case.case_no, "title": case.title, "party_name": case.party_name,
            "status": case.status, "procedure": name, "created_at": iso(case.created_at),
            "updated_at": iso(case.updated_at), "closed_at": iso(case.closed_at),
            "url": url_for("api.get_case", case_id=case.id)}


def procedure_names(cases: list[Case]) -> dict[int, str]:
    ids = {c.procedure_version_id for c in cases}
    rows = db.session.execute(select(ProcedureVersion.id, ProcedureVersion.name).where(ProcedureVersion.id.in_(ids)))
    return {version_id: name for version_id, name in rows} if ids else {}


def events_json(case: Case, procedure: Procedure) -> list[dict]:
    """The special branches (BPMN messages) the case waits for now."""
    if case.status != "open":
        return []
    out = []
    for name in services.runtime().available_events(db.session, case.id):
        cfg = procedure.events[name]
        role = cfg.role or "handler"
        out.append({"name": name, "title": cfg.name, "role": role, "role_name": role_name(role), "form": cfg.form})
    return out


def case_json(case: Case) -> dict:
    """Everything about a case a client needs to decide what to do next."""
    procedure = services.procedure_of(case)
    tasks = services.runtime().ready_tasks(db.session, case_id=case.id)
    return {
        **case_summary(case),
        "procedure": procedure_json(procedure),
        "tasks": [task_json(t) for t in tasks],
        "available_events": events_json(case, procedure),
        "deadlines": [deadline_json(d, u) for d, u in services.deadlines(case)],
        "documents": documents_json(case),
        "data": services.case_data(case),
        "labels": services.labels(procedure),
    }


def produces_json(procedure: Procedure, bpmn_id: str) -> list[dict]:
    """The documents a task will generate (a `condition` means only when it holds)."""
    cfg = procedure.element(bpmn_id)
    rules = cfg.documents if cfg is not None else []
    return [{"template": r.template, "title": procedure.templates.get(r.template).title, "condition": r.condition}
            for r in rules]


def audit_json(case: Case) -> list[dict]:
    """The case's hash chain; `data` parsed (its canonical JSON's SHA-256 is `data_digest`)."""
    return [{**ev, "data": json.loads(ev["data"]), "label": services.EVENT_KINDS.get(ev["kind"], ev["kind"])}
            for ev in audit.event_dicts(db.session, case.id)]
