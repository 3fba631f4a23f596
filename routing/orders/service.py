"""Intake, lookup and drafts of work orders. Plain functions; the caller owns the transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hotline.audit import service as audit
from hotline.db import after_commit, utcnow
from hotline.events import emit
from hotline.notify import Notifier
from hotline.org.models import MergedLine, Region, SpecialistDesk
from hotline.users.service import Principal
from routing.orders.auth import visible_clause
from routing.orders.enums import Channel
from routing.orders.models import IntakeDraft, OrderAssignment, OrderHistory, WorkOrder
from routing.orders.numbering import lookup_code, order_number
from routing.orders.schemas import Identity, OrderCreate, OrderUpdate
from routing.orders.states import PENDING_DISPATCH
from routing.orders.views_model import event_payload


class NotFound(LookupError):
    pass


class InvalidReference(ValueError):
    """A reference to something that does not exist (region, line, desk): a client error."""


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s\-]", "", phone).removeprefix("+86")


def order_audience(order: WorkOrder) -> list[str]:
    return ["centre", "oversight"] if order.oversight else ["centre"]


def order_units(*, session: Session, order_id: int) -> list[int]:
    return list(
        session.scalars(
            select(OrderAssignment.workstation_id).where(
                OrderAssignment.order_id == order_id, OrderAssignment.active.is_(True)
            )
        )
    )


def emit_order_event(*, session: Session, order: WorkOrder, type: str) -> None:
    session.flush()
    emit(
        session,
        type,
        event_payload(order),
        audience=order_audience(order),
        workstation_ids=order_units(session=session, order_id=order.id),
    )


def _check_refs(*, session: Session, data: OrderCreate) -> None:
    if data.region_code and session.get(Region, data.region_code) is None:
        raise InvalidReference(f"未知的区域编码 region_code={data.region_code!r}")
    if data.line_number and session.get(MergedLine, data.line_number) is None:
        raise InvalidReference(f"未知的归并热线 line_number={data.line_number!r}")
    if data.desk_code and session.get(SpecialistDesk, data.desk_code) is None:
        raise InvalidReference(f"未知的专席 desk_code={data.desk_code!r}")


def create_order(
    *,
    session: Session,
    data: OrderCreate,
    actor: Principal,
    city_area_code: str,
    notifier: Notifier | None = None,
) -> WorkOrder:
    _check_refs(session=session, data=data)
    now = utcnow()
    channel = Channel(data.channel)
    desk = session.get(SpecialistDesk, data.desk_code) if data.desk_code else None
    phone = normalise_phone(data.caller_phone) if data.caller_phone else None
    order = WorkOrder(
        number=order_number(session=session, area_code=data.region_code or city_area_code, channel=channel, at=now),
        lookup_code=lookup_code(),
        state=PENDING_DISPATCH,
        channel=channel.value,
        request_type=data.request_type.value,
        urgency=data.urgency.value,
        caller_name=None if data.anonymous else data.caller_name,
        caller_phone=None if data.anonymous else phone,
        caller_address=None if data.anonymous else data.caller_address,
        confidential=data.confidential,
        anonymous=data.anonymous,
        incident_address=data.incident_address,
        region_code=data.region_code,
        category_l1=data.category_l1,
        category_l2=data.category_l2,
        category_l3=data.category_l3,
        subject=data.subject,
        description=data.description,
        line_number=data.line_number,
        desk_code=data.desk_code,
        oversight=bool(desk and desk.oversight),
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    session.add(
        OrderHistory(
            order_id=order.id,
            at=now,
            actor_id=actor.id,
            action="accept",
            from_state=None,
            to_state=order.state,
            comment=None,
            data={"channel": channel.value},
        )
    )
    emit_order_event(session=session, order=order, type="order.created")
    if notifier is not None and order.caller_phone:
        text = (
            f"【12345】您的诉求已受理，工单编号 {order.number}，查询码 {order.lookup_code}。"
            "可拨打 12345 报工单编号和查询码查询办理进度。"
        )
        target = order.caller_phone
        after_commit(session, lambda: notifier.send_sms(target, text))
    return order


def get_visible(*, session: Session, principal: Principal, order_id: int) -> WorkOrder:
    order = session.scalar(select(WorkOrder).where(WorkOrder.id == order_id, visible_clause(principal)))
    if order is None:
        # The same answer for "absent" and "not yours", so scope does not leak existence.
        raise NotFound(f"工单 {order_id} 不存在或无权查看")
    return order


def search_orders(
    *,
    session: Session,
    principal: Principal,
    number: str | None = None,
    phone: str | None = None,
    q: str | None = None,
    state: str | None = None,
    ids: Sequence[int] | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[Sequence[WorkOrder], int]:
    stmt = select(WorkOrder).where(visible_clause(principal))
    if ids is not None:
        stmt = stmt.where(WorkOrder.id.in_(list(ids)))
    if number:
        stmt = stmt.where(WorkOrder.number == number.strip().upper())
    if phone:
        stmt = stmt.where(WorkOrder.caller_phone == normalise_phone(phone))
    if state:
        stmt = stmt.where(WorkOrder.state == state)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                WorkOrder.subject.like(like),
                WorkOrder.description.like(like),
                WorkOrder.incident_address.like(like),
                WorkOrder.number.like(like),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return rows, total


class StaleVersion(Exception):
    def __init__(self, order: WorkOrder) -> None:
        super().__init__(f"工单已被他人修改（当前版本 {order.version}），请刷新后重试")
        self.order = order


def update_order(*, session: Session, order: WorkOrder, data: OrderUpdate, actor: Principal) -> WorkOrder:
    if data.version != order.version:
        raise StaleVersion(order)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "region_code" in changes and changes["region_code"] and session.get(Region, changes["region_code"]) is None:
        raise InvalidReference(f"未知的区域编码 region_code={changes['region_code']!r}")
    for key, value in changes.items():
        setattr(order, key, value.value if hasattr(value, "value") else value)
    session.add(
        OrderHistory(
            order_id=order.id,
            actor_id=actor.id,
            action="edit",
            from_state=order.state,
            to_state=order.state,
            data={"fields": sorted(changes)},
        )
    )
    session.flush()
    emit_order_event(session=session, order=order, type="order.updated")
    return order


def unmask(*, session: Session, order: WorkOrder, actor: Principal, reason: str | None) -> Identity:
    audit.record(
        session=session,
        actor_id=actor.id,
        action="unmask",
        target_type="work_order",
        target_id=order.id,
        detail={"number": order.number, "reason": reason or ""},
    )
    return Identity(
        caller_name=order.caller_name,
        caller_phone=order.caller_phone,
        caller_address=order.caller_address,
        description=order.description,
    )


def history(*, session: Session, order_id: int) -> Sequence[OrderHistory]:
    return session.scalars(
        select(OrderHistory).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id)
    ).all()


def get_draft(*, session: Session, user_id: int) -> IntakeDraft | None:
    return session.get(IntakeDraft, user_id)


def save_draft(*, session: Session, user_id: int, data: dict[str, object]) -> IntakeDraft:
    draft = session.get(IntakeDraft, user_id)
    if draft is None:
        draft = IntakeDraft(user_id=user_id, data=data, updated_at=utcnow())
        session.add(draft)
    else:
        draft.data = data
        draft.updated_at = utcnow()
    session.flush()
    return draft


def delete_draft(*, session: Session, user_id: int) -> None:
    draft = session.get(IntakeDraft, user_id)
    if draft is not None:
        session.delete(draft)
