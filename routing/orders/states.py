"""Bridge to the lifecycle state machine: the initial state and Chinese labels of states."""

from __future__ import annotations

PENDING_DISPATCH = "pending_dispatch"

_FALLBACK = {PENDING_DISPATCH: "待分办"}


def label_of(state: str) -> str:
    try:
        from routing.lifecycle.states import OrderState
    except ImportError:  # the lifecycle package is optional until it lands
        return _FALLBACK.get(state, state)
    try:
        return OrderState(state).label
    except ValueError:
        return _FALLBACK.get(state, state)


def all_states() -> list[tuple[str, str]]:
    try:
        from routing.lifecycle.states import OrderState
    except ImportError:
        return list(_FALLBACK.items())
    return [(s.value, s.label) for s in OrderState]


def action_label(action: str) -> str:
    try:
        from routing.lifecycle.transitions import ACTION_LABELS
    except ImportError:
        return action
    return str(ACTION_LABELS.get(action, action))
