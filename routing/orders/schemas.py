from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from routing.orders.enums import Channel, HandoffTarget, RequestType, Urgency

Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9\- ]{4,19}$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderCreate(Strict):
    channel: Channel
    request_type: RequestType
    urgency: Urgency = Urgency.normal
    caller_name: Short | None = None
    caller_phone: Phone | None = None
    caller_address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=256)] | None = None
    incident_address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=256)]
    region_code: Annotated[str, StringConstraints(max_length=8)] | None = None
    category_l1: Short | None = None
    category_l2: Short | None = None
    category_l3: Short | None = None
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    confidential: bool = False
    anonymous: bool = False
    line_number: Annotated[str, StringConstraints(max_length=16)] | None = None
    desk_code: Annotated[str, StringConstraints(max_length=32)] | None = None

    @model_validator(mode="after")
    def _identity_rules(self) -> OrderCreate:
        given = [f for f in ("caller_name", "caller_phone", "caller_address") if getattr(self, f)]
        if self.anonymous and given:
            raise ValueError(f"匿名来电不登记来电人信息，请清空: {', '.join(given)}")
        if self.anonymous and self.confidential:
            raise ValueError("匿名与保密不能同时选择")
        if self.category_l2 and not self.category_l1 or self.category_l3 and not self.category_l2:
            raise ValueError("分类须从一级开始逐级选择")
        return self


class Labelled(BaseModel):
    value: str
    label: str


class UnitRef(BaseModel):
    id: int
    name: str


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size: int
    content_type: str
    uploaded_at: datetime


class OrderOut(BaseModel):
    id: int
    number: str
    state: str
    state_label: str
    channel: str
    channel_label: str
    request_type: str
    request_type_label: str
    urgency: str
    urgency_label: str
    caller_name: str | None
    caller_phone: str | None
    caller_address: str | None
    incident_address: str
    region_code: str | None
    region_name: str | None
    category_l1: str | None
    category_l2: str | None
    category_l3: str | None
    subject: str
    description: str
    confidential: bool
    anonymous: bool
    masked: bool
    created_at: datetime
    updated_at: datetime
    version: int
    created_by_name: str | None
    lead_unit: UnitRef | None
    attachments: list[AttachmentOut]


class OrderPage(BaseModel):
    items: list[OrderOut]
    total: int
    page: int
    page_size: int


class Identity(BaseModel):
    caller_name: str | None
    caller_phone: str | None
    caller_address: str | None
    description: str


class HistoryOut(BaseModel):
    at: datetime
    actor_name: str | None
    action: str
    action_label: str
    from_state: str | None
    to_state: str | None
    comment: str | None
    data: dict[str, Any]


class OrderUpdate(Strict):
    """Edits allowed while the order waits for dispatch; ``version`` is the one the editor saw."""

    version: int
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)] | None = None
    incident_address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=256)] | None = (
        None
    )
    region_code: Annotated[str, StringConstraints(max_length=8)] | None = None
    category_l1: Short | None = None
    category_l2: Short | None = None
    category_l3: Short | None = None
    urgency: Urgency | None = None
    request_type: RequestType | None = None


class DraftIn(Strict):
    data: dict[str, Any] = Field(description="The intake form as the console holds it")


class DraftOut(BaseModel):
    data: dict[str, Any] | None
    updated_at: datetime | None


class InvalidCallIn(Strict):
    caller_phone: Phone | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class HandoffIn(Strict):
    caller_phone: Phone | None = None
    target: HandoffTarget
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class CallLogOut(BaseModel):
    id: int
    kind: str
    caller_phone: str | None
    reason: str | None
    target: str | None
    target_label: str | None
    desk_code: str | None = None
    summary: str | None
    agent_name: str | None
    at: datetime


class HarassmentIn(Strict):
    phone: Phone
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    expires_at: datetime


class HarassmentOut(BaseModel):
    id: int
    phone: str
    reason: str
    expires_at: datetime
    created_at: datetime


class IncomingCallIn(Strict):
    caller_phone: Phone


class IncomingCallOut(BaseModel):
    caller_phone: str
    orders: list[OrderOut]
    repeat_count: int
    satisfaction_history: list[dict[str, Any]]
    confidential: bool
    harassment: HarassmentOut | None


class PublicStatus(BaseModel):
    number: str
    state_label: str
    accepted_at: datetime
    updated_at: datetime


class TransferIn(Strict):
    caller_phone: Phone | None = None
    desk_code: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
