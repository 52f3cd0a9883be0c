"""The effects of one engine run on a case: deadlines, documents and audit entries (one transaction)."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.deadlines import compute_due, extend, parse_period, remaining, resume_due
from engine.documents import render_docx
from engine.errors import EngineError, ValidationError
from engine.models import Agency, Attachment, Case, Deadline, Document
from engine.numbering import next_doc_no
from engine.scripting import evaluate_condition
from engine.workdays import as_date


@dataclass(frozen=True)
class Actor:
    """Who acts: a person with a role in an agency, or the system (timers)."""

    name: str
    role: str
    agency_id: int | None = None
    user_id: int | None = None


SYSTEM = Actor("系统", "system")


class CaseWork:
    """Collects what the elements completed during one engine run do to the case."""

    def __init__(self, session: Session, case: Case, procedure, actor: Actor, now: datetime) -> None:
        self.session, self.case, self.procedure, self.actor, self.now = session, case, procedure, actor, now
        self.today = now.date()
        self.error: EngineError | None = None
        self.documents: list[Document] = []
        self.completed: list[str] = []

    # Spiff calls this from inside task.run()/do_engine_steps(); errors are kept and re-raised by the runtime.
    def on_complete(self, task) -> None:
        if self.error is not None:
            return
        cfg = self.procedure.element(task.task_spec.bpmn_id)
        if cfg is None:
            return
        try:
            self.completed.append(cfg.bpmn_id)
            self._apply_deadlines(cfg, task)
            for rule in cfg.documents:
                if rule.condition is None or evaluate_condition(rule.condition, task.data):
                    self.documents.append(self.render(rule.template, cfg, task))
        except EngineError as exc:
            self.error = exc
            raise

    def attach(self, step: str, filename: str, content_type: str, content: bytes) -> Attachment:
        """Keep an uploaded evidence file with the case; its hash joins the audit chain (全过程记录)."""
        name = re.sub(r"[\x00-\x1f\\/]+", "_", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .")[:200]
        row = Attachment(case_id=self.case.id, task_bpmn_id=step, filename=name or "附件", content=content,
                         content_type=content_type[:100], size=len(content),
                         sha256=hashlib.sha256(content).hexdigest(), uploaded_by=self.actor.name, created_at=self.now)
        self.session.add(row)
        self.session.flush()
        self.log("attachment_added", step, {"attachment_id": row.id, "filename": row.filename, "size": row.size,
                                            "sha256": row.sha256})
        return row

    def log(self, kind: str, step: str = "", data: dict | None = None, actor: Actor | None = None) -> None:
        actor = actor or self.actor
        audit.append(self.session, self.case.id, at=self.now, actor=actor.name, role=actor.role, kind=kind,
                     step=step, data=data, user_id=actor.user_id)

    # ------------------------------------------------------------------ deadlines
    def _open_deadline(self, key: str) -> Deadline | None:
        return self.session.scalars(
            select(Deadline).where(Deadline.case_id == self.case.id, Deadline.key == key,
                                   Deadline.status.in_(("open", "paused")))
        ).first()

    def _apply_deadlines(self, cfg, task) -> None:
        data = task.data
        for rule in cfg.opens:
            if rule.condition and not evaluate_condition(rule.condition, data):
                continue
            if rule.start_var not in data:
                raise ValidationError(f"无法计算“{rule.name}”：缺少起算日期 {rule.start_var}", element=cfg.bpmn_id)
            self._close(rule.key, "replaced", cfg)
            start = as_date(data[rule.start_var])
            if rule.period == "AT":
                # A date the decision itself fixes (e.g. 延期缴纳 until …): it runs from today to that date.
                start, due, provisional, unit = self.today, start, False, "AT"
            else:
                result = compute_due(start, rule.period)
                due, provisional, unit = result.date, result.provisional, parse_period(rule.period).unit
            row = Deadline(case_id=self.case.id, agency_id=self.case.agency_id, key=rule.key, name=rule.name,
                           unit=unit, period=rule.period, start=start, due=due, provisional=provisional,
                           element=cfg.bpmn_id)
            self.session.add(row)
            data[rule.key] = due.isoformat()
            self.log("deadline_opened", cfg.bpmn_id, {"key": rule.key, "name": rule.name, "period": rule.period,
                                                      "start": start, "due": due, "provisional": provisional})
        for key in cfg.closes:
            self._close(key, "closed", cfg)
        for key in cfg.pauses:
            row = self._open_deadline(key)
            if row is not None and row.status == "open":
                row.status, row.paused_on = "paused", self.today
                row.remaining = remaining(row.unit, self.today, row.due)
                self.log("deadline_paused", cfg.bpmn_id, {"key": key, "remaining": row.remaining, "due": row.due})
        for key in cfg.resumes:
            row = self._open_deadline(key)
            if row is not None and row.status == "paused":
                result = resume_due(row.unit, self.today, row.remaining or 0)
                row.status, row.due, row.provisional = "open", result.date, row.provisional or result.provisional
                row.paused_on, row.remaining = None, None
                data[key] = row.due.isoformat()
                self.log("deadline_resumed", cfg.bpmn_id, {"key": key, "due": row.due})
        for key, period in cfg.extends:
            row = self._open_deadline(key)
            if row is None:
                continue
            result = extend(row.due, period)
            if row.status == "paused":
                # The clock is stopped: the extension adds to the time left, which counts again on resumption.
                row.remaining = (row.remaining or 0) + remaining(row.unit, row.due, result.date)
                row.provisional = row.provisional or result.provisional
                self.log("deadline_extended", cfg.bpmn_id, {"key": key, "period": period,
                                                            "remaining": row.remaining, "paused": True})
                continue
            row.due, row.provisional = result.date, row.provisional or result.provisional
            data[key] = row.due.isoformat()
            self.log("deadline_extended", cfg.bpmn_id, {"key": key, "period": period, "due": row.due})
        self.session.flush()

    def _close(self, key: str, status: str, cfg) -> None:
        row = self._open_deadline(key)
        if row is not None:
            self._close_row(row, status, cfg.bpmn_id)

    def _close_row(self, row: Deadline, status: str, step: str) -> None:
        row.status, row.closed_on = status, self.today
        met = row.paused_on is not None or self.today <= row.due
        self.log("deadline_closed", step, {"key": row.key, "due": row.due, "closed_on": self.today,
                                           "met": met, "status": status})

    def close_all_deadlines(self) -> None:
        """结案: no deadline of a closed case stays open; whether each was met is recorded in the audit chain."""
        rows = self.session.scalars(select(Deadline).where(Deadline.case_id == self.case.id,
                                                           Deadline.status.in_(("open", "paused"))))
        for row in rows:
            self._close_row(row, "closed", "")

    def deadline_view(self) -> dict:
        rows = self.session.scalars(select(Deadline).where(Deadline.case_id == self.case.id,
                                                           Deadline.status.in_(("open", "paused"))))
        return {r.key: {"name": r.name, "due": r.due.isoformat(), "unit": r.unit, "provisional": r.provisional}
                for r in rows}

    # ------------------------------------------------------------------ documents
    def doc_numbers(self) -> dict:
        """The latest 文号 of each numbered document of the case, e.g. for a 送达回证 citing the decision."""
        rows = self.session.execute(select(Document.template_key, Document.doc_no).where(
            Document.case_id == self.case.id, Document.doc_no.is_not(None)).order_by(Document.id))
        return dict(rows.all())

    def render(self, key: str, cfg, task, version: int = 1) -> Document:
        """Render one document from the task's data; a major decision needs a passed review first (处罚法 58)."""
        meta = self.procedure.templates.get(key)
        data = copy.deepcopy(task.data)
        if meta.requires_passed_review and data.get("major_decision") and data.get("review_passed") is not True:
            raise ValidationError(
                f"本案属于重大执法决定，未经法制审核或审核未通过，不得制作《{meta.title}》（处罚法第五十八条）",
                element=cfg.bpmn_id,
            )
        agency = self.session.get(Agency, self.case.agency_id)
        doc_no = (next_doc_no(self.session, agency, meta.number_kind, self.today.year)
                  if meta.number_kind else None)
        context = dict(data)
        context.update(
            agency={"name": agency.name, "code": agency.code, "parent_government": agency.parent_government,
                    "court": agency.court, "address": agency.address, "phone": agency.phone},
            case={"no": self.case.case_no, "procedure": self.procedure.name, "title": self.case.title},
            doc={"no": doc_no, "title": meta.title, "date": self.today.isoformat()},
            task={"id": str(task.id), "name": cfg.name},
            actor={"name": self.actor.name, "role": self.actor.role},
            today=self.today.isoformat(),
            deadlines=self.deadline_view(),
            doc_nos=self.doc_numbers(),
        )
        content = render_docx(meta.path, context)
        row = Document(
            case_id=self.case.id, template_key=key, title=meta.title, doc_no=doc_no, version=version,
            volume=meta.volume, element=cfg.bpmn_id, task_id=str(task.id),
            sha256=hashlib.sha256(content).hexdigest(), template_sha256=_file_sha256(meta.path),
            content=content, context=audit.canonical_json(context), doc_date=self.today, created_at=self.now,
        )
        self.session.add(row)
        self.session.flush()
        self.log("document_generated", cfg.bpmn_id, {"document_id": row.id, "template": key, "title": row.title,
                                                      "doc_no": doc_no, "sha256": row.sha256, "version": version})
        return row


def _file_sha256(path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def jsonable_date(value) -> str:
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
