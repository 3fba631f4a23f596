"""The order states as intake and views use them: the initial state and Chinese labels."""

from __future__ import annotations

from routing.lifecycle.states import OrderState
from routing.lifecycle.transitions import UnknownAction
from routing.lifecycle.transitions import action_label as _transition_label

PENDING_DISPATCH = OrderState.pending_dispatch.value


def label_of(state: str) -> str:
    return OrderState(state).label


def all_states() -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in OrderState]


def action_label(action: str) -> str:
    try:
        return _transition_label(action)
    except UnknownAction:
        return action
