"""The task page: the form from the task's JSON Schema, the documents it produces, evidence uploads."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.errors import FormErrors, ValidationError
from web import services
from web.extensions import db
from web.schemaform import error_map, parse_form, render_form

bp = Blueprint("tasks", __name__)
MAX_FILES = 20


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str):
    row = services.task_for(current_user, task_id)
    case = services.case_for(current_user, row.case_id)
    procedure = services.procedure_of(case)
    cfg = procedure.element(row.bpmn_id)
    schema = procedure.forms.expanded(row.form) if row.form else {"type": "object", "properties": {}}
    values = _presets(schema)
    errors, status = {}, 200
    if request.method == "POST":
        values = parse_form(schema, request.form)
        try:
            files = _uploads()
            documents = services.runtime().complete_task(db.session, row.id, values, current_user.actor(row.role),
                                                         attachments=files)
        except FormErrors as exc:
            errors, status = error_map(exc.errors), 400
            flash(exc.message, "error")
        except ValidationError as exc:
            status = 400
            flash(exc.message, "error")
        else:
            titles = "、".join(d.title for d in documents)
            flash(f"“{row.name}”已办理完毕。" + (f"生成文书：{titles}。" if titles else ""))
            return redirect(url_for("cases.case", case_id=case.id, _anchor="documents" if documents else None))
    produces = [procedure.templates.get(rule.template).title for rule in cfg.documents] if cfg else []
    docs = services.documents(case)
    return render_template(
        "task.html", task=row, case=case, cfg=cfg, schema=schema, produces=produces, docs=docs,
        latest=services.latest_versions(docs), data=services.case_data(case),
        urgency=services.urgency(row.due, row.due_provisional), deadlines=services.deadlines(case),
        form_html=render_form(schema, values, errors), attachments=services.attachments(case),
        labels=services.labels(procedure),
    ), status


def _presets(schema: dict) -> dict:
    """A shortcut from the case page may preselect a choice (e.g. 调查措施 = 中止调查)."""
    field, _, value = request.args.get("preset", "").partition(":")
    prop = schema.get("properties", {}).get(field)
    return {field: value} if prop and value in prop.get("enum", []) else {}


def _uploads() -> list[tuple[str, str, bytes]]:
    files = [f for f in request.files.getlist("attachments") if f and f.filename]
    if len(files) > MAX_FILES:
        raise ValidationError(f"一次最多上传 {MAX_FILES} 个文件")
    out = []
    for f in files:
        content = f.read()
        if not content:
            raise ValidationError(f"文件“{f.filename}”是空的，请重新选择")
        out.append((f.filename, f.mimetype or "application/octet-stream", content))
    return out
