"""The one declarative transition table, and ``apply`` that enforces it.

Each action names the states it may start from, the state it leads to (``None``: the state is kept —
a side record such as an extension request or a reminder, still recorded and emitted), who may take
it, and an optional guard over the order's counters and windows. ``None`` as a from-state is intake:
the agent's decision on the call (受理 into the dispatcher queue, 直办, 不予受理, 撤单).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from routing.lifecycle.rules import LifecycleRules, OrderFacts
from routing.lifecycle.states import OrderState as S


class Actor(StrEnum):
    """Who takes a step. Roles map onto these: workstation staff act as the lead, assisting or
    tier-3 unit depending on their assignment to the order."""

    agent = "agent"
    dispatcher = "dispatcher"
    reviewer = "reviewer"
    lead_unit = "lead_unit"
    assisting_unit = "assisting_unit"
    tier3_unit = "tier3_unit"
    follow_up_agent = "follow_up_agent"
    supervisor = "supervisor"
    system = "system"

    @property
    def label(self) -> str:
        return ACTOR_LABELS[self]


ACTOR_LABELS = {
    Actor.agent: "话务员",
    Actor.dispatcher: "分办员",
    Actor.reviewer: "中心审核员",
    Actor.lead_unit: "主办单位",
    Actor.assisting_unit: "协办单位",
    Actor.tier3_unit: "三级工作站",
    Actor.follow_up_agent: "回访员",
    Actor.supervisor: "监督员",
    Actor.system: "系统",
}


class TransitionError(Exception):
    """Base of every refusal; ``status_code`` is the HTTP status the API answers with."""

    status_code = 409
    code = "transition_error"

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = {"error": self.code, "message": message, **detail}


class UnknownAction(TransitionError):
    status_code = 422
    code = "unknown_action"


class InvalidTransition(TransitionError):
    code = "invalid_transition"


class ActorNotAllowed(TransitionError):
    status_code = 403
    code = "actor_not_allowed"


class RuleViolation(TransitionError):
    """A guard refused: the action fits the state but the order's counters or windows forbid it."""

    def __init__(self, code: str, message: str, *, status_code: int = 409, **detail: object) -> None:
        self.code = code
        self.status_code = status_code
        super().__init__(message, **detail)


Guard = Callable[[OrderFacts, LifecycleRules], None]


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    label: str
    sources: frozenset[S | None]
    target: S | None
    actors: frozenset[Actor]
    guard: Guard | None = None


# ---- guards ---------------------------------------------------------------------------------------
def _tier3_allowed(f: OrderFacts, r: LifecycleRules) -> None:
    if not f.tier3_allowed:
        raise RuleViolation(
            "tier3_not_allowed",
            "该派单目录事项由职能部门办理，不能下派三级工作站",
            status_code=422,
        )


def _within_return_window(f: OrderFacts, r: LifecycleRules) -> None:
    if f.return_deadline is None or f.now is None:
        return
    if f.now > f.return_deadline:
        raise RuleViolation(
            "return_window_closed",
            f"退单时限已过（截至 {f.return_deadline.isoformat()}，现在 {f.now.isoformat()}），不能退单",
            return_deadline=f.return_deadline.isoformat(),
        )


def _follow_up_due(f: OrderFacts, r: LifecycleRules) -> None:
    if not f.follow_up_due:
        raise RuleViolation("follow_up_not_due", "匿名工单无需回访，请使用「审核通过（免回访）」(approve_and_close)")


def _follow_up_not_due(f: OrderFacts, r: LifecycleRules) -> None:
    if f.follow_up_due:
        raise RuleViolation("follow_up_due", "该工单须回访，请使用「审核通过」(approve)")


def _attempts_left(f: OrderFacts, r: LifecycleRules) -> None:
    if f.follow_up_attempts >= r.max_follow_up_attempts:
        raise RuleViolation(
            "follow_up_attempts_used",
            f"已回访未接通 {f.follow_up_attempts} 次（上限 {r.max_follow_up_attempts} 次），请记为回访失败",
        )


def _attempts_used(f: OrderFacts, r: LifecycleRules) -> None:
    if f.follow_up_attempts < r.max_follow_up_attempts:
        raise RuleViolation(
            "follow_up_attempts_left",
            f"回访未接通 {f.follow_up_attempts} 次，须满 {r.max_follow_up_attempts} 次方可记为回访失败",
        )


def _reopens_left(f: OrderFacts, r: LifecycleRules) -> None:
    if f.reopen_count >= r.max_reopens:
        raise RuleViolation(
            "reopen_limit_reached",
            f"已重办 {f.reopen_count} 次（上限 {r.max_reopens} 次），请提级办理 (escalate)",
        )


def _reopens_used(f: OrderFacts, r: LifecycleRules) -> None:
    if f.reopen_count < r.max_reopens:
        raise RuleViolation(
            "reopen_limit_not_reached",
            f"已重办 {f.reopen_count} 次，未达 {r.max_reopens} 次，请先重办 (reopen)",
        )


# ---- the table --------------------------------------------------------------------------------------
_UNIT = frozenset({S.pending_sign, S.handling, S.delegated, S.tier2_review})
_WORKING = frozenset({S.handling, S.delegated, S.tier2_review})
_OPEN = _UNIT | {
    S.pending_dispatch,
    S.consulting,
    S.return_review,
    S.pending_review,
    S.follow_up,
    S.verifying,
}
_WITHDRAWABLE = _UNIT | {None, S.pending_dispatch, S.consulting, S.return_review, S.pending_review}
A = Actor


def _t(
    action: str,
    label: str,
    sources: set[S | None] | frozenset[S | None],
    target: S | None,
    actors: set[Actor],
    guard: Guard | None = None,
) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(actors), guard)


# fmt: off
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # intake
        _t("accept", "受理", {None}, S.pending_dispatch, {A.agent, A.dispatcher}),
        _t("resolve_directly", "直办", {None, S.pending_dispatch}, S.resolved_directly,
           {A.agent, A.dispatcher}),
        _t("decline", "不予受理", {None, S.pending_dispatch}, S.declined, {A.agent, A.dispatcher}),
        _t("withdraw", "撤单", _WITHDRAWABLE, S.withdrawn, {A.agent, A.dispatcher}),
        # dispatch
        _t("consult", "协商定责", {S.pending_dispatch, S.return_review}, S.consulting, {A.dispatcher}),
        _t("dispatch", "派单", {S.pending_dispatch, S.consulting}, S.pending_sign,
           {A.agent, A.dispatcher}),
        _t("merge", "并单", {S.pending_dispatch, S.consulting, S.pending_sign, S.handling}, S.merged,
           {A.dispatcher}),
        _t("split", "拆单", {S.merged}, S.pending_dispatch, {A.dispatcher, A.system}),
        _t("close_with_parent", "随主单办结", {S.merged}, S.closed, {A.system}),
        # the unit
        _t("sign", "签收", {S.pending_sign}, S.handling, {A.lead_unit}),
        _t("return", "退单", {S.pending_sign, S.handling}, S.return_review, {A.lead_unit},
           _within_return_window),
        _t("reassign", "改派", {S.return_review}, S.pending_sign, {A.reviewer, A.dispatcher}),
        _t("keep_dispatch", "维持原派", {S.return_review}, S.handling, {A.reviewer, A.dispatcher}),
        _t("delegate", "下派", {S.handling}, S.delegated, {A.lead_unit}, _tier3_allowed),
        _t("recall", "收回", {S.delegated}, S.handling, {A.lead_unit}),
        _t("tier3_reply", "三级答复", {S.delegated}, S.tier2_review, {A.tier3_unit}),
        _t("tier2_approve", "二级审核通过", {S.tier2_review}, S.pending_review, {A.lead_unit}),
        _t("tier2_send_back", "二级退回", {S.tier2_review}, S.delegated, {A.lead_unit}),
        _t("reply", "答复", {S.handling}, S.pending_review, {A.lead_unit}),
        # centre review
        _t("approve", "审核通过", {S.pending_review}, S.follow_up, {A.reviewer}, _follow_up_due),
        _t("approve_and_close", "审核通过（免回访）", {S.pending_review}, S.closed, {A.reviewer},
           _follow_up_not_due),
        _t("send_back", "审核退回", {S.pending_review}, S.handling, {A.reviewer}),
        # follow-up and verification
        _t("follow_up_satisfied", "回访满意", {S.follow_up}, S.closed, {A.follow_up_agent}),
        _t("follow_up_mostly_satisfied", "回访基本满意", {S.follow_up}, S.closed, {A.follow_up_agent}),
        _t("follow_up_dissatisfied", "回访不满意", {S.follow_up}, S.verifying, {A.follow_up_agent}),
        _t("follow_up_unreached", "回访未接通", {S.follow_up}, None, {A.follow_up_agent}, _attempts_left),
        _t("follow_up_failed", "回访失败", {S.follow_up}, S.closed, {A.follow_up_agent, A.system},
           _attempts_used),
        _t("reopen", "重办", {S.verifying}, S.handling, {A.reviewer}, _reopens_left),
        _t("escalate", "提级办理", {S.verifying}, S.pending_dispatch, {A.reviewer}, _reopens_used),
        _t("exclude", "考核剔除", {S.verifying}, S.closed, {A.reviewer}),
        _t("archive", "归档", {S.closed, S.resolved_directly, S.declined, S.withdrawn}, S.archived,
           {A.system, A.dispatcher}),
        # side records: the state is kept
        _t("assist_opinion", "协办意见", _UNIT, None, {A.assisting_unit}),
        _t("request_extension", "申请延期", _WORKING, None, {A.lead_unit}),
        _t("approve_extension", "批准延期", _WORKING, None, {A.reviewer}),
        _t("reject_extension", "驳回延期", _WORKING, None, {A.reviewer}),
        _t("remind", "催办", _UNIT, None, {A.dispatcher, A.supervisor}),
        _t("supervise", "督办", _OPEN, None, {A.supervisor}),
        _t("link_repeat", "关联重复诉求", _OPEN, None, {A.agent, A.dispatcher}),
    )
}
# fmt: on


def action_label(action: str) -> str:
    return _get(action).label


def _get(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise UnknownAction(f"未知操作 {action!r}；可用操作：{', '.join(TRANSITIONS)}", action=action) from None


def _state(state: S | str | None) -> S | None:
    return None if state is None else S(state)


def allowed_actions(state: S | str | None, *, actor: Actor | str | None = None) -> list[str]:
    """Actions that may start from ``state`` (``None``: intake), optionally only ``actor``'s, in
    table order. Guards are not consulted: a guarded action is listed and refused with its reason."""
    st = _state(state)
    who = None if actor is None else Actor(actor)
    return [t.action for t in TRANSITIONS.values() if st in t.sources and (who is None or who in t.actors)]


def _describe(state: S | None) -> str:
    return "尚未受理 (intake)" if state is None else f"「{state.label}」({state.value})"


def _list(actions: list[str]) -> str:
    return "、".join(f"{TRANSITIONS[a].label} ({a})" for a in actions) or "无"


def apply(
    state: S | str | None,
    action: str,
    *,
    actor: Actor | str | None = None,
    facts: OrderFacts | None = None,
    rules: LifecycleRules | None = None,
) -> S:
    """The state after ``action``, or a ``TransitionError`` saying why not.

    ``actor`` None skips the actor check (for callers that have already done it, and tests of the
    graph); guards always run, on ``OrderFacts()`` defaults when no facts are given.
    """
    t = _get(action)
    st = _state(state)
    if st not in t.sources:
        allowed = allowed_actions(st)
        raise InvalidTransition(
            f"当前状态为{_describe(st)}，不能执行「{t.label}」({action})；可执行的操作：{_list(allowed)}",
            state=None if st is None else st.value,
            state_label=None if st is None else st.label,
            action=action,
            allowed=allowed,
        )
    if actor is not None and Actor(actor) not in t.actors:
        who = Actor(actor)
        permitted = sorted(t.actors, key=list(Actor).index)
        raise ActorNotAllowed(
            f"{who.label} ({who.value}) 不能执行「{t.label}」({action})；"
            f"可执行者：{'、'.join(f'{a.label} ({a.value})' for a in permitted)}",
            actor=who.value,
            action=action,
            allowed_actors=[a.value for a in permitted],
        )
    if t.guard is not None:
        t.guard(facts or OrderFacts(), rules or LifecycleRules())
    if t.target is None:
        assert st is not None, f"side action {action!r} cannot start at intake"
        return st
    return t.target
