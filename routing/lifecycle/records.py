"""The record of one step (who, when, from, to, comment, attachments) and its event-stream form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from routing.lifecycle.states import OrderState
from routing.lifecycle.transitions import TRANSITIONS, Actor

EVENT_TYPE = "order.transition"


@dataclass(frozen=True, slots=True)
class TransitionRecord:
    order_id: int
    action: str
    from_state: OrderState | None
    to_state: OrderState
    actor: Actor
    at: datetime
    user_id: int | None = None
    workstation_id: int | None = None
    comment: str | None = None
    attachment_ids: tuple[int, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)  # reason, new deadline, verdict, units …

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError(f"naive datetime {self.at!r} given for {self.action}; use an aware UTC datetime")
        if self.action not in TRANSITIONS:
            raise ValueError(f"unknown action {self.action!r}")

    def event_payload(self) -> dict[str, Any]:
        """JSON-ready payload for ``hotline.events.emit(session, EVENT_TYPE, payload, …)``."""
        return {
            "order_id": self.order_id,
            "action": self.action,
            "action_label": TRANSITIONS[self.action].label,
            "from_state": None if self.from_state is None else self.from_state.value,
            "from_label": None if self.from_state is None else self.from_state.label,
            "to_state": self.to_state.value,
            "to_label": self.to_state.label,
            "actor": self.actor.value,
            "user_id": self.user_id,
            "workstation_id": self.workstation_id,
            "at": self.at.isoformat(),
            "comment": self.comment,
            "attachment_ids": list(self.attachment_ids),
            "data": self.data,
        }
