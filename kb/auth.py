"""Who may do what to which article. Roles are admitted by the API policies; this adds the unit scope."""

from __future__ import annotations

from hotline.users.roles import Role
from hotline.users.service import Principal
from kb.models import KbArticle, KbCorrection

EDITOR_ROLES = frozenset({Role.kb_editor, Role.admin})


class NotAllowed(PermissionError):
    """The principal may not act on this article; the message names it."""


def can_edit(principal: Principal, article: KbArticle) -> bool:
    """Editors and admins edit any article; workstation staff the articles their unit (subtree) owns."""
    if principal.role in EDITOR_ROLES:
        return True
    return (
        principal.role is Role.workstation_staff
        and article.owner_unit_id is not None
        and article.owner_unit_id in principal.scope
    )


def can_review(principal: Principal) -> bool:
    """Publishing (and rejecting) is the knowledge-base editors' job: units propose, editors approve."""
    return principal.role in EDITOR_ROLES


def check_edit(principal: Principal, article: KbArticle) -> None:
    if not can_edit(principal, article):
        raise NotAllowed(f"无权修改知识条目 {article.id}（{article.title}）：仅知识库编辑或所属单位可修改")


def check_review(principal: Principal) -> None:
    if not can_review(principal):
        raise NotAllowed(f"角色 {principal.role.label} 无权审核发布知识条目")


def can_handle_correction(principal: Principal, correction: KbCorrection) -> bool:
    if principal.role in EDITOR_ROLES:
        return True
    return (
        principal.role is Role.workstation_staff
        and correction.owner_unit_id is not None
        and correction.owner_unit_id in principal.scope
    )
