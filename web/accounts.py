"""Agencies, users and API tokens: creation and checks shared by the admin pages, the CLI and the API."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import NotFound, ValidationError
from engine.models import Agency, ApiToken, User
from engine.roles import ROLES

USERNAME = re.compile(r"^[a-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8
TOKEN_PREFIX = "ef_"
# A fixed hash to compare against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def create_agency(session: Session, *, code: str, name: str, parent_government: str, court: str,
                  address: str = "", phone: str = "") -> Agency:
    """A new 执法机关; its 机关代字 (code) prefixes every 文号 and 案件编号 it issues."""
    code, name = code.strip(), name.strip()
    problems = [msg for ok, msg in (
        (code, "机关代字不能为空"), (name, "机关名称不能为空"),
        (parent_government.strip(), "请填写本级人民政府（用于行政复议告知）"),
        (court.strip(), "请填写管辖法院（用于行政诉讼和申请强制执行）"),
    ) if not ok]
    if problems:
        raise ValidationError("；".join(problems))
    if session.scalars(select(Agency).where(Agency.code == code)).first():
        raise ValidationError(f"机关代字“{code}”已被其他执法机关使用", field="code")
    agency = Agency(code=code, name=name, parent_government=parent_government.strip(), court=court.strip(),
                    address=address.strip(), phone=phone.strip())
    session.add(agency)
    session.flush()
    return agency


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.code == code)).first()
    if agency is None:
        raise NotFound(f"没有机关代字为“{code}”的执法机关")
    return agency


def check_roles(roles: list[str]) -> list[str]:
    roles = [r.strip() for r in roles if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError(f"未知的角色：{'、'.join(unknown)}（可选：{'、'.join(ROLES)}）", field="roles")
    if not roles:
        raise ValidationError("至少选择一个角色", field="roles")
    return sorted(set(roles), key=list(ROLES).index)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"密码至少 {MIN_PASSWORD} 位", field="password")
    return password


def create_user(session: Session, *, username: str, display_name: str, password: str, agency: Agency,
                roles: list[str]) -> User:
    """A person who signs in; the password is stored only as a salted hash (scrypt)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValidationError("用户名只能使用 2–64 位小写字母、数字和 _ . -", field="username")
    if not display_name.strip():
        raise ValidationError("姓名不能为空", field="display_name")
    if session.scalars(select(User).where(User.username == username)).first():
        raise ValidationError(f"用户名“{username}”已存在", field="username")
    user = User(username=username, display_name=display_name.strip(), agency_id=agency.id,
                password_hash=generate_password_hash(check_password(password)),
                roles=",".join(check_roles(roles)), active=True, created_at=_now())
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(check_password(password))


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    return user if user is not None and ok and user.active else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is kept."""
    name = name.strip() or "API 令牌"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], prefix=secret[:10], token_hash=_digest(secret),
                     created_at=_now())
    session.add(token)
    session.flush()
    return token, secret


def token_user(session: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The live token and its active user for a secret, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    return (token, user) if user is not None and user.active else None


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("令牌不存在")
    token.revoked_at = token.revoked_at or _now()
    return token
