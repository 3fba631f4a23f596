"""The lead-unit model: trained from finished orders and agents' corrections (an upheld return that led
to a reassignment, an override), ranking units where no catalogue rule matches.

The texts are written for this test about matters the demo catalogue has no rule or keyword for (stray
dogs, fly-posting), so only the model, the similar orders or the locality can name a unit. The same
matter goes to a different county by the incident's region, which the model reads with the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from hotline.demo.load import city
from hotline.org.models import Region, Workstation
from hotline.settings import Settings
from routing.classify import store, train_pairs
from routing.classify.from_db import db_pairs
from routing.orders.models import WorkOrder
from routing.suggest import schemas as s
from routing.suggest.feedback import feedback_examples
from routing.suggest.service import Predictors, SuggestConfig, suggest
from routing.suggest.unit_model import unit_text
from tests.foundation.helpers import order_body
from tests.lifecycle_api.helpers import act
from tests.routing_suggest.conftest import index_orders, set_lead, train_from_db

# Stray dogs in 云城区 (0101), handled by its county government.
DOGS_A = [
    ("小区流浪狗成群", "我们小区最近来了一群流浪狗，晚上一直叫，孩子都不敢下楼。"),
    ("流浪狗追人", "幸福路附近有几条流浪狗追着行人跑，已经有老人被吓倒了。"),
    ("野狗咬伤小孩", "公园门口的野狗咬伤了一个小孩，希望尽快把这些狗抓走。"),
    ("流浪犬太多", "学校旁边流浪犬越来越多，接送孩子很担心被咬。"),
    ("狗群夜里乱叫", "楼下几条没人管的狗整夜乱叫，居民休息不好。"),
]
# The same matter in 0102, handled by that county.
DOGS_B = [
    ("流浪狗扎堆", "我们这条街流浪狗扎堆，见人就叫，老人出门都害怕。"),
    ("野狗翻找食物", "菜场后面的野狗到处翻找食物，还冲着路人狂叫。"),
    ("流浪犬咬人", "小区门口一条流浪犬咬了快递员，请派人处理这些狗。"),
    ("狗群追电动车", "晚上骑电动车经过桥头，一群流浪狗追着车跑，很危险。"),
]
# Fly-posting anywhere in the city: the city management bureau.
ADS = [
    ("小广告贴满墙", "单元门和楼道墙上贴满了小广告，撕了又贴。"),
    ("电线杆小广告", "电线杆上全是开锁办证的小广告，影响市容。"),
    ("人行道喷涂广告", "人行道上被喷了很多办证电话，像牛皮癣一样难看。"),
    ("站牌小广告", "车站站牌和护栏上贴满了小广告，希望能清理一下。"),
    ("墙面乱涂乱画", "新刷的外墙被人用油漆写满了小广告电话。"),
    ("车窗塞广告卡片", "每天早上车窗上都被塞满小卡片广告，很烦人。"),
]
# Dogs in 0102, first dispatched to 云城区: returned, upheld, reassigned (the lifecycle, over HTTP).
MISSENT = ("流浪狗围着路口", "这边好几条流浪狗天天在路口转，冲着上学的孩子叫。")
# Dogs in 0102 that closed under 云城区 although the agent had chosen 0102's county (an override).
OVERRIDDEN = ("流浪狗在门口", "单元门口常年趴着几条流浪狗，有人进出就狂叫。")
# A caller saying it differently from every training text.
QUERY = "这几天楼下总有好几只流浪狗转悠，见人就叫，小孩放学都不敢一个人走。"


def _joined(subject: str, description: str) -> str:
    return f"{subject}\n{description}"


def test_the_texts_name_no_catalogue_keyword() -> None:
    """What the other tests rely on: no rule can match these texts, so units come from elsewhere."""
    keywords = {k for r in city()["catalogue"] for k in r["keywords"]}
    texts = [_joined(*t) for t in (*DOGS_A, *DOGS_B, *ADS, MISSENT, OVERRIDDEN)] + [QUERY]
    assert [(t, k) for t in texts for k in keywords if k in t] == []


def _create(api, subject: str, description: str, region: str) -> int:  # type: ignore[no-untyped-def]
    res = api.post(
        "/api/orders",
        json=order_body(subject=subject, description=description, region_code=region, incident_address="幸福小区"),
    )
    assert res.status_code == 201, res.text
    return int(res.json()["id"])


def _closed_orders(api, engine: Engine, ids: dict[str, int]) -> list[int]:  # type: ignore[no-untyped-def]
    """Arrangement: orders that went through their lifecycle and closed under their lead unit."""
    made = []
    for texts, region, unit in ((DOGS_A, "0101", "Q0101"), (DOGS_B, "0102", "Q0102")):
        for subject, description in texts:
            made.append(_create(api, subject, description, region))
            set_lead(engine, made[-1], unit, ids, state="closed")
    for i, (subject, description) in enumerate(ADS):
        made.append(_create(api, subject, description, ("0101", "0102")[i % 2]))
        set_lead(engine, made[-1], "D-CG", ids, state="closed")
    return made


def test_corrections_win_then_the_trained_unit_model_ranks_units_where_no_rule_matches(
    client,  # type: ignore[no-untyped-def]
    as_user,
    demo: dict[str, int],
    engine: Engine,
    db_url: str,
    settings: Settings,
    order_searcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent, dispatcher, staff_a = as_user("agent"), as_user("dispatcher"), as_user("staff_a")
    closed = _closed_orders(agent, engine, demo)
    # An upheld return: sent to 云城区, returned as not theirs, reassigned to 0102's county.
    missent = _create(agent, *MISSENT, "0102")
    act(dispatcher, missent, "dispatch", lead_unit_id=demo["Q0101"])
    act(staff_a, missent, "return", reason="事发地不在本区，非我区辖区")
    act(dispatcher, missent, "reassign", lead_unit_id=demo["Q0102"], comment="改派事发地所在区")
    # An override: the agent chose 0102's county over the suggestion; the order still closed under 云城区.
    overridden = _create(agent, *OVERRIDDEN, "0102")
    set_lead(engine, overridden, "Q0101", demo, state="closed")
    res = agent.post(
        "/api/routing/feedback",
        json={"order_id": overridden, "suggested": {"lead_unit": "Q0101"}, "chosen": {"lead_unit": "Q0102"}},
    )
    assert res.status_code == 200 and res.json()["fields"] == ["lead_unit"], res.text

    with make_sessionmaker(engine)() as session:
        assert {e.source for e in feedback_examples(session=session, field="lead_unit")} == {"reassign", "override"}
        found = db_pairs(session=session, task="lead_unit")
        names = dict(session.query(Region.code, Region.name).all())
    assert (found.orders, found.feedback, found.conflicts, found.added) == (len(closed) + 1, 2, 1, 1)
    pairs = dict(found.pairs)
    # The corrections win: the reassigned order (not finished yet) and the overridden one both teach 0102's.
    assert pairs[unit_text(_joined(*MISSENT), "0102", names)] == "Q0102"
    assert pairs[unit_text(_joined(*OVERRIDDEN), "0102", names)] == "Q0102"
    assert pairs[unit_text(_joined(*DOGS_A[0]), "0101", names)] == "Q0101"
    assert names["0102"] in unit_text(QUERY, "0102", names)  # the locality is in what the model reads

    # Training through the production CLI stores a serving model in the app's model store.
    out = train_from_db("lead_unit", db_url=db_url, settings=settings, monkeypatch=monkeypatch)
    assert "话务员反馈样本 2 条（覆盖工单原标签 1 条，新增 1 条）" in out
    root = settings.data_dir / "models"
    [info] = store.list_versions("lead_unit", root=root)
    assert info.serving and set(info.labels) == {"Q0101", "Q0102", "D-CG"} and info.n_train == len(found.pairs)
    listing = as_user("admin").get("/api/routing/models", params={"task": "lead_unit"}).json()
    assert listing["task_label"] == "主办单位模型" and listing["serving_version"] == info.version

    index_orders(order_searcher, engine, closed)
    client.app.state.order_searcher = order_searcher
    names_of = {"Q0101": "云城区人民政府", "Q0102": "江北区人民政府"}
    for region, expected in (("0102", "Q0102"), ("0101", "Q0101")):
        out = agent.post("/api/routing/suggest", json={"description": QUERY, "region_code": region}).json()
        units = out["units"]
        assert units["source"] == "model" and units["rule_id"] is None, units
        assert units["lead"]["code"] == expected and units["needs_choice"] is False
        assert units["confidence"] >= SuggestConfig().needs_choice_below
        assert {u["code"] for u in units["alternatives"]} == {"Q0101", "Q0102", "D-CG"} - {expected}
        assert units["evidence"][0] == (
            f"无匹配的派单目录规则；主办单位模型推荐：{names_of[expected]}（置信度 {units['confidence']:.2f}）"
        )
        assert any(e.startswith("起作用的词：「") for e in units["evidence"])
        went = sum(1 for o in out["explanation"]["similar_orders"] if o["unit"] == names_of[expected])
        assert went > 0  # the similar dog orders of that county are found by keyword search
        assert f"相似历史工单中有 {went} 件由{names_of[expected]}主办" in units["evidence"]


def test_without_a_unit_model_the_similar_orders_decide_as_before(
    client,  # type: ignore[no-untyped-def]
    as_user,
    demo: dict[str, int],
    engine: Engine,
    order_searcher,
) -> None:
    agent = as_user("agent")
    index_orders(order_searcher, engine, _closed_orders(agent, engine, demo))
    client.app.state.order_searcher = order_searcher
    out = agent.post("/api/routing/suggest", json={"description": QUERY, "region_code": "0102"}).json()
    units = out["units"]
    assert units["source"] == "similar_orders" and units["confidence"] is None, units
    assert units["evidence"][0].startswith("无匹配的派单目录规则；相似历史工单的主办单位：")
    assert not any("模型" in e for e in units["evidence"])


def test_labels_of_units_that_are_gone_are_skipped(as_user, demo: dict[str, int], engine: Engine) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    factory = make_sessionmaker(engine)
    with factory() as session:
        session.add_all(
            [
                Workstation(code="Q0101-OLD", name="云城区原犬类管理办公室", tier=2, kind="department"),
                Workstation(code="D-GONE", name="已撤销的单位", tier=2, kind="department"),
            ]
        )
        session.commit()
        old = session.query(Workstation.id).filter_by(code="Q0101-OLD").scalar()
    ids = {**demo, "Q0101-OLD": old}
    kept = _create(agent, *DOGS_A[0], "0101")
    set_lead(engine, kept, "Q0101", ids, state="closed")
    retired = _create(agent, *DOGS_A[1], "0101")
    set_lead(engine, retired, "Q0101-OLD", ids, state="closed")
    direct = _create(agent, *DOGS_A[2], "0101")  # resolved on the call: no lead unit
    set_lead(engine, direct, "Q0101", ids, state="resolved_directly", lead_unit_id=None)
    open_order = _create(agent, *ADS[0], "0101")
    res = agent.post(
        "/api/routing/feedback",
        json={"order_id": open_order, "suggested": {"lead_unit": "D-CG"}, "chosen": {"lead_unit": "D-GONE"}},
    )
    assert res.status_code == 200, res.text
    with factory() as session:
        session.execute(update(Workstation).where(Workstation.code == "Q0101-OLD").values(active=False))
        session.execute(delete(Workstation).where(Workstation.code == "D-GONE"))
        session.commit()
        found = db_pairs(session=session, task="lead_unit")
        assert session.get(WorkOrder, retired) is not None
    assert [label for _, label in found.pairs] == ["Q0101"]
    assert found.skipped == {"主办单位已停用或删除": 1, "无主办单位（如直办）": 1, "反馈的单位已停用或删除": 1}
    assert (found.orders, found.feedback, found.added) == (1, 0, 0)
    assert "主办单位已停用或删除 1 条" in found.summary()


def _store_with(root: Path, pairs: list[tuple[str, str]]) -> None:
    store.save("lead_unit", train_pairs(pairs, progress=False), serve=True, root=root)


def test_units_the_directory_no_longer_has_are_dropped_and_low_confidence_asks(
    demo: dict[str, int], engine: Engine, tmp_path: Path
) -> None:
    """Served straight through ``suggest`` with a model store written here: a label naming no unit is
    never proposed, and below the threshold the ranked units are listed for the agent to choose."""
    with make_sessionmaker(engine)() as session:
        names = dict(session.query(Region.code, Region.name).all())
    # Dogs went to a unit that is no longer in the directory; fly-posting to two that are.
    pairs = [(unit_text(_joined(*t), "0101", names), "X-GONE") for t in (*DOGS_A, *DOGS_B)]
    pairs += [(unit_text(_joined(*t), "0101", names), "Q0102" if i < 3 else "D-CG") for i, t in enumerate(ADS)]
    root = tmp_path / "models"
    _store_with(root, pairs)
    data = s.SuggestIn(description=QUERY, region_code="0101")
    with make_sessionmaker(engine)() as session:
        out = suggest(session=session, data=data, predictors=Predictors.default(models=root))
        asked = suggest(
            session=session,
            data=data,
            predictors=Predictors.default(models=root),
            config=SuggestConfig(needs_choice_below=1.01),  # above any probability: always ask
        )
    units = out.units
    assert units.source == "model"
    shown = [u.code for u in ([units.lead] if units.lead else []) + units.alternatives]
    assert "X-GONE" not in shown and set(shown) == {"Q0102", "D-CG"}
    # The words explained the model's own best label (the unit that is gone), so none are shown.
    assert not any(e.startswith("起作用的词") for e in units.evidence)

    units = asked.units
    assert units.source == "model" and units.needs_choice and units.lead is None and asked.needs_choice
    assert [u.code for u in units.alternatives] == shown
    assert units.evidence[-1] == "置信度低于 1.01，请从候选单位中选择主办单位"


def test_a_deactivated_unit_leaves_the_cached_directory(demo: dict[str, int], engine: Engine) -> None:
    from routing.suggest.directory import get_directory

    factory = make_sessionmaker(engine)
    with factory() as session:
        code = min(u.code for u in get_directory(session=session).by_code.values() if u.tier == 3)
    with factory() as session:
        session.execute(update(Workstation).where(Workstation.code == code).values(active=False))
        session.commit()
    with factory() as session:
        directory = get_directory(session=session)
        assert code not in directory.by_code
        assert all(u.code != code for u in directory.by_id.values())


@pytest.mark.parametrize(
    "how",
    [
        {"category_l1": "城乡建设", "category_l2": "物业管理", "category_l3": "物业服务"},  # the agent chose it
        {"subject": "物业不管流浪狗"},  # or the caller's words name the rule (keyword 「物业」)
    ],
)
def test_a_catalogue_rule_decides_over_a_serving_unit_model(
    demo: dict[str, int], engine: Engine, tmp_path: Path, how: dict[str, str]
) -> None:
    """The model, serving and sure, sends the dogs to 江北区; where the 物业服务 rule (LOCAL) matches it
    decides: the county of the incident's place (金桂 → 云城区), the model not consulted."""
    with make_sessionmaker(engine)() as session:
        names = dict(session.query(Region.code, Region.name).all())
    pairs = [(unit_text(_joined(*t), "0101", names), "Q0102") for t in (*DOGS_A, *DOGS_B)]
    pairs += [(unit_text(_joined(*t), "0101", names), "D-CG") for t in ADS]
    root = tmp_path / "models"
    _store_with(root, pairs)
    place = {"description": QUERY, "region_code": "0101", "incident_address": "金桂社区"}
    with make_sessionmaker(engine)() as session:
        predictors = Predictors.default(models=root)
        assert predictors.lead_unit is not None  # the model serves
        by_model = suggest(session=session, data=s.SuggestIn(**place), predictors=predictors).units
        by_rule = suggest(session=session, data=s.SuggestIn(**place, **how), predictors=predictors).units
    assert by_model.source == "model" and by_model.lead and by_model.lead.code == "Q0102"
    assert by_rule.source == "rule" and by_rule.rule_id is not None
    assert by_rule.lead and by_rule.lead.code == "Q0101" and by_rule.confidence is None
    assert not any("模型" in e for e in by_rule.evidence)
