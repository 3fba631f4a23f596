"""Which events a user may receive: audience tags for centre roles, workstation scope for units."""

from __future__ import annotations

from collections.abc import Iterable

from hotline.users.roles import Role
from hotline.users.service import Principal

_TAGS_BY_ROLE: dict[Role, frozenset[str]] = {
    Role.agent: frozenset({"centre"}),
    Role.desk_agent: frozenset({"centre"}),
    Role.dispatcher: frozenset({"centre"}),
    Role.follow_up_agent: frozenset({"centre"}),
    Role.kb_editor: frozenset({"kb"}),
    Role.observer: frozenset({"oversight"}),
    Role.workstation_staff: frozenset(),
}


def visible(principal: Principal, audience: Iterable[str], workstation_ids: Iterable[int]) -> bool:
    if principal.role in (Role.supervisor, Role.admin):
        return True
    if principal.role is Role.workstation_staff:
        return not principal.scope.isdisjoint(workstation_ids)
    return not _TAGS_BY_ROLE[principal.role].isdisjoint(audience)
