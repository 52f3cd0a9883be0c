"""The administrator's page: 执法机关 and their users (roles, activation, password reset)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from engine.errors import EngineError
from engine.models import Agency, User
from web import accounts
from web.auth import requires_role
from web.extensions import db
from web.ids import form_id, row

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@requires_role("admin")
def index():
    return _page()


def _page():
    agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
    users = db.session.scalars(select(User).order_by(User.agency_id, User.id)).all()
    names = {a.id: a.name for a in agencies}
    return render_template("admin.html", agencies=agencies, users=users, agency_names=names)


def _done(message: str):
    db.session.commit()
    flash(message)
    return redirect(url_for("admin.index"))


def _failed(exc: EngineError):
    db.session.rollback()
    flash(exc.message, "error")
    return _page(), 400


@bp.post("/agencies")
@requires_role("admin")
def create_agency():
    f = request.form
    try:
        agency = accounts.create_agency(db.session, code=f.get("code", ""), name=f.get("name", ""),
                                        parent_government=f.get("parent_government", ""), court=f.get("court", ""),
                                        address=f.get("address", ""), phone=f.get("phone", ""))
    except EngineError as exc:
        return _failed(exc)
    return _done(f"已添加执法机关“{agency.name}”。")


@bp.post("/users")
@requires_role("admin")
def create_user():
    f = request.form
    agency_id = form_id(f.get("agency_id"))
    agency = db.session.get(Agency, agency_id) if agency_id else None
    try:
        if agency is None:
            raise EngineError("请选择用户所属的执法机关")
        user = accounts.create_user(db.session, username=f.get("username", ""), display_name=f.get("display_name", ""),
                                    password=f.get("password", ""), agency=agency, roles=f.getlist("roles"))
    except EngineError as exc:
        return _failed(exc)
    return _done(f"已添加用户“{user.display_name}”（{user.username}）。")


@bp.post("/users/<int:user_id>")
@requires_role("admin")
def update_user(user_id: int):
    user = row(User, user_id)
    if user is None:
        abort(404, description="用户不存在")
    f = request.form
    try:
        if f.get("action") == "password":
            accounts.set_password(user, f.get("password", ""))
            message = f"已重置“{user.display_name}”的密码。"
        else:
            user.roles = ",".join(accounts.check_roles(f.getlist("roles")))
            user.active = f.get("active") == "on"
            message = f"已更新“{user.display_name}”的角色和状态。"
    except EngineError as exc:
        return _failed(exc)
    return _done(message)
