"""The roles people act in; the three case roles are the lanes of the BPMN diagrams."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "handler": "承办人",
    "reviewer": "法制审核员",
    "head": "负责人",
    "archivist": "档案管理员",
    "designer": "流程设计员",
    "admin": "系统管理员",
}
CASE_ROLES = ("handler", "reviewer", "head")


def role_name(role: str) -> str:
    return ROLES.get(role, role)
