"""The board's series (``GET /api/kpi/board``) against /api/kpi and against the orders' own history:
every series must add up to the KPI it is drawn from, and each bucket must hold the steps whose time
falls in it. The county drill-down lists exactly the orders a county's figure counts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from hotline.db import make_sessionmaker, utcnow
from routing.hotspots.models import Hotspot
from tests.lifecycle_api.helpers import act, create, history, kpi, ratio, to_follow_up


def _board(api: Any, start: datetime, end: datetime, **params: Any) -> dict[str, Any]:
    res = api.get("/api/kpi/board", params={"from": start.isoformat(), "to": end.isoformat(), **params})
    assert res.status_code == 200, res.text
    return res.json()  # type: ignore[no-any-return]


def _scenario(as_user: Any, seeded: Any) -> dict[str, int]:
    """Orders in both seeded counties (one placed only by its lead unit, one nowhere), three verdicts
    (one dissatisfied and excluded), one order replied late enough to miss nothing but still reviewed."""
    agent, followup, dispatcher = as_user("agent"), as_user("followup"), as_user("dispatcher")
    ids = {
        "a1": create(agent),
        "a2": create(agent, category_l1="交通运输", category_l2="公共交通"),
        "a3": create(agent),
        "b1": create(agent, region_code="0102", category_l1="交通运输", category_l2="公共交通"),
        "b_by_unit": create(agent, region_code=None),
        "nowhere": create(agent, region_code=None, category_l1=None, category_l2=None),
    }
    act(dispatcher, ids["b_by_unit"], "dispatch", lead_unit_id=seeded.county_b)
    for key in ("a1", "a2", "a3"):
        to_follow_up(as_user, ids[key], seeded.county_a)
    act(followup, ids["a1"], "follow_up_satisfied")
    act(followup, ids["a2"], "follow_up_mostly_satisfied")
    act(followup, ids["a3"], "follow_up_dissatisfied", comment="对政策本身不满意")
    act(dispatcher, ids["a3"], "exclude", comment="诉求人要求超出政策规定，已依法依规答复")
    return ids


def test_series_add_up_to_the_kpi_figures_and_the_history(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    start, end = now - timedelta(hours=30), now + timedelta(days=30)
    ids = _scenario(as_user, seeded)
    sup = as_user("supervisor")
    b = _board(sup, start, end)
    m = kpi(sup, start, end)

    accepted = ratio(m, "direct_resolution_rate")[1]
    assert accepted == len(ids)
    assert b["accepted"] == accepted
    assert sum(h["count"] for h in b["volume_by_hour"]) == accepted
    assert sum(c["count"] for c in b["categories"]) == accepted
    assert sum(r["orders"] for r in b["regions"]) + b["unlocated"] == accepted

    # Each hourly bucket holds the accept steps whose time falls in it.
    expected: Counter[int] = Counter()
    for oid in ids.values():
        at = next(datetime.fromisoformat(h["at"]) for h in history(sup, oid) if h["action"] == "accept")
        expected[int((at - start).total_seconds() // 3600)] += 1
    assert {i: h["count"] for i, h in enumerate(b["volume_by_hour"]) if h["count"]} == dict(expected)
    assert len(b["volume_by_hour"]) == 30 * 24 + 30
    assert datetime.fromisoformat(b["volume_by_hour"][1]["start"]) == start + timedelta(hours=1)

    # Counties: the intake's region, else the lead unit's; every county listed, zeros included.
    regions = {r["region_code"]: r for r in b["regions"]}
    assert set(regions) == {"0101", "0102"}
    assert regions["0101"]["orders"] == 3 and regions["0102"]["orders"] == 2 and b["unlocated"] == 1
    assert regions["0101"]["name"] == "云城区" and regions["0101"]["hotspots"] == 0
    assert {c["category_l1"]: c["count"] for c in b["categories"]} == {"城乡建设": 3, "交通运输": 2, None: 1}

    # Satisfaction: the excluded dissatisfied verdict is left out, as in /api/kpi.
    num = sum(d["numerator"] for d in b["satisfaction_by_day"])
    den = sum(d["denominator"] for d in b["satisfaction_by_day"])
    assert (num, den) == ratio(m, "satisfaction_rate") == (2, 2)
    today = int((utcnow() - start).total_seconds() // 86400)
    assert b["satisfaction_by_day"][today]["value"] == 1.0

    # On-time completion per tier-2 unit equals /api/kpi filtered to that unit.
    rows = {r["workstation_id"]: r for r in b["on_time_by_workstation"]}
    assert set(rows) == {seeded.county_a, seeded.county_b, seeded.department}
    for unit, row in rows.items():
        fig = kpi(sup, start, end, workstation_id=unit)["on_time_completion_rate"]
        assert (row["numerator"], row["denominator"]) == (fig["numerator"], fig["denominator"]), row
    assert (rows[seeded.county_a]["numerator"], rows[seeded.county_a]["denominator"]) == (3, 3)


def test_weights_region_filter_and_drill_down(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(hours=2)
    end = utcnow() + timedelta(days=30)
    ids = _scenario(as_user, seeded)
    sup = as_user("supervisor")

    weighted = _board(sup, start, end, weight_mostly_satisfied=0.5)
    m = kpi(sup, start, end, weight_mostly_satisfied=0.5)
    assert sum(d["numerator"] for d in weighted["satisfaction_by_day"]) == m["satisfaction_rate"]["numerator"] == 1.5

    only_b = _board(sup, start, end, region="0102")
    assert [r["region_code"] for r in only_b["regions"]] == ["0102"]
    assert only_b["accepted"] == sum(h["count"] for h in only_b["volume_by_hour"]) == 2

    def drill(region: str | None) -> dict[str, Any]:
        params = {"from": start.isoformat(), "to": end.isoformat(), **({"region": region} if region else {})}
        res = sup.get("/api/kpi/board/orders", params=params)
        assert res.status_code == 200, res.text
        return res.json()  # type: ignore[no-any-return]

    a = drill("0101")
    assert a["total"] == 3 and {o["id"] for o in a["items"]} == {ids["a1"], ids["a2"], ids["a3"]}
    assert {o["id"] for o in drill("0102")["items"]} == {ids["b1"], ids["b_by_unit"]}
    assert [o["id"] for o in drill(None)["items"]] == [ids["nowhere"]]


def test_board_readers_and_bounds(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(days=1)
    params = {"from": start.isoformat(), "to": utcnow().isoformat()}
    assert as_user("staff_a").get("/api/kpi/board", params=params).status_code == 403
    assert as_user("agent").get("/api/kpi/board/orders", params=params).status_code == 403
    assert as_user("dispatcher").get("/api/kpi/board", params=params).status_code == 200
    too_long = {"from": (start - timedelta(days=120)).isoformat(), "to": params["to"]}
    res = as_user("supervisor").get("/api/kpi/board", params=too_long)
    assert res.status_code == 422 and "天" in res.json()["detail"]
    assert as_user("supervisor").get("/api/kpi/board", params={**params, "region": "x"}).status_code == 422


def test_queue_rows_carry_their_deadlines_and_card(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"))
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=seeded.county_a)
    staff = as_user("staff_a")
    row = next(o for o in staff.get("/api/queues/pending_sign").json()["items"] if o["id"] == oid)
    full = staff.get(f"/api/orders/{oid}/lifecycle").json()["deadlines"]
    assert row["state_label"] == "待签收"
    for key in ("sign_by", "reply_by", "card", "out_of_hours"):
        assert row["deadlines"][key] == full[key]
    assert set(row["deadlines"]["remaining"]) == set(full["remaining"]) >= {"sign_by", "reply_by"}


def test_side_steps_have_chinese_labels(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"), request_type="enquiry")
    act(as_user("agent"), oid, "resolve_directly", passage_id="kb-0042#3", comment="已告知办理流程")
    res = as_user("followup").post(f"/api/orders/{oid}/rating", json={"outcome": "satisfied", "resolved": True})
    assert res.status_code == 200, res.text
    labels = {h["action"]: h["action_label"] for h in history(as_user("supervisor"), oid)}
    assert labels["rate"] == "直办评价（一次一评）"
    assert all(label and not label.isascii() for label in labels.values()), labels


def test_hotspots_per_county(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with make_sessionmaker(engine)() as s:  # test arrangement: bursts as the detector stores them
        for title, size, first in [
            ("路灯不亮", 3, now - timedelta(hours=3)),
            ("井盖缺失", 5, now - timedelta(hours=1)),
        ]:
            s.add(
                Hotspot(
                    area="Q0101",
                    region_code="0101",
                    title=title,
                    terms=[],
                    member_ids=list(range(size)),
                    size=size,
                    first_at=first,
                    last_at=first + timedelta(minutes=30),
                )
            )
        old = now - timedelta(days=3)
        s.add(
            Hotspot(
                area="Q0102",
                region_code="0102",
                title="停水",
                terms=[],
                member_ids=[1, 2],
                size=2,
                first_at=old,
                last_at=old + timedelta(hours=1),
            )
        )
        s.commit()
    regions = {r["region_code"]: r for r in _board(as_user("supervisor"), now - timedelta(days=1), now)["regions"]}
    assert (regions["0101"]["hotspots"], regions["0101"]["hotspot_orders"]) == (2, 8)
    assert [h["title"] for h in regions["0101"]["top_hotspots"]] == ["井盖缺失", "路灯不亮"]
    assert (regions["0102"]["hotspots"], regions["0102"]["top_hotspots"]) == (0, [])  # over before the period
