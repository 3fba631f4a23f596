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


# Steps recorded in the history outside the transition table (intake edits, side steps of the lifecycle).
SIDE_STEP_LABELS = {
    "edit": "修改工单",
    "attach": "上传附件",
    "rate": "直办评价（一次一评）",
    "consult_opinion": "协商意见",
    "supervision_reply": "督办回复",
}


def action_label(action: str) -> str:
    """The Chinese name of a recorded step; never the raw key, which users cannot read."""
    if action in SIDE_STEP_LABELS:
        return SIDE_STEP_LABELS[action]
    try:
        return _transition_label(action)
    except UnknownAction:
        return "其他操作"
