"""档案管理 for archivists: the closed cases of their agency, the 案卷 (PDF) and the archival package (.zip) of each,
and the offline check of a package. Every download is an 调阅 record in the case's audit chain.

Downloads compile on request (the first compile of a case converts its documents with LibreOffice: seconds to a
minute); the 调阅 record is appended *after* compiling, so a package holds the audit chain up to the moment it was
compiled and the next package also holds the record of this download.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import exists, extract, func, select

from engine.audit import canonical_json
from engine.bagit import Report, sha256, verify_package
from engine.casefile import DEFAULT_RETENTION, NUMBERED, RETENTION, compile_casefile, compile_casefile_pdf
from engine.errors import ValidationError
from engine.models import AuditEvent, Case, ProcedureVersion
from engine.roles import role_name
from web import services
from web.auth import Principal, requires_role
from web.extensions import db

bp = Blueprint("archive", __name__, url_prefix="/archive")
PAGE_SIZE = 50
UNFILED = "未立卷"
ROLE = "archivist"
ONLY_ARCHIVISTS = f"案卷和归档包仅限{role_name(ROLE)}调阅和校验"
NOT_A_ZIP = "上传的内容不是 ZIP 格式的档案包，请选择由本系统导出的归档包（.zip）"
UNZIP_LIMIT = 20  # a package may unpack to at most this many times the upload limit (no zip bombs)


# ------------------------------------------------------------------ the list of closed cases
@dataclass(frozen=True)
class Filters:
    """What the archivist narrows the list to: procedure key, closing year, 保管期限 (or 未立卷)."""

    procedure: str = ""
    year: int | None = None
    retention: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        year = args.get("year", "").strip()
        return cls(procedure=args.get("procedure", "").strip()[:100],
                   year=int(year) if year.isdigit() and 1900 <= int(year) <= 9999 else None,
                   retention=args.get("retention", "").strip()[:20])


def _closing():
    return func.coalesce(Case.closed_at, Case.updated_at)


def _numbered(retention: str | None = None):
    """EXISTS the case's 归档 record (with this 保管期限): it is one audit event, written on the first compile."""
    query = select(AuditEvent.id).where(AuditEvent.case_id == Case.id, AuditEvent.kind == NUMBERED)
    if retention is not None:
        needle = canonical_json({"retention": retention})[1:-1]  # the record's JSON is canonical: "retention":"30年"
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEvent.data.like(f"%{escaped}%", escape="\\"))
    return exists(query)


def closed_cases_query(principal: Principal, f: Filters):
    query = select(Case).where(Case.agency_id == principal.agency_id, Case.status == "closed")
    if f.procedure:
        versions = select(ProcedureVersion.id).where(ProcedureVersion.procedure_key == f.procedure)
        query = query.where(Case.procedure_version_id.in_(versions))
    if f.year is not None:
        query = query.where(_closing() >= datetime(f.year, 1, 1), _closing() < datetime(f.year + 1, 1, 1))
    if f.retention == UNFILED:
        query = query.where(~_numbered())
    elif f.retention:
        query = query.where(_numbered(f.retention))
    return query


def closed_cases(principal: Principal, f: Filters, page: int) -> tuple[list[Case], int, int]:
    """One page of the agency's closed cases (most recently closed first), how many there are, the page shown."""
    query = closed_cases_query(principal, f)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    rows = db.session.scalars(query.options(services.CASE_COLUMNS).order_by(_closing().desc(), Case.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(rows), total, page


def archive_records(case_ids: list[int]) -> dict[int, dict]:
    """{case id: {"archive_no", "retention"}} of the cases compiled at least once (the first record counts)."""
    if not case_ids:
        return {}
    rows = db.session.execute(select(AuditEvent.case_id, AuditEvent.data)
                              .where(AuditEvent.case_id.in_(case_ids), AuditEvent.kind == NUMBERED)
                              .order_by(AuditEvent.seq.desc()))
    return {case_id: json.loads(data) for case_id, data in rows}  # newest first, so the first record wins


def year_choices(principal: Principal) -> list[int]:
    year = extract("year", _closing())
    query = (select(year).where(Case.agency_id == principal.agency_id, Case.status == "closed")
             .group_by(year).order_by(year.desc()))
    return [int(y) for y in db.session.scalars(query) if y is not None]


def retention_choices() -> list[str]:
    """Every 保管期限 the rules can give (the table and each procedure's own rule), then 未立卷."""
    found = {DEFAULT_RETENTION}
    catalog = services.runtime().catalog
    for rule in [*RETENTION.values(), *(catalog.current(k).manifest.get("retention") for k in catalog.keys())]:
        if isinstance(rule, dict):
            found.update(str(v) for v in rule.values())
        elif rule:
            found.add(str(rule))
    return [*sorted(found, key=lambda r: (r != "永久", len(r), r)), UNFILED]


def procedure_choices() -> list[tuple[str, str]]:
    catalog = services.runtime().catalog
    return [(key, catalog.current(key).manifest.get("name", catalog.current(key).name)) for key in catalog.keys()]


def _procedure_names(cases: list[Case]) -> dict[int, str]:
    ids = {c.procedure_version_id for c in cases}
    if not ids:
        return {}
    return dict(db.session.execute(select(ProcedureVersion.id, ProcedureVersion.name)
                                   .where(ProcedureVersion.id.in_(ids))).all())


@bp.get("/")
@requires_role(ROLE)
def index():
    f = Filters.from_args(request.args)
    cases, total, page = closed_cases(current_user, f, request.args.get("page", 1, type=int) or 1)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("archive.html", cases=cases, total=total, page=page, pages=pages, f=f,
                           records=archive_records([c.id for c in cases]), names=_procedure_names(cases),
                           years=year_choices(current_user), retentions=retention_choices(),
                           procedures=procedure_choices(), unfiled=UNFILED, tab="archive")


# ------------------------------------------------------------------ downloads (shared with the API)
def _send(principal: Principal, case: Case, what: str, name: str, content: bytes, mimetype: str, archive_no: str):
    """Record the 调阅 (after compiling: the record joins the *next* package), then send the file."""
    services.runtime().record_view(db.session, case.id, principal.actor(ROLE), what,
                                   {"archive_no": archive_no, "file": name, "sha256": sha256(content),
                                    "size": len(content)})
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)


def send_casefile_pdf(principal: Principal, case: Case, via: str = ""):
    """The 案卷 PDF of a closed case (NotReadyError → 409 for an open one), recorded as 下载案卷（PDF）."""
    content = compile_casefile_pdf(db.session, case.id, actor=principal.actor(ROLE))
    archive_no = archive_records([case.id])[case.id]["archive_no"]
    return _send(principal, case, f"{via}下载案卷（PDF）", f"casefile-{archive_no}.pdf", content,
                 "application/pdf", archive_no)


def send_package(principal: Principal, case: Case, via: str = ""):
    """The BagIt archival package of a closed case, recorded as 下载归档包."""
    cf = compile_casefile(db.session, case.id, actor=principal.actor(ROLE))
    return _send(principal, case, f"{via}下载归档包", f"casefile-{cf.archive_no}.zip", cf.package,
                 "application/zip", cf.archive_no)


@bp.get("/cases/<int:case_id>/casefile.pdf")
@requires_role(ROLE)
def casefile_pdf(case_id: int):
    return send_casefile_pdf(current_user, services.case_for(current_user, case_id))


@bp.get("/cases/<int:case_id>/package.zip")
@requires_role(ROLE)
def package_zip(case_id: int):
    return send_package(current_user, services.case_for(current_user, case_id))


# ------------------------------------------------------------------ offline verification
def verify_upload(data: bytes) -> Report:
    """Check an uploaded package from its bytes alone (no database); a damaged zip member is named too.

    Raises ValidationError (400) when the bytes are not a zip at all or would unpack to an unreasonable size."""
    if not data:
        raise ValidationError("没有收到档案包：请选择要校验的归档包（.zip）")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(NOT_A_ZIP)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            limit = UNZIP_LIMIT * (current_app.config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024)
            if sum(i.file_size for i in archive.infolist()) > limit:
                raise ValidationError(f"档案包解压后超过 {limit // (1024 * 1024)} MB，无法在线校验；请使用命令行校验")
    except zipfile.BadZipFile:
        raise ValidationError(NOT_A_ZIP) from None
    return verify_package(data)  # damaged members are named by the engine, the rest is still checked


@bp.route("/verify", methods=["GET", "POST"])
@requires_role(ROLE)
def verify():
    report, filename, status, error = None, "", 200, ""
    if request.method == "POST":
        upload = request.files.get("package")
        filename = upload.filename if upload is not None else ""
        try:
            report = verify_upload(upload.read() if upload is not None else b"")
        except ValidationError as exc:
            error, status = exc.message, 400
    return render_template("archive_verify.html", report=report, filename=filename, error=error,
                           tab="archive"), status


def require_archivist(principal: Principal) -> None:
    if not principal.has_role(ROLE):
        abort(403, description=ONLY_ARCHIVISTS)
