"""Pages of case work: 待办/已办, the case list, starting a case, the case page and its special branches."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.catalog import Procedure
from engine.errors import FormErrors
from engine.models import OpenTask
from engine.roles import CASE_ROLES
from web import services
from web.auth import requires_role
from web.extensions import db
from web.schemaform import error_map, parse_form, render_form

bp = Blueprint("cases", __name__)
PAGE_SIZE = 50
BRANCH_WORDS = ("中止", "恢复", "延期", "延长", "听证", "移送", "撤销", "不予立案", "不予处罚")


@bp.get("/")
@login_required
def inbox():
    if not current_user.has_role(*CASE_ROLES):
        if current_user.has_role("archivist"):
            return redirect(url_for("archive.index"))
        return redirect(url_for("admin.index") if current_user.has_role("admin") else url_for("cases.case_list"))
    total = services.inbox_count(current_user)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    rows = [(t, c, services.urgency(t.due, t.due_provisional))
            for t, c in services.inbox(current_user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)]
    return render_template("inbox.html", rows=rows, tab="todo", total=total, page=page, pages=pages)


@bp.get("/done")
@requires_role(*CASE_ROLES)
def done():
    return render_template("done.html", rows=services.done(current_user), tab="done")


@bp.get("/cases")
@login_required
def case_list():
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()[:100]
    return render_template("cases.html", cases=services.cases(current_user, status=status, q=q), status=status, q=q)


@bp.route("/cases/new", methods=["GET", "POST"])
@requires_role("handler")
def new_case():
    catalog = services.runtime().catalog
    procedures = [catalog.current(k) for k in catalog.keys()]
    if request.method == "POST":
        key = request.form.get("procedure", "")
        if key not in catalog.keys():
            flash("请选择要适用的执法程序", "error")
            return render_template("new_case.html", procedures=procedures), 400
        case = services.runtime().start_case(db.session, key, current_user.agency_id, current_user.actor("handler"))
        first = next(iter(services.runtime().ready_tasks(db.session, case_id=case.id)), None)
        flash(f"已创建案件 {case.case_no}，请完成案件来源登记。")
        if first is not None and current_user.has_role(first.role):
            return redirect(url_for("tasks.task", task_id=first.id))
        return redirect(url_for("cases.case", case_id=case.id))
    return render_template("new_case.html", procedures=procedures)


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id: int):
    case = services.case_for(current_user, case_id)
    procedure = services.procedure_of(case)
    tasks = services.runtime().ready_tasks(db.session, case_id=case.id)
    docs = services.documents(case)
    services.runtime().record_view(db.session, case.id, current_user.actor(_any_role()), "案件页面")
    return render_template(
        "case.html", case=case, procedure=procedure, tasks=tasks, deadlines=services.deadlines(case), docs=docs,
        latest=services.latest_versions(docs), timeline=services.timeline(case), data=services.case_data(case),
        events=_available_events(case, procedure), shortcuts=_shortcuts(procedure, tasks),
        attachments=services.attachments(case), labels=services.labels(procedure),
    )


@bp.get("/cases/<int:case_id>/progress.json")
@login_required
def progress(case_id: int):
    case = services.case_for(current_user, case_id)
    return jsonify(services.runtime().case_progress(db.session, case.id))


@bp.route("/cases/<int:case_id>/events/<name>", methods=["GET", "POST"])
@login_required
def event(case_id: int, name: str):
    """A special branch the BPMN offers as a message (e.g. 申请延长办案期限)."""
    case = services.case_for(current_user, case_id)
    procedure = services.procedure_of(case)
    cfg = procedure.events.get(name)
    if cfg is None:
        abort(404, description=f"本程序没有“{name}”这一事项")
    role = cfg.role or "handler"
    if not current_user.has_role(role):
        abort(403, description=f"“{cfg.name}”须由{services.ROLES.get(role, role)}提出")
    schema = procedure.forms.expanded(cfg.form) if cfg.form else {"type": "object", "properties": {}}
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = parse_form(schema, request.form)
        try:
            services.runtime().send_event(db.session, case.id, name, values, current_user.actor(role))
        except FormErrors as exc:
            errors, status = error_map(exc.errors), 400
            flash(exc.message, "error")
        else:
            flash(f"已提出“{cfg.name}”。")
            return redirect(url_for("cases.case", case_id=case.id))
    return render_template("event.html", case=case, cfg=cfg, schema=schema,
                           form_html=render_form(schema, values, errors)), status


def _any_role() -> str:
    return next((r for r in current_user.roles), "none")


def _available_events(case, procedure: Procedure) -> list:
    names = services.runtime().available_events(db.session, case.id) if case.status == "open" else []
    return [(n, procedure.events[n]) for n in names]


def _shortcuts(procedure: Procedure, tasks: list[OpenTask]) -> list[dict]:
    """The special branches (中止, 延期, 听证, 移送, 撤销 …) a ready task offers as a choice in its form."""
    out = []
    for task in tasks:
        if not task.form:
            continue
        schema = procedure.forms.expanded(task.form)
        for key, prop in schema.get("properties", {}).items():
            for value in prop.get("enum", []):
                if isinstance(value, str) and any(word in value for word in BRANCH_WORDS):
                    out.append({"task": task, "field": key, "value": value, "label": value})
    return out
