"""Roles and what each may do. Endpoints declare the roles they admit; scope is checked per domain."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    agent = "agent"
    desk_agent = "desk_agent"
    dispatcher = "dispatcher"
    follow_up_agent = "follow_up_agent"
    workstation_staff = "workstation_staff"
    supervisor = "supervisor"
    kb_editor = "kb_editor"
    admin = "admin"
    observer = "observer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.agent: "话务员",
    Role.desk_agent: "专席话务员",
    Role.dispatcher: "分办员",
    Role.follow_up_agent: "回访员",
    Role.workstation_staff: "工作站人员",
    Role.supervisor: "监督员",
    Role.kb_editor: "知识库编辑",
    Role.admin: "系统管理员",
    Role.observer: "纪委监委观察员",
}

# Centre staff see every order; workstation staff only their subtree; the observer only the oversight line.
CENTRE_ROLES = frozenset(
    {Role.agent, Role.desk_agent, Role.dispatcher, Role.follow_up_agent, Role.supervisor, Role.admin}
)
INTAKE_ROLES = frozenset({Role.agent, Role.desk_agent, Role.dispatcher, Role.supervisor, Role.admin})

PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.agent: frozenset({"order:create", "order:read", "call:log"}),
    Role.desk_agent: frozenset({"order:create", "order:read", "call:log"}),
    Role.dispatcher: frozenset({"order:create", "order:read", "order:dispatch"}),
    Role.follow_up_agent: frozenset({"order:read", "order:follow_up"}),
    Role.workstation_staff: frozenset({"order:read", "order:handle"}),
    Role.supervisor: frozenset({"order:read", "order:create", "unmask", "audit:read", "harassment:mark", "export"}),
    Role.kb_editor: frozenset({"kb:edit"}),
    Role.admin: frozenset(
        {"order:read", "order:create", "unmask", "audit:read", "harassment:mark", "admin", "export", "kb:edit"}
    ),
    Role.observer: frozenset({"order:read", "export"}),
}


def permissions_of(role: Role) -> frozenset[str]:
    return PERMISSIONS[role]
