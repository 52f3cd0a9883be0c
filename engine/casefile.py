"""Compile the 案卷 of a closed case: archival order, 卷宗封面, 卷内文件目录, numbered documents, 卷内备考表 (one PDF),
and the BagIt archival package with every original, every version, the evidence and the audit chain (REFERENCE §7).

Compiling is repeatable: the same case state gives the same bytes. Every date comes from the case (closing date,
document dates) or from the one-time 归档 record — the archive number and retention are allocated on the first
compile and kept in the audit chain as a `casefile_numbered` event, which later compiles reuse.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit, bagit
from engine.casefile_pdf import FORMS, VOLUMES, bind, page_count, paginate
from engine.casework import SYSTEM, Actor
from engine.catalog import WORKFLOWS
from engine.clock import CHINA_TZ, Clock
from engine.errors import ConflictError, NotFound, NotReadyError
from engine.models import Agency, Attachment, AuditEvent, Case, Document, ProcedureVersion
from engine.numbering import next_serial
from engine.pdf import pdf_for
from engine.roles import role_name

# 保管期限 by procedure category (国家档案局令第8号 ◐: 普通程序 cases are important → 永久, 简易程序 general → 30年).
# A procedure.json may carry its own "retention": a term, or {value of the case's procedure_kind: term, "default": …}.
RETENTION: dict[str, str | dict[str, str]] = {
    "行政处罚": {"普通程序": "永久", "简易程序": "30年", "default": "永久"},
    "行政许可": "永久",
    "行政强制": "永久",
    "行政征收": "永久",
}
DEFAULT_RETENTION = "永久"
EVIDENCE = "@attachments"  # where uploaded evidence goes in the filing order of casefile/documents.json
NUMBERED = "casefile_numbered"


@dataclass
class Entry:
    """One item of the 卷内文件目录: a document (its newest version) or a piece of uploaded evidence."""

    title: str
    doc_no: str
    day: date
    volume: str
    document: Document | None = None
    attachment: Attachment | None = None
    pdf: bytes = b""
    pages: int = 0
    first: int = 0
    seq: int = 0

    @property
    def page_range(self) -> str:
        last = self.first + self.pages - 1
        return str(self.first) if last == self.first else f"{self.first}-{last}"


@dataclass
class Casefile:
    """A closed case gathered for archiving; `pdf` and `package` are filled by compile_casefile."""

    case: Case
    agency: Agency
    category: str
    procedure_key: str
    archive: dict
    documents: list[Document]
    newest: set[int]
    attachments: list[Attachment]
    events: list[dict]
    config: dict
    decision_no: str = ""
    filed_on: date | None = None
    entries: list[Entry] = field(default_factory=list)
    unprintable: list[tuple[Attachment, str]] = field(default_factory=list)
    pdf: bytes = b""
    package: bytes = b""

    @property
    def archive_no(self) -> str:
        return self.archive["archive_no"]

    @property
    def closed_at(self) -> datetime:
        return self.case.closed_at or self.case.updated_at


# --- gathering -------------------------------------------------------------------------------------------------------


@cache
def _forms_registry() -> dict:
    return json.loads((FORMS / "documents.json").read_text("utf-8"))


def _manifest(procedure_key: str) -> dict:
    path = WORKFLOWS / procedure_key / "procedure.json"
    return json.loads(path.read_text("utf-8")) if path.is_file() else {"key": procedure_key}


def retention_for(manifest: dict, case_data: dict) -> str:
    """保管期限 of a case: the procedure's own rule, else the table by category; 永久 when nothing says."""
    rule = manifest.get("retention") or RETENTION.get(manifest.get("category", ""), DEFAULT_RETENTION)
    if isinstance(rule, dict):
        return rule.get(str(case_data.get("procedure_kind", "")), rule.get("default", DEFAULT_RETENTION))
    return str(rule)


def case_data(events: list[dict]) -> dict:
    """The case's data from the submissions in its audit chain (newest value of each field wins)."""
    merged: dict = {}
    for ev in events:
        if ev["kind"] in ("task_completed", "event_received"):
            merged.update(json.loads(ev["data"]).get("submission") or {})
    return merged


def closed_case(session: Session, case_id: int) -> Case:
    """The case, if it may be archived: only a closed case has a complete file."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    if case.status != "closed":
        raise NotReadyError(f"案件“{case.case_no}”尚未结案，不能立卷归档；结案后方可生成案卷和归档包")
    return case


def _numbering(session: Session, case_id: int) -> AuditEvent | None:
    return session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.kind == NUMBERED)
                           .order_by(AuditEvent.seq).limit(1)).first()


def archive_record(session: Session, case: Case, actor: Actor, retention: str) -> dict:
    """归档号 (YYYY + 4-digit serial of the closing year) and 保管期限: allocated on the first compile, then reused."""
    event = _numbering(session, case.id)
    if event is None:
        session.execute(select(Case.id).where(Case.id == case.id).with_for_update())  # two first compiles at once
        event = _numbering(session, case.id)
        if event is None:
            year = (case.closed_at or case.updated_at).year
            serial = next_serial(session, case.agency_id, "归档", year)
            now = Clock.now().astimezone(CHINA_TZ).replace(tzinfo=None, microsecond=0)
            try:
                event = audit.append(session, case.id, at=now, actor=actor.name, role=actor.role, kind=NUMBERED,
                                     data={"archive_no": f"{year}{serial:04d}", "retention": retention},
                                     user_id=actor.user_id)
            except IntegrityError:  # another event took that place in the chain at the same moment
                session.rollback()
                raise ConflictError("案件正被他人同时处理，归档号未能分配，请稍后重试") from None
        session.commit()
    data = json.loads(event.data)
    return {**data, "compiled_by": "" if event.role == "system" else event.actor, "compiled_on": event.at.date()}


def newest_versions(documents: list[Document]) -> set[int]:
    """Ids of the newest version of each document (a document is its template rendered by one task)."""
    newest: dict[tuple[str, str], Document] = {}
    for doc in documents:
        key = (doc.template_key, doc.task_id)
        if key not in newest or doc.version > newest[key].version:
            newest[key] = doc
    return {d.id for d in newest.values()}


def gather(session: Session, case_id: int, actor: Actor | None = None) -> Casefile:
    """Everything the 案卷 needs, with the 归档号 allocated (and committed) if this is the first compile."""
    case = closed_case(session, case_id)
    version = session.get(ProcedureVersion, case.procedure_version_id)
    manifest = _manifest(version.procedure_key)
    retention = retention_for(manifest, case_data(audit.event_dicts(session, case.id)))
    archive = archive_record(session, case, actor or SYSTEM, retention)
    documents = list(session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id)))
    attachments = list(session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                       .order_by(Attachment.id)))
    cf = Casefile(case=case, agency=session.get(Agency, case.agency_id),
                  category=manifest.get("category") or version.name, procedure_key=version.procedure_key,
                  archive=archive, documents=documents, newest=newest_versions(documents),
                  attachments=attachments, events=audit.event_dicts(session, case.id),
                  config=_forms_registry().get("archives", {}).get(version.procedure_key, {}))
    settle_facts(cf)
    return cf


def archival_order(cf: Casefile) -> list[Entry]:
    """正卷 then 副卷, each in the filing order of casefile/documents.json; unknown kinds last, by creation."""
    order: dict[str, list[str]] = cf.config.get("order", {})

    def rank(volume: str, key: str) -> tuple[int, int]:
        listed = order.get(volume, [])
        return (VOLUMES.index(volume) if volume in VOLUMES else len(VOLUMES),
                listed.index(key) if key in listed else len(listed))

    ranked = [((*rank(d.volume, d.template_key), 0, d.id),
               Entry(d.title, d.doc_no or "", d.doc_date, d.volume, document=d))
              for d in cf.documents if d.id in cf.newest]
    evidence_volume = next((v for v in VOLUMES if EVIDENCE in order.get(v, [])), VOLUMES[0])
    ranked += [((*rank(evidence_volume, EVIDENCE), 1, a.id),
                Entry(f"证据材料：{a.filename}", "", a.created_at.date(), evidence_volume, attachment=a))
               for a in cf.attachments]
    return [entry for _, entry in sorted(ranked, key=lambda pair: pair[0])]


def _newest_of(cf: Casefile, keys: list[str], numbered: bool = False) -> Document | None:
    """The newest document of the first kind in `keys` the case has (with a 文号, if `numbered`)."""
    for key in keys:
        found = [d for d in cf.documents
                 if d.id in cf.newest and d.template_key == key and (d.doc_no or not numbered)]
        if found:
            return found[-1]
    return None


def settle_facts(cf: Casefile) -> None:
    """决定书文号 and 立案日期 (the kinds of document that carry them are named in casefile/documents.json)."""
    decision = _newest_of(cf, cf.config.get("decision", []), numbered=True)
    cf.decision_no = decision.doc_no if decision is not None else ""
    filing = _newest_of(cf, cf.config.get("filing", []))
    cf.filed_on = filing.doc_date if filing is not None else cf.case.created_at.date()


# --- the archival package -----------------------------------------------------------------------------------------


def case_info(cf: Casefile) -> dict:
    case = cf.case
    return {"case_no": case.case_no, "title": case.title, "party_name": case.party_name, "status": case.status,
            "procedure": cf.category, "procedure_key": cf.procedure_key, "created_at": case.created_at,
            "closed_at": cf.closed_at, "filed_on": cf.filed_on, "decision_no": cf.decision_no,
            "archive_no": cf.archive_no, "retention": cf.archive["retention"],
            "agency": {"name": cf.agency.name, "code": cf.agency.code}}


def _submissions(events: list[dict]) -> list[dict]:
    """Every form submission of the case, in order, as the audit chain recorded it."""
    out = []
    for ev in events:
        if ev["kind"] in ("task_completed", "event_received"):
            data = json.loads(ev["data"])
            out.append({"seq": ev["seq"], "at": ev["at"], "actor": ev["actor"], "role": ev["role"],
                        "kind": ev["kind"], "step": ev["step"], "name": data.get("name", ""),
                        "submission": data.get("submission") or {}})
    return out


def _document_files(session: Session, cf: Casefile) -> tuple[dict[str, bytes], list[dict]]:
    """Every version of every document as .docx and PDF; superseded ones say so in name and metadata."""
    authors = {json.loads(ev["data"]).get("document_id"): ev
               for ev in cf.events if ev["kind"] == "document_generated"}
    bound = {e.document.id: e for e in cf.entries if e.document is not None}
    files, items = {}, []
    for number, doc in enumerate(cf.documents, start=1):
        superseded = doc.id not in cf.newest
        stem = f"data/documents/{number:02d}-{doc.template_key}-v{doc.version}"
        stem += "-superseded" if superseded else ""
        entry, ev = bound.get(doc.id), authors.get(doc.id, {})
        pdf = entry.pdf if entry is not None else pdf_for(session, doc)
        meta = {"kind": "document", "document_id": doc.id, "template": doc.template_key, "title": doc.title,
                "doc_no": doc.doc_no, "date": doc.doc_date, "version": doc.version, "superseded": superseded,
                "volume": doc.volume, "author": ev.get("actor", ""), "author_role": ev.get("role", ""),
                "author_role_name": role_name(ev.get("role", "")), "pages": page_count(pdf),
                "casefile_pages": entry.page_range if entry is not None else None}
        for suffix, data in ((".docx", doc.content), (".pdf", pdf)):
            files[stem + suffix] = data
            items.append({**meta, "path": stem + suffix, "format": suffix[1:], "sha256": bagit.sha256(data)})
    return files, items


def _evidence_files(cf: Casefile) -> tuple[dict[str, bytes], list[dict]]:
    bound = {e.attachment.id: e for e in cf.entries if e.attachment is not None}
    files, items = {}, []
    for number, att in enumerate(cf.attachments, start=1):
        path = f"data/attachments/{number:02d}-{bagit.safe_name(att.filename)}"
        entry = bound.get(att.id)
        files[path] = att.content
        items.append({"path": path, "kind": "evidence", "title": att.filename, "doc_no": None,
                      "date": att.created_at.date(), "content_type": att.content_type, "size": att.size,
                      "author": att.uploaded_by, "step": att.task_bpmn_id, "superseded": False,
                      "sha256": bagit.sha256(att.content), "volume": entry.volume if entry else None,
                      "pages": entry.pages if entry else None, "casefile_pages": entry.page_range if entry else None})
    return files, items


def package(session: Session, cf: Casefile) -> bytes:
    """The BagIt package: originals, PDFs, evidence, case data, submissions, audit chain, 案卷 PDF, metadata."""
    files, items = _document_files(session, cf)
    more, evidence = _evidence_files(cf)
    files.update(more)
    items += evidence
    records = {
        "data/casefile.pdf": ("casefile", f"{cf.case.title}（案卷）", cf.pdf),
        "data/case.json": ("case", "案件信息与案件数据",
                           bagit.json_bytes({**case_info(cf), "data": case_data(cf.events)})),
        "data/submissions.json": ("submissions", "表单提交记录", bagit.json_bytes(_submissions(cf.events))),
        "data/audit/events.json": ("audit", "全过程记录（哈希链）", bagit.json_bytes(cf.events)),
        "data/audit/verification.json": ("audit_verification", "全过程记录校验结果",
                                         bagit.json_bytes(asdict(audit.verify_events(cf.events)))),
    }
    for path, (kind, title, data) in records.items():
        files[path] = data
        items.append({"path": path, "kind": kind, "title": title, "sha256": bagit.sha256(data),
                      "pages": page_count(data) if kind == "casefile" else None})
    items.sort(key=lambda item: item["path"])
    files["data/metadata.json"] = bagit.json_bytes({"case": case_info(cf), "items": items})
    closed = cf.closed_at.date().isoformat()
    info = [("Source-Organization", cf.agency.name), ("External-Identifier", cf.case.case_no),
            ("External-Description", cf.case.title), ("Case-Number", cf.case.case_no), ("Agency", cf.agency.name),
            ("Archive-Number", cf.archive_no), ("Retention", cf.archive["retention"]),
            ("Filing-Date", cf.filed_on.isoformat()), ("Closing-Date", closed), ("Bagging-Date", closed),
            ("Bag-Software-Agent", "EnforceFlow")]
    return bagit.write_bag(files, info, base=f"casefile-{cf.archive_no}", when=cf.closed_at)


# --- public API ------------------------------------------------------------------------------------------------------


def compile_casefile(session: Session, case_id: int, *, actor: Actor | None = None) -> Casefile:
    """The 案卷 PDF and the archival package of a closed case in one go (NotReadyError for an open case)."""
    cf = gather(session, case_id, actor)
    cf.entries, cf.unprintable = paginate(session, archival_order(cf))
    cf.pdf = bind(session, cf)
    cf.package = package(session, cf)
    return cf


def compile_casefile_pdf(session: Session, case_id: int, *, actor: Actor | None = None) -> bytes:
    """The 案卷 as one PDF: cover, TOC, the documents and evidence numbered 1..N, 备考表."""
    cf = gather(session, case_id, actor)
    cf.entries, cf.unprintable = paginate(session, archival_order(cf))
    return bind(session, cf)


def build_package(session: Session, case_id: int, *, actor: Actor | None = None) -> bytes:
    """The BagIt archival package (.zip) of a closed case, with the 案卷 PDF inside."""
    return compile_casefile(session, case_id, actor=actor).package
