"""Turning stored orders into what a given viewer may see (masking applied here, once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotline.org.models import Region, Workstation
from hotline.users.models import User
from routing.orders.enums import Channel, RequestType, Urgency
from routing.orders.masking import mask_address, mask_name, mask_phone, mask_text
from routing.orders.models import WorkOrder
from routing.orders.schemas import AttachmentOut, OrderOut, UnitRef


def state_label(state: str) -> str:
    from routing.orders.states import label_of

    return label_of(state)


def masked_fields(order: WorkOrder) -> dict[str, Any]:
    names = (order.caller_name,)
    return {
        "caller_name": mask_name(order.caller_name),
        "caller_phone": mask_phone(order.caller_phone),
        "caller_address": mask_address(order.caller_address),
        "subject": mask_text(order.subject, names=names) or "",
        "description": mask_text(order.description, names=names) or "",
    }


def to_out(order: WorkOrder, *, session: Session, reveal: bool = False) -> OrderOut:
    masked = order.confidential and not reveal
    ident: dict[str, Any] = {
        "caller_name": order.caller_name,
        "caller_phone": order.caller_phone,
        "caller_address": order.caller_address,
        "subject": order.subject,
        "description": order.description,
    }
    if masked:
        ident = masked_fields(order)
    region = session.get(Region, order.region_code) if order.region_code else None
    lead = session.get(Workstation, order.lead_unit_id) if order.lead_unit_id else None
    # session.get, like region and lead above, answers repeats from the identity map: a page of orders
    # by a few agents costs a few lookups, not one query per row.
    creator_user = session.get(User, order.created_by_id) if order.created_by_id else None
    creator = creator_user.display_name if creator_user else None
    return OrderOut(
        id=order.id,
        number=order.number,
        state=order.state,
        state_label=state_label(order.state),
        channel=order.channel,
        channel_label=Channel(order.channel).label,
        request_type=order.request_type,
        request_type_label=RequestType(order.request_type).label,
        urgency=order.urgency,
        urgency_label=Urgency(order.urgency).label,
        incident_address=order.incident_address,
        region_code=order.region_code,
        region_name=region.name if region else None,
        category_l1=order.category_l1,
        category_l2=order.category_l2,
        category_l3=order.category_l3,
        confidential=order.confidential,
        anonymous=order.anonymous,
        masked=masked,
        created_at=order.created_at,
        updated_at=order.updated_at,
        version=order.version,
        created_by_name=creator,
        lead_unit=UnitRef(id=lead.id, name=lead.name) if lead else None,
        attachments=[
            AttachmentOut(
                id=a.id, filename=a.filename, size=a.size, content_type=a.content_type, uploaded_at=a.uploaded_at
            )
            for a in order.attachments
        ],
        **ident,
    )


def event_payload(order: WorkOrder) -> dict[str, Any]:
    """Event payloads never carry identity, and text is masked for confidential orders, because
    events are stored once and fanned out to many viewers."""
    subject = masked_fields(order)["subject"] if order.confidential else order.subject
    return {
        "order_id": order.id,
        "number": order.number,
        "state": order.state,
        "state_label": state_label(order.state),
        "subject": subject,
        "request_type": order.request_type,
        "urgency": order.urgency,
        "region_code": order.region_code,
        "confidential": order.confidential,
        "version": order.version,
    }
