"""The work-order states, each with the Chinese label the console shows.

Only facts that decide *who must act next* are states. The rest are side records on the order, so
they can overlap with any state without multiplying it:

- extension (延期): the unit keeps handling while its request waits for review, and only an approved
  one changes anything (the deadline). A state "extension requested" would block replying meanwhile,
  and would have to remember which of handling / delegated / tier-2 review to return to.
- supervision (督办) and reminders (催办): they are laid over an open order at any step.
- escalation (提级办理): an order past its reopen limit goes back to the dispatcher queue to be sent
  to a higher-level unit; the flag and the supervision order record the escalation.
- assisting opinions (协办意见), follow-up attempts, reopen count, assessment exclusion (考核剔除),
  repeat-request links: counters and records; the transitions that read them are guarded.

These side steps are still actions in the transition table (with no state change), so every one is
recorded and emitted like a transition.
"""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    pending_dispatch = "pending_dispatch"
    resolved_directly = "resolved_directly"
    declined = "declined"
    withdrawn = "withdrawn"
    consulting = "consulting"
    pending_sign = "pending_sign"
    handling = "handling"
    delegated = "delegated"
    tier2_review = "tier2_review"
    return_review = "return_review"
    pending_review = "pending_review"
    follow_up = "follow_up"
    verifying = "verifying"
    closed = "closed"
    merged = "merged"
    archived = "archived"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Still inside the handling flow (deadlines and cards apply)."""
        return self in OPEN_STATES

    @property
    def is_final(self) -> bool:
        """Finished: nothing can happen but archiving (or nothing at all, once archived). A merged
        order is neither open nor final: it waits on its parent and can be split back out."""
        return self in FINAL_STATES


STATE_LABELS: dict[OrderState, str] = {
    OrderState.pending_dispatch: "待分办",
    OrderState.resolved_directly: "已直办",
    OrderState.declined: "不予受理",
    OrderState.withdrawn: "已撤单",
    OrderState.consulting: "协商定责中",
    OrderState.pending_sign: "待签收",
    OrderState.handling: "办理中",
    OrderState.delegated: "已下派",
    OrderState.tier2_review: "待二级审核",
    OrderState.return_review: "退单待审核",
    OrderState.pending_review: "待审核",
    OrderState.follow_up: "待回访",
    OrderState.verifying: "核实中",
    OrderState.closed: "已办结",
    OrderState.merged: "已并单",
    OrderState.archived: "已归档",
}

# States in which a unit holds the order and the reply deadline runs.
UNIT_STATES = frozenset({OrderState.pending_sign, OrderState.handling, OrderState.delegated, OrderState.tier2_review})
OPEN_STATES = UNIT_STATES | {
    OrderState.pending_dispatch,
    OrderState.consulting,
    OrderState.return_review,
    OrderState.pending_review,
    OrderState.follow_up,
    OrderState.verifying,
}
FINAL_STATES = frozenset(
    {
        OrderState.resolved_directly,
        OrderState.declined,
        OrderState.withdrawn,
        OrderState.closed,
        OrderState.archived,
    }
)
