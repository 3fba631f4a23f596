"""Hotspots: no alert on real message history; an alert on a burst of paraphrased messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker, utcnow
from hotline.events.models import Event
from routing.deadlines.service import centre_zone
from routing.hotspots.detector import Item, find_bursts
from routing.hotspots.models import Hotspot
from routing.hotspots.service import daily_hotspots, detect_hotspots
from routing.orders.models import WorkOrder
from tests.conftest import SHARED_DATA
from tests.foundation.helpers import order_body
from tests.routing_suggest.texts import BACKGROUND, WATER_BURST

HISTORY = SHARED_DATA / "ticket-history" / "messages-with-replies.jsonl"
WATER = {"category_l1": "城乡建设", "category_l2": "供水供气供暖", "category_l3": "停水"}

# Two more matters, written for these tests, each said six ways by six callers (no category given):
# the lifts of 湖畔名邸 are out; something is being burnt near 鼓楼小区 at night.
ELEVATOR_BURST = [
    ("湖畔名邸8栋", "湖畔名邸8栋的电梯从昨天晚上就停了，我们住十八楼，老人上下楼太难了。", "13700000001"),
    ("湖畔小区", "湖畔小区电梯又坏了，按了半天没反应，物业也不贴个通知说什么时候修好。", "13700000002"),
    ("湖畔名邸", "湖畔名邸的升降梯今天一直不能用，抱着孩子爬了十几层楼，希望赶紧派人维修。", "13700000003"),
    ("湖畔名邸2栋", "我家在湖畔名邸，楼里电梯停运一整天了，腿脚不好的邻居根本出不了门。", "13700000004"),
    ("湖畔名邸", "湖畔名邸有电梯卡在两层楼之间不动了，现在大家都不敢坐，请相关部门来检查一下安全。", "13700000005"),
    ("湖畔小区", "反映湖畔小区电梯故障的问题，到现在还没修，每天只能走楼梯上下班。", "13700000006"),
]
SMOKE_BURST = [
    ("鼓楼小区", "鼓楼小区这两天晚上总有一股刺鼻的焦糊味，窗户都不敢开。", "13600000001"),
    ("鼓楼宿舍", "鼓楼宿舍附近半夜有人烧东西，烟味很重，呛得孩子一直咳嗽。", "13600000002"),
    ("鼓楼小区", "鼓楼小区空气里一股塑料烧焦的臭味，从晚上九点多开始一直到现在。", "13600000003"),
    ("鼓楼小区", "鼓楼小区周边不知道哪里在焚烧垃圾，气味特别难闻，怀疑有污染。", "13600000004"),
    ("鼓楼宿舍", "我住鼓楼宿舍，最近每天夜里都闻到很浓的烧焦味道，睡觉都被熏醒。", "13600000005"),
    ("鼓楼小区", "鼓楼小区外面冒黑烟，味道呛人，请环保部门查一下是谁在烧。", "13600000006"),
]
T0 = datetime(2026, 5, 1, 7)


def _items(rows: list[tuple[str, str, str]], *, first_id: int, area: str, step: timedelta) -> list[Item]:
    """Uncategorised orders, as intake leaves them when the agent picks no category."""
    return [Item(first_id + i, area, text, T0 + step * i, phone, None) for i, (_, text, phone) in enumerate(rows)]


def _parse(value: str) -> datetime:
    value = value.strip().replace("/", "-")
    date_part, _, time_part = value.partition(" ")
    y, m, d = (int(x) for x in date_part.split("-"))
    hh, mm, ss = (int(x) for x in (time_part or "0:0:0").split(":"))
    return datetime(y, m, d, hh, mm, ss)


def test_no_hotspot_in_the_real_message_history() -> None:
    if not HISTORY.exists():
        pytest.skip(f"shared data absent: {HISTORY} (the real message history this test reads)")
    rows = [json.loads(line) for line in HISTORY.read_text(encoding="utf-8").splitlines() if line.strip()]
    # Worst case for false alarms: every message put in one area, at its real time.
    items = [Item(r["id"], "city", f"{r['subject']}\n{r['body']}", _parse(r["created_at"])) for r in rows]
    assert len(items) > 2000
    assert find_bursts(items) == []


def test_paraphrased_burst_is_found_among_unrelated_orders() -> None:
    t0 = datetime(2026, 5, 1, 7)
    category = "城乡建设/供水供气供暖/停水"
    burst = [
        Item(i, "Q0101-J01-S03", text, t0 + timedelta(minutes=50 * i), phone, category)
        for i, (_, text, phone) in enumerate(WATER_BURST)
    ]
    background = [
        Item(100 + i, "Q0101-J01-S03", text, t0 + timedelta(minutes=40 * i), phone, None)
        for i, (_, text, phone) in enumerate(BACKGROUND)
    ]
    [found] = find_bursts(burst + background)
    assert sorted(m.id for m in found.members) == list(range(len(WATER_BURST)))
    assert "停水" in found.terms
    # The same messages spread over two weeks are no burst.
    slow = [
        Item(i, "Q0101-J01-S03", text, t0 + timedelta(days=3 * i), phone, category)
        for i, (_, text, phone) in enumerate(WATER_BURST)
    ]
    assert find_bursts(slow + background) == []
    # One caller ringing six times is a repeat request, not a hotspot.
    same_caller = [
        Item(i, "Q0101-J01-S03", text, t0 + timedelta(minutes=50 * i), "13800000001", category)
        for i, (_, text, _) in enumerate(WATER_BURST)
    ]
    assert find_bursts(same_caller + background) == []


@pytest.mark.parametrize("rows", [WATER_BURST, ELEVATOR_BURST, SMOKE_BURST], ids=["water", "lift", "smoke"])
def test_uncategorised_paraphrased_burst_is_found(rows: list[tuple[str, str, str]]) -> None:
    burst = _items(rows, first_id=0, area="Q0101-J01-S03", step=timedelta(minutes=50))
    background = _items(BACKGROUND, first_id=100, area="Q0101-J01-S03", step=timedelta(minutes=40))
    [found] = find_bursts(burst + background)
    members = {m.id for m in found.members}
    # No unrelated order joins; a caller who shares only one word with the rest may stay out
    # (「焦糊味」 meets the others only in 味).
    assert members <= set(range(len(rows))) and len(members) >= len(rows) - 1
    assert found.category is None
    # Place names say where, not what: they are no burst's words.
    assert not {"金桂", "金桂家园", "湖畔", "湖畔名邸", "鼓楼", "鼓楼小区"} & set(found.terms)


def test_the_same_matter_spread_over_areas_or_days_is_no_burst() -> None:
    background = _items(BACKGROUND, first_id=100, area="Q0102-J01-S01", step=timedelta(minutes=40))
    # Three lift complaints in each of two areas: neither area reaches five orders.
    split = [
        Item(i, "Q0102-J01-S01" if i % 2 else "Q0101-J02-S01", text, T0 + timedelta(minutes=50 * i), phone)
        for i, (_, text, phone) in enumerate(ELEVATOR_BURST)
    ]
    assert find_bursts(split + background) == []
    # All in one area, but one a day: no two of them within 48 hours of four others.
    slow = _items(ELEVATOR_BURST, first_id=0, area="Q0102-J01-S01", step=timedelta(days=1))
    assert find_bursts(slow + background) == []
    # Two matters in one area the same morning, each below five orders, do not add up to a burst.
    mixed = _items(ELEVATOR_BURST[:3] + SMOKE_BURST[:3], first_id=0, area="Q0102-J01-S01", step=timedelta(minutes=30))
    assert find_bursts(mixed + background) == []


def test_burst_of_orders_alerts_supervisors_once_and_lists_by_day(as_user, demo, engine: Engine) -> None:
    api = as_user("agent")
    ids = []
    for address, text, phone in WATER_BURST:
        res = api.post(
            "/api/orders",
            json=order_body(
                caller_phone=phone,
                incident_address=address,
                region_code=None,
                subject=text[:15],
                description=text,
                request_type="help_request",
                category_l1=None,  # uncategorised at intake: the words alone must make the burst
                category_l2=None,
            ),
        )
        assert res.status_code == 201, res.text
        ids.append(res.json()["id"])
    for address, text, phone in BACKGROUND:
        api.post(
            "/api/orders",
            json=order_body(
                caller_phone=phone,
                incident_address=address,
                region_code=None,
                subject=text[:15],
                description=text,
                category_l1=None,
                category_l2=None,
            ),
        )
    factory = make_sessionmaker(engine)
    with factory() as session:
        [(hotspot, new)] = detect_hotspots(session=session)
        session.commit()
        assert new and sorted(hotspot.member_ids) == sorted(ids) and hotspot.area == "Q0101-J01-S03"
    with factory() as session:
        assert [new for _, new in detect_hotspots(session=session)] == [False]  # known: no second alert
        session.commit()
        [alert] = session.scalars(select(Event).where(Event.type == "alert.hotspot")).all()
        # The list is by the centre's local day: from 16:00 UTC on, Shanghai's date is UTC's plus one.
        today = utcnow().astimezone(centre_zone(session=session)).date()
    assert alert.audience == ["supervisor"]
    assert sorted(m["order_id"] for m in alert.payload["members"]) == sorted(ids)
    assert "金桂" in alert.payload["area_name"] and "相似诉求" in alert.payload["why"]

    listing = as_user("supervisor").get(f"/api/hotspots?date={today.isoformat()}").json()
    [entry] = listing["hotspots"]
    # The category of an uncategorised burst is the catalogue rule most of its words match.
    assert entry["size"] == len(ids) and entry["category"] == "城乡建设/供水供气供暖/停水"
    assert listing["by_region_category"] == [
        {
            "region_code": "0101",
            "region_name": "云城区",
            "category": "城乡建设/供水供气供暖/停水",
            "hotspots": 1,
            "orders": len(ids),
        }
    ]
    yesterday = (today - timedelta(days=1)).isoformat()
    assert as_user("supervisor").get(f"/api/hotspots?date={yesterday}").json()["hotspots"] == []
    assert as_user("supervisor").get("/api/hotspots?date=not-a-date").status_code == 422


def test_orders_older_than_the_window_make_no_hotspot(as_user, demo, engine: Engine) -> None:
    api = as_user("agent")
    ids = [
        api.post(
            "/api/orders",
            json=order_body(
                caller_phone=phone,
                incident_address=address,
                region_code=None,
                subject=text[:15],
                description=text,
                **WATER,
            ),
        ).json()["id"]
        for address, text, phone in WATER_BURST
    ]
    factory = make_sessionmaker(engine)
    with factory() as session:
        for oid in ids:
            o = session.get(WorkOrder, oid)
            assert o is not None
            o.created_at = utcnow() - timedelta(days=5)
        session.commit()
    with factory() as session:
        assert detect_hotspots(session=session) == []


def test_daily_list_uses_the_centres_local_day(demo, engine: Engine) -> None:
    # Asia/Shanghai (the default centre zone) is UTC+8: 23:30 local on 1 May is 15:30 UTC on 1 May,
    # 00:30 local on 2 May is 16:30 UTC on 1 May, a UTC day would put both on 1 May.
    late = datetime(2026, 5, 1, 15, 30, tzinfo=UTC)
    after_midnight = datetime(2026, 5, 1, 16, 30, tzinfo=UTC)
    factory = make_sessionmaker(engine)
    with factory() as session:
        for title, at in (("深夜停水", late), ("凌晨电梯停运", after_midnight)):
            session.add(
                Hotspot(
                    area="Q0101-J01-S03",
                    region_code="0101",
                    title=title,
                    terms=[],
                    member_ids=[],
                    size=5,
                    first_at=at - timedelta(minutes=20),
                    last_at=at,
                )
            )
        session.commit()
        first = daily_hotspots(session=session, day=date(2026, 5, 1))
        second = daily_hotspots(session=session, day=date(2026, 5, 2))
    assert [h["title"] for h in first["hotspots"]] == ["深夜停水"]
    assert [h["title"] for h in second["hotspots"]] == ["凌晨电梯停运"]
