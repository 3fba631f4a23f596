"""Who may see which orders. Confidential identity is never shown in ordinary responses, whatever the
role: holders of ``unmask`` use the separate, audited unmask action."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

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
