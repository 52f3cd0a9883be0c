"""Sign-in, the signed-in person (Principal), role checks, and the user's own page with API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy import select

from engine.casework import Actor
from engine.errors import EngineError, ValidationError
from engine.models import Agency, ApiToken, User
from engine.roles import ROLES
from web import accounts
from web.extensions import db, login_manager
from web.ids import form_id

bp = Blueprint("auth", __name__)


@dataclass(frozen=True, eq=False)
class Principal(UserMixin):
    """The signed-in person as the web layer sees them: one agency, one or more roles."""

    user_id: int
    username: str
    display_name: str
    agency_id: int
    agency_name: str
    roles: tuple[str, ...]

    def get_id(self) -> str:
        return str(self.user_id)

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def actor(self, role: str) -> Actor:
        """The engine's view of this person acting in one role (the role must be theirs)."""
        return Actor(self.display_name, role if role in self.roles else "none", self.agency_id, self.user_id)

    @property
    def role_names(self) -> list[str]:
        return [ROLES[r] for r in self.roles if r in ROLES]


def principal_of(user: User) -> Principal:
    agency = db.session.get(Agency, user.agency_id)
    return Principal(user.id, user.username, user.display_name, user.agency_id, agency.name if agency else "",
                     tuple(user.role_list))


@login_manager.user_loader
def load_user(user_id: str) -> Principal | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return principal_of(user) if user is not None and user.active else None


def requires_role(*roles: str):
    """A page for people with one of these roles; others get 403 (and strangers the sign-in page)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403, description=f"此页面仅限{'、'.join(ROLES[r] for r in roles)}使用")
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("cases.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        user = accounts.authenticate(db.session, request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            error = "用户名或密码错误，或账号已停用"
        else:
            session.clear()
            login_user(principal_of(user))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash("您已安全退出。")
    return redirect(url_for("auth.login"))


@bp.route("/me", methods=["GET", "POST"])
@login_required
def me():
    """The user's own page: roles, password, API tokens (a new secret is shown once)."""
    user = db.session.get(User, current_user.user_id)
    new_secret = None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "create_token":
                _token, new_secret = accounts.issue_token(db.session, user, request.form.get("name", ""))
                flash("已创建 API 令牌。令牌只显示这一次，请立即复制保存。")
            elif action == "revoke_token":
                accounts.revoke_token(db.session, user, form_id(request.form.get("token_id")) or 0)
                flash("令牌已吊销。")
            elif action == "password":
                if accounts.authenticate(db.session, user.username, request.form.get("old_password", "")) is None:
                    raise ValidationError("原密码不正确", field="old_password")
                accounts.set_password(user, request.form.get("new_password", ""))
                flash("密码已修改。")
            db.session.commit()
        except EngineError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            g.status = 400
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).all()
    return render_template("me.html", user=user, tokens=tokens, new_secret=new_secret), g.get("status", 200)
