"""The JSON API (/api/v1): what the pages do, for programs; bearer tokens only, the pages' permissions and messages."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta

from flask import Blueprint, abort, g, jsonify, request, send_file, url_for
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError

from engine import audit, pdf
from engine.errors import NotReadyError, ValidationError
from engine.models import ApiToken, Case, OpenTask
from engine.roles import role_name
from web import accounts, archive, services
from web import api_views as views
from web.auth import Principal, principal_of
from web.documents import DOCX, document_for, file_name, record_download
from web.errors import respond
from web.extensions import db
from web.ids import MAX_ID
from web.openapi import document as openapi_document_dict

bp = Blueprint("api", __name__, url_prefix="/api/v1")

TOKEN_MESSAGE = ("缺少或无效的 API 令牌：请在请求头中提供 “Authorization: Bearer <令牌>”"
                 "（令牌在“我的账号”页面创建，吊销或账号停用后失效）")
NOT_READY = "该任务不存在或已经办理完毕，不能重复提交"
MAX_LIMIT = 500
TOUCH_EVERY = timedelta(minutes=1)
TASK_ID = re.compile(r"^[0-9a-fA-F-]{32,36}$")


# ------------------------------------------------------------------ authentication
@bp.before_request
def authenticate():
    """Every endpoint but the OpenAPI document needs `Authorization: Bearer <token>`."""
    if request.endpoint == "api.openapi_document":
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    found = accounts.token_user(db.session, secret) if scheme.lower() == "bearer" and secret else None
    if found is None:
        response, status = respond(401, TOKEN_MESSAGE)
        challenge = 'Bearer realm="EnforceFlow API"' + (', error="invalid_token"' if secret else "")
        response.headers["WWW-Authenticate"] = challenge
        return response, status
    token, user = found
    g.principal = principal_of(user)
    _touch(token)
    return None


def _touch(token: ApiToken) -> None:
    """Note when the token was last used, at most once a minute: writing on every request would queue every
    reader behind the database's write lock (SQLite) for bookkeeping."""
    now = datetime.now().replace(microsecond=0)  # wall time, not the case clock: this is about the token
    if token.last_used_at is not None and token.last_used_at >= now - TOUCH_EVERY:
        return
    try:
        db.session.execute(update(ApiToken).where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - TOUCH_EVERY),
        ).values(last_used_at=now))
        db.session.commit()
    except OperationalError:  # a busy database must not refuse the request over bookkeeping
        db.session.rollback()


def _principal() -> Principal:
    return g.principal


# ------------------------------------------------------------------ request parsing
def _body() -> dict:
    """The request body as a JSON object; an empty body is an empty object."""
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ValidationError("请求体必须是 JSON 对象，且使用 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"请求体必须是 JSON 对象：第{exc.lineno}行第{exc.colno}列格式错误（{exc.msg}）") from None
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"请求体必须是 JSON 对象：{exc}") from None
    if not isinstance(data, dict):
        raise ValidationError(f"请求体必须是 JSON 对象（{{…}}），收到的是 {type(data).__name__}")
    return data


def _no_constant(name: str):
    raise ValueError(f"不支持 {name}，请使用数字或 null")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not low <= int(raw) <= high:
        raise ValidationError(f"参数 {name} 必须是 {low}–{high} 之间的整数，收到“{raw[:20]}”", field=name)
    return int(raw)


def _case(case_id: int) -> Case:
    return services.case_for(_principal(), case_id)


def _open_task(task_id: str) -> OpenTask | None:
    return db.session.get(OpenTask, task_id) if TASK_ID.match(task_id) else None


# ------------------------------------------------------------------ catalog and cases
@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API (no token needed)."""
    return jsonify(openapi_document_dict())


@bp.get("/procedures")
def list_procedures():
    catalog = services.runtime().catalog
    return jsonify([views.procedure_json(catalog.current(key)) for key in catalog.keys()])


@bp.post("/cases")
def start_case():
    principal = _principal()
    if not principal.has_role("handler"):
        abort(403, description=f"创建案件须由{role_name('handler')}进行，您没有该角色")
    key = _body().get("procedure")
    keys = services.runtime().catalog.keys()
    if not isinstance(key, str) or key not in keys:
        raise ValidationError(f"请在 procedure 中指定要适用的执法程序，可选：{'、'.join(keys)}", field="procedure")
    case = services.runtime().start_case(db.session, key, principal.agency_id, principal.actor("handler"))
    return jsonify(views.case_json(case)), 201, {"Location": url_for("api.get_case", case_id=case.id)}


@bp.get("/cases")
def list_cases():
    """My agency's cases, most recently changed first; the total is in X-Total-Count."""
    principal = _principal()
    status = request.args.get("status", "")
    if status not in ("", "open", "closed"):
        raise ValidationError("参数 status 只能是 open（办理中）或 closed（已结案）", field="status")
    limit, offset = _int_arg("limit", 100, 1, MAX_LIMIT), _int_arg("offset", 0, 0, MAX_ID)
    query = select(Case).where(Case.agency_id == principal.agency_id)
    if status:
        query = query.where(Case.status == status)
    q = request.args.get("q", "").replace("\x00", "").strip()[:100]
    if q:
        like = f"%{q}%"
        query = query.where(Case.case_no.like(like) | Case.title.like(like) | Case.party_name.like(like))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit).offset(offset)))
    names = views.procedure_names(rows)
    return jsonify([views.case_summary(c, names) for c in rows]), 200, {"X-Total-Count": str(total or 0)}


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int):
    return jsonify(views.case_json(_case(case_id)))


@bp.post("/cases/<int:case_id>/events/<name>")
def send_event(case_id: int, name: str):
    """Raise a special branch the case waits for (e.g. 申请延长办案期限); the body is its form."""
    principal = _principal()
    data = _body()
    case = _case(case_id)
    cfg = services.procedure_of(case).events.get(name)
    if cfg is None:
        abort(404, description=f"本程序没有“{name[:50]}”这一事项")
    role = cfg.role or "handler"
    if not principal.has_role(role):
        abort(403, description=f"“{cfg.name}”须由{role_name(role)}提出，您没有该角色")
    services.runtime().send_event(db.session, case.id, name, data, principal.actor(role))
    return jsonify(views.case_json(case))


@bp.get("/cases/<int:case_id>/documents")
def case_documents(case_id: int):
    return jsonify(views.documents_json(_case(case_id)))


@bp.get("/cases/<int:case_id>/audit")
def case_audit(case_id: int):
    return jsonify(views.audit_json(_case(case_id)))


@bp.get("/cases/<int:case_id>/audit/verify")
def verify_audit(case_id: int):
    report = audit.verify_case(db.session, _case(case_id).id)
    return jsonify({"ok": report.ok, "events": report.events, "problems": report.problems})


@bp.get("/cases/<int:case_id>/progress")
def case_progress(case_id: int):
    return jsonify(services.runtime().case_progress(db.session, _case(case_id).id))


# ------------------------------------------------------------------ tasks
@bp.get("/tasks")
def list_tasks():
    """My ready tasks (待办): my agency and roles, the earliest due first."""
    rows = services.inbox(_principal(), limit=_int_arg("limit", 100, 1, MAX_LIMIT))
    return jsonify([views.task_json(task, case) for task, case in rows])


@bp.get("/tasks/<task_id>")
def get_task(task_id: str):
    """A ready task with its form (JSON Schema, references inlined) and the documents it will produce."""
    if _open_task(task_id) is None:
        abort(404, description="任务不存在或已经办理完毕")
    task = services.task_for(_principal(), task_id)
    case = db.session.get(Case, task.case_id)
    procedure = services.procedure_of(case)
    schema = procedure.forms.expanded(task.form) if task.form else views.EMPTY_FORM
    return jsonify({**views.task_json(task, case), "schema": schema,
                    "produces": views.produces_json(procedure, task.bpmn_id)})


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id: str):
    """Submit a task's form. Any id that is not ready now (done, never existed) is 409: a repeat is not a typo."""
    principal = _principal()
    data = _body()
    if _open_task(task_id) is None:
        raise NotReadyError(NOT_READY)
    task = services.task_for(principal, task_id)  # 403 for another agency or a role the person lacks
    done = {"id": task.id, "bpmn_id": task.bpmn_id, "name": task.name}  # the row is gone once completed
    case = db.session.get(Case, task.case_id)
    documents = services.runtime().complete_task(db.session, task.id, data, principal.actor(task.role))
    tasks = services.runtime().ready_tasks(db.session, case_id=case.id)
    return jsonify({"task": done, "case": views.case_summary(case),
                    "documents": views.documents_json(case, only=documents),
                    "tasks": [views.task_json(t) for t in tasks]})


# ------------------------------------------------------------------ documents
@bp.get("/documents/<int:document_id>")
def download_document(document_id: int):
    """The .docx (or ?format=pdf) of a document; every download is an 调阅 record in the case's audit chain."""
    principal = _principal()
    doc = document_for(document_id, principal)
    kind = request.args.get("format", "docx")
    if kind not in ("docx", "pdf"):
        raise ValidationError("参数 format 只能是 docx 或 pdf", field="format")
    content = pdf.pdf_for(db.session, doc) if kind == "pdf" else doc.content  # no LibreOffice: 503 (web/errors.py)
    record_download(doc, f"API 下载文书（{kind}）", principal)
    return send_file(io.BytesIO(content), mimetype=DOCX if kind == "docx" else "application/pdf",
                     as_attachment=True, download_name=file_name(doc, f".{kind}"))


# ------------------------------------------------------------------ archive (档案管理员)
def _archivist() -> Principal:
    principal = _principal()
    archive.require_archivist(principal)
    return principal


@bp.get("/cases/<int:case_id>/casefile.pdf")
def download_casefile(case_id: int):
    """The 案卷 PDF of a closed case (an open case is 409); the download is an 调阅 record of the case."""
    principal = _archivist()
    return archive.send_casefile_pdf(principal, _case(case_id), via="API ")


@bp.get("/cases/<int:case_id>/package.zip")
def download_package(case_id: int):
    """The BagIt archival package; it holds the audit chain up to the moment it was compiled (before this record)."""
    principal = _archivist()
    return archive.send_package(principal, _case(case_id), via="API ")


@bp.post("/packages/verify")
def verify_package():
    """Check a package offline from the request body alone (the zip bytes): {ok, problems, checked}."""
    _archivist()
    report = archive.verify_upload(request.get_data(cache=False))  # over MAX_CONTENT_LENGTH this raises 413
    return jsonify({"ok": report.ok, "problems": report.problems, "checked": report.checked})
