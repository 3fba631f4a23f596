"""Who may see and act on which orders."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from hotline.users.roles import CENTRE_ROLES, Role
from hotline.users.service import Principal
from routing.orders.models import OrderAssignment, WorkOrder


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause limiting ``WorkOrder`` rows to the principal's scope."""
    if principal.role in CENTRE_ROLES:
        return true()
    if principal.role is Role.observer:
        return WorkOrder.oversight.is_(True)
    if principal.role is Role.workstation_staff and principal.scope:
        assigned = select(OrderAssignment.order_id).where(
            OrderAssignment.workstation_id.in_(principal.scope), OrderAssignment.active.is_(True)
        )
        return WorkOrder.id.in_(assigned)
    return false()


def can_read(*, session: Session, principal: Principal, order_id: int) -> bool:
    return session.scalar(select(WorkOrder.id).where(WorkOrder.id == order_id, visible_clause(principal))) is not None


def can_see_identity(principal: Principal) -> bool:
    """Nobody reads a confidential identity in ordinary responses; holders of ``unmask`` use the
    separate, audited unmask action."""
    return False
