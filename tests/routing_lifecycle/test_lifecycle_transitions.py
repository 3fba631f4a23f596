import json
import re
from collections import deque
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.deadlines.calendar_data import calendar_file, calendar_from_file
from routing.lifecycle import (
    DEFAULT_REVIEW_REASONS,
    TRANSITIONS,
    Actor,
    ActorNotAllowed,
    InvalidTransition,
    LifecycleRules,
    OrderFacts,
    OrderState,
    RuleViolation,
    UnknownAction,
    allowed_actions,
    apply,
    check_reason,
)
from routing.lifecycle.records import EVENT_TYPE, TransitionRecord
from routing.lifecycle.rules import InvalidReason, return_deadline
from routing.lifecycle.states import FINAL_STATES, OPEN_STATES

S = OrderState
SH = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"^[\u4e00-\u9fff（）]+$")


# ---- states -----------------------------------------------------------------------------------------
def test_every_state_has_a_distinct_chinese_label() -> None:
    labels = [s.label for s in S]
    assert len(set(labels)) == len(labels)
    assert all(CJK.match(label) for label in labels), labels
    assert S.pending_dispatch.label == "待分办"


def test_open_final_and_merged_partition_the_states() -> None:
    assert not OPEN_STATES & FINAL_STATES
    assert set(S) - OPEN_STATES - FINAL_STATES == {S.merged}
    assert S.handling.is_open and not S.handling.is_final
    assert S.closed.is_final and not S.merged.is_final and not S.merged.is_open


# ---- table integrity --------------------------------------------------------------------------------
def test_every_action_has_a_chinese_label_and_actors() -> None:
    for t in TRANSITIONS.values():
        assert CJK.match(t.label), t.action
        assert t.actors, t.action
        assert t.sources, t.action
        if t.target is None:
            assert None not in t.sources, f"side action {t.action} cannot start at intake"


def test_every_state_is_reachable_from_intake_and_only_archived_is_a_dead_end() -> None:
    seen: set[S] = set()
    queue: deque[S | None] = deque([None])
    while queue:
        st = queue.popleft()
        for action in allowed_actions(st):
            nxt = TRANSITIONS[action].target or st
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    assert seen == set(S)
    dead_ends = {s for s in S if not allowed_actions(s)}
    assert dead_ends == {S.archived}


def test_every_open_state_can_still_reach_closed() -> None:
    for start in OPEN_STATES:
        seen, queue = {start}, deque([start])
        while queue:
            st = queue.popleft()
            for action in allowed_actions(st):
                nxt = TRANSITIONS[action].target or st
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        assert S.closed in seen or S.withdrawn in seen, start


# ---- happy paths --------------------------------------------------------------------------------------
def run(steps: list[tuple[str, Actor]], *, start: S | None = None, facts: OrderFacts | None = None) -> S | None:
    st = start
    for action, actor in steps:
        st = apply(st, action, actor=actor, facts=facts)
    return st


def test_ordinary_path_to_archive() -> None:
    assert (
        run(
            [
                ("accept", Actor.agent),
                ("dispatch", Actor.dispatcher),
                ("sign", Actor.lead_unit),
                ("assist_opinion", Actor.assisting_unit),
                ("reply", Actor.lead_unit),
                ("approve", Actor.reviewer),
                ("follow_up_mostly_satisfied", Actor.follow_up_agent),
                ("archive", Actor.system),
            ]
        )
        == S.archived
    )


def test_intake_outcomes() -> None:
    assert apply(None, "accept") == S.pending_dispatch
    assert apply(None, "resolve_directly", actor=Actor.agent) == S.resolved_directly
    assert apply(None, "decline", actor=Actor.agent) == S.declined
    assert apply(None, "withdraw", actor=Actor.agent) == S.withdrawn
    assert apply(S.pending_dispatch, "decline", actor=Actor.dispatcher) == S.declined


def test_consultation_then_dispatch() -> None:
    assert run([("consult", Actor.dispatcher), ("dispatch", Actor.dispatcher)], start=S.pending_dispatch) == (
        S.pending_sign
    )


def test_delegation_with_tier2_review() -> None:
    assert (
        run(
            [
                ("delegate", Actor.lead_unit),
                ("tier3_reply", Actor.tier3_unit),
                ("tier2_send_back", Actor.lead_unit),
                ("tier3_reply", Actor.tier3_unit),
                ("tier2_approve", Actor.lead_unit),
            ],
            start=S.handling,
        )
        == S.pending_review
    )
    assert apply(S.delegated, "recall", actor=Actor.lead_unit) == S.handling


def test_return_then_reassign_or_keep() -> None:
    assert apply(S.pending_sign, "return", actor=Actor.lead_unit) == S.return_review
    assert apply(S.return_review, "reassign", actor=Actor.reviewer) == S.pending_sign
    assert apply(S.return_review, "keep_dispatch", actor=Actor.dispatcher) == S.handling
    assert apply(S.return_review, "consult", actor=Actor.dispatcher) == S.consulting


def test_send_back_returns_to_the_unit() -> None:
    assert apply(S.pending_review, "send_back", actor=Actor.reviewer) == S.handling


def test_dissatisfied_reopen_twice_then_escalate() -> None:
    st = apply(S.follow_up, "follow_up_dissatisfied", actor=Actor.follow_up_agent)
    assert st == S.verifying
    for count in (0, 1):
        assert apply(st, "reopen", actor=Actor.reviewer, facts=OrderFacts(reopen_count=count)) == S.handling
    with pytest.raises(RuleViolation, match="已重办 2 次（上限 2 次），请提级办理") as exc:
        apply(st, "reopen", facts=OrderFacts(reopen_count=2))
    assert exc.value.code == "reopen_limit_reached"
    assert apply(st, "escalate", actor=Actor.reviewer, facts=OrderFacts(reopen_count=2)) == S.pending_dispatch
    with pytest.raises(RuleViolation, match="已重办 1 次，未达 2 次"):
        apply(st, "escalate", facts=OrderFacts(reopen_count=1))


def test_unreasonable_verdict_closes_with_exclusion() -> None:
    assert apply(S.verifying, "exclude", actor=Actor.reviewer) == S.closed


def test_configured_reopen_limit() -> None:
    rules = LifecycleRules(max_reopens=1)
    with pytest.raises(RuleViolation, match="上限 1 次"):
        apply(S.verifying, "reopen", facts=OrderFacts(reopen_count=1), rules=rules)


def test_follow_up_three_attempts_then_failed() -> None:
    for attempts in range(3):
        facts = OrderFacts(follow_up_attempts=attempts)
        assert apply(S.follow_up, "follow_up_unreached", actor=Actor.follow_up_agent, facts=facts) == S.follow_up
        with pytest.raises(RuleViolation, match=f"回访未接通 {attempts} 次，须满 3 次") as exc:
            apply(S.follow_up, "follow_up_failed", facts=facts)
        assert exc.value.code == "follow_up_attempts_left"
    done = OrderFacts(follow_up_attempts=3)
    with pytest.raises(RuleViolation, match="已回访未接通 3 次（上限 3 次）"):
        apply(S.follow_up, "follow_up_unreached", facts=done)
    assert apply(S.follow_up, "follow_up_failed", actor=Actor.system, facts=done) == S.closed


def test_anonymous_orders_skip_follow_up() -> None:
    anon = OrderFacts(follow_up_due=False)
    assert apply(S.pending_review, "approve_and_close", actor=Actor.reviewer, facts=anon) == S.closed
    with pytest.raises(RuleViolation, match="匿名工单无需回访") as exc:
        apply(S.pending_review, "approve", facts=anon)
    assert exc.value.code == "follow_up_not_due"
    with pytest.raises(RuleViolation, match="该工单须回访"):
        apply(S.pending_review, "approve_and_close", facts=OrderFacts())


def test_functional_department_entries_cannot_be_delegated() -> None:
    with pytest.raises(RuleViolation, match="职能部门办理，不能下派三级工作站") as exc:
        apply(S.handling, "delegate", actor=Actor.lead_unit, facts=OrderFacts(tier3_allowed=False))
    assert exc.value.status_code == 422
    assert exc.value.detail["error"] == "tier3_not_allowed"


def test_return_window() -> None:
    cal = calendar_from_file(calendar_file(2026))
    dispatched = datetime(2026, 9, 30, 16, 0, tzinfo=SH)
    until = return_deadline(dispatched, calendar=cal, rules=LifecycleRules())
    assert until == datetime(2026, 10, 8, 16, 0, tzinfo=SH)  # one working day, over National Day
    inside = OrderFacts(return_deadline=until, now=datetime(2026, 10, 8, 7, 0, tzinfo=UTC))  # 15:00 local
    assert apply(S.handling, "return", facts=inside) == S.return_review
    late = OrderFacts(return_deadline=until, now=until + timedelta(minutes=1))
    with pytest.raises(RuleViolation, match="退单时限已过（截至 2026-10-08T16:00:00\\+08:00") as exc:
        apply(S.handling, "return", facts=late)
    assert exc.value.detail["return_deadline"] == "2026-10-08T16:00:00+08:00"


def test_side_actions_keep_the_state() -> None:
    for action in ("request_extension", "approve_extension", "reject_extension", "remind", "assist_opinion"):
        for st in (S.handling, S.delegated, S.tier2_review):
            assert apply(st, action) == st
    assert apply(S.follow_up, "supervise", actor=Actor.supervisor) == S.follow_up
    assert apply(S.pending_dispatch, "link_repeat", actor=Actor.agent) == S.pending_dispatch


def test_merge_and_split() -> None:
    assert apply(S.handling, "merge", actor=Actor.dispatcher) == S.merged
    assert apply(S.merged, "split", actor=Actor.dispatcher) == S.pending_dispatch


# ---- refusals ---------------------------------------------------------------------------------------
INVALID = [(st, action) for st in [None, *S] for action, t in TRANSITIONS.items() if st not in t.sources]


@pytest.mark.parametrize(("state", "action"), INVALID)
def test_every_invalid_transition_names_state_and_allowed_actions(state: S | None, action: str) -> None:
    with pytest.raises(InvalidTransition) as exc:
        apply(state, action)
    err = exc.value
    allowed = allowed_actions(state)
    assert err.status_code == 409
    assert err.detail["allowed"] == allowed
    assert err.detail["action"] == action
    msg = str(err)
    assert f"「{TRANSITIONS[action].label}」({action})" in msg
    if state is None:
        assert "尚未受理" in msg
    else:
        assert f"当前状态为「{state.label}」({state.value})" in msg
        assert err.detail["state_label"] == state.label
    listed = msg.split("可执行的操作：", 1)[1]
    for a in allowed:
        assert f"{TRANSITIONS[a].label} ({a})" in listed
    if not allowed:
        assert listed == "无"


def test_invalid_transition_example_reads_well() -> None:
    with pytest.raises(InvalidTransition) as exc:
        apply("pending_sign", "reply")
    assert str(exc.value) == (
        "当前状态为「待签收」(pending_sign)，不能执行「答复」(reply)；"
        "可执行的操作：撤单 (withdraw)、并单 (merge)、签收 (sign)、退单 (return)、"
        "协办意见 (assist_opinion)、催办 (remind)、督办 (supervise)、关联重复诉求 (link_repeat)"
    )


WRONG_ACTORS = [(a, who) for a, t in TRANSITIONS.items() for who in Actor if who not in t.actors]


@pytest.mark.parametrize(("action", "actor"), WRONG_ACTORS)
def test_wrong_actor_is_refused_by_name(action: str, actor: Actor) -> None:
    sources = TRANSITIONS[action].sources
    state = None if None in sources else next(s for s in S if s in sources)
    with pytest.raises(ActorNotAllowed) as exc:
        apply(state, action, actor=actor)
    assert exc.value.status_code == 403
    assert f"{actor.label} ({actor.value}) 不能执行「{TRANSITIONS[action].label}」" in str(exc.value)
    assert exc.value.detail["allowed_actors"] == [a.value for a in Actor if a in TRANSITIONS[action].actors]


def test_allowed_actions_by_actor() -> None:
    assert allowed_actions(S.handling, actor=Actor.lead_unit) == [
        "return",
        "delegate",
        "reply",
        "request_extension",
    ]
    assert allowed_actions(S.delegated, actor="tier3_unit") == ["tier3_reply"]
    assert allowed_actions(S.archived) == []
    assert allowed_actions(None, actor=Actor.agent) == ["accept", "resolve_directly", "decline", "withdraw"]


def test_unknown_action_and_state() -> None:
    with pytest.raises(UnknownAction, match="未知操作 'fly'") as exc:
        apply(S.handling, "fly")
    assert exc.value.status_code == 422
    with pytest.raises(ValueError, match="'limbo'"):
        apply("limbo", "sign")


# ---- reasons and records ------------------------------------------------------------------------------
def test_review_reasons() -> None:
    assert check_reason(" 答非所问 ", allowed=DEFAULT_REVIEW_REASONS) == "答非所问"
    assert {"未联系诉求人", "答非所问", "推诿", "超范围"} <= set(DEFAULT_REVIEW_REASONS)
    with pytest.raises(InvalidReason, match="原因「态度不好」不在标准原因中"):
        check_reason("态度不好", allowed=DEFAULT_REVIEW_REASONS)
    with pytest.raises(InvalidReason, match="必须填写原因"):
        check_reason("  ")
    assert check_reason("不属于本单位职责") == "不属于本单位职责"


def test_transition_record_payload() -> None:
    at = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    rec = TransitionRecord(
        order_id=7,
        action="send_back",
        from_state=S.pending_review,
        to_state=S.handling,
        actor=Actor.reviewer,
        at=at,
        user_id=3,
        comment="请联系诉求人",
        attachment_ids=(11, 12),
        data={"reason": "未联系诉求人", "reply_by": "2026-11-24T15:00:00+08:00"},
    )
    payload = rec.event_payload()
    assert EVENT_TYPE == "order.transition"
    assert payload["action_label"] == "审核退回"
    assert (payload["from_label"], payload["to_label"]) == ("待审核", "办理中")
    assert payload["attachment_ids"] == [11, 12]
    assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    with pytest.raises(ValueError, match="naive datetime"):
        TransitionRecord(7, "sign", S.pending_sign, S.handling, Actor.lead_unit, datetime(2026, 11, 20))
    with pytest.raises(ValueError, match="'fly'"):
        TransitionRecord(7, "fly", S.pending_sign, S.handling, Actor.lead_unit, at)
