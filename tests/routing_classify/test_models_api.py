"""The administrators' model screen through the HTTP API: list a classifier task's versions, switch the
serving one, roll back; every change audited, only administrators admitted, and the dispatch suggestion
served by the newly serving model from its next request."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hotline.settings import Settings
from routing.classify import TrainedModel, store, train_pairs

# Written for this test (not taken from any data set).
TRAFFIC = [
    "路口红绿灯坏了，早上车辆堵成一片。",
    "公交车到站不停，乘客在站台等了半小时。",
    "地铁站出口的电梯停运好几天了。",
    "小区门口的道路坑坑洼洼，电动车容易摔倒。",
    "出租车司机绕路多收钱，希望查处。",
    "停车位太少，车辆只好停在人行道上。",
    "公交线路取消后村民进城很不方便。",
    "高架桥下的路灯不亮，夜里开车很危险。",
    "学校门口早晚高峰车辆乱停，交通拥堵。",
    "共享单车堆满了公交站台。",
    "马路上没有斑马线，老人过街很危险。",
    "地铁末班车太早，下夜班的人回不了家。",
]
ENVIRONMENT = [
    "工厂半夜偷排污水，河水都变黑了。",
    "饭店油烟直排，楼上住户无法开窗。",
    "垃圾桶满了好几天没人清运，气味难闻。",
    "工地夜间施工噪音很大，影响休息。",
    "化工厂附近总有刺鼻的气味。",
    "有人在河边倾倒建筑垃圾。",
    "公园湖水发臭，水面漂着死鱼。",
    "搅拌站扬尘严重，窗台上全是灰。",
    "养殖场粪水流进农田，庄稼都被污染了。",
    "露天烧垃圾的烟雾弥漫整个村子。",
    "小区绿化带被人毁坏种菜。",
    "河道里长满水葫芦，水质越来越差。",
]
EDUCATION = [
    "孩子的学区划分不合理，上学要走很远。",
    "学校课后服务收费太高，家长负担重。",
    "幼儿园老师体罚孩子，请教育局调查。",
    "中学食堂饭菜质量差，学生吃不饱。",
    "培训机构跑路，预交的学费退不回来。",
    "学校要求家长购买指定的教辅资料。",
    "小学入学报名材料要求太多太复杂。",
    "老师在校外有偿补课，希望查处。",
    "学校操场塑胶跑道有异味，孩子头晕。",
    "教室空调坏了一个月，学生上课很热。",
    "民办学校乱收费，巧立名目收取赞助费。",
    "孩子转学手续办了两个月还没办好。",
]
SCHOOL_TEXT = "学校强制家长购买教辅资料，还收取课后服务费"


@pytest.fixture(scope="module")
def models() -> tuple[TrainedModel, TrainedModel]:
    """Two real models from the production training code: A knows 交通/环境, B also 教育."""
    two = [(t, "交通") for t in TRAFFIC] + [(t, "环境") for t in ENVIRONMENT]
    three = two + [(t, "教育") for t in EDUCATION]
    return train_pairs(two, progress=False), train_pairs(three, progress=False)


@pytest.fixture
def stored(settings: Settings, models: tuple[TrainedModel, TrainedModel]) -> tuple[store.ModelInfo, ...]:
    """A (serving) and B saved where the app reads its models: ``<data_dir>/models``."""
    root = settings.data_dir / "models"
    a = store.save("category", models[0], evaluation={"macro_f1": 0.81, "ece": 0.05}, serve=True, root=root)
    b = store.save("category", models[1], evaluation={"macro_f1": 0.93, "ece": 0.04}, root=root)
    return a, b


def _suggested_categories(api) -> set[str]:  # type: ignore[no-untyped-def]
    res = api.post("/api/routing/suggest", json={"subject": SCHOOL_TEXT})
    assert res.status_code == 200, res.text
    cat = res.json()["category"]
    assert cat["source"] == "model"
    return {c["value"] for c in cat["alternatives"]}


def test_list_switch_rollback_audited_and_served(client: TestClient, as_user, stored) -> None:  # type: ignore[no-untyped-def]
    a, b = stored
    admin, agent, supervisor = as_user("admin"), as_user("agent"), as_user("supervisor")

    res = admin.get("/api/routing/models", params={"task": "category"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["task"] == "category" and body["task_label"] == "诉求分类"
    assert body["serving_version"] == a.version and body["can_rollback"] is False
    assert [v["version"] for v in body["versions"]] == [b.version, a.version]  # newest first
    assert [v["serving"] for v in body["versions"]] == [False, True]
    newest = body["versions"][0]
    assert newest["data_sha256"] == b.data_sha256 and newest["data_sha256"] != a.data_sha256
    assert newest["created_at"] == b.created_at
    assert newest["evaluation"] == {"macro_f1": 0.93, "ece": 0.04}
    assert newest["labels"] == ["交通", "教育", "环境"] and newest["n_train"] == 36
    assert {t["name"] for t in body["tasks"]} >= {"category", "request_type"}
    # The default task is category.
    assert admin.get("/api/routing/models").json()["versions"] == body["versions"]

    assert "教育" not in _suggested_categories(agent)  # model A does not know 教育

    res = admin.post("/api/routing/models/category/switch", json={"version": b.version})
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["serving_version"] == b.version and out["previous_version"] == a.version
    assert out["can_rollback"] is True and b.version in out["message"]
    assert store.serving_version("category", root=client.app.state.settings.data_dir / "models") == b.version
    assert "教育" in _suggested_categories(agent)  # the suggestion picked up the new model at once

    res = admin.post("/api/routing/models/category/rollback")
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["serving_version"] == a.version and out["previous_version"] == b.version
    assert out["can_rollback"] is False and "回滚" in out["message"]
    assert [v["serving"] for v in out["versions"]] == [False, True]
    assert "教育" not in _suggested_categories(agent)

    res = admin.post("/api/routing/models/category/rollback")
    assert res.status_code == 409
    assert "无法回滚" in res.json()["detail"] and a.version in res.json()["detail"]

    entries = supervisor.get("/api/audit").json()
    ours = [e for e in entries if e["target_type"] == "routing_model"]
    assert [(e["action"], e["target_id"]) for e in ours] == [
        ("model_rollback", "category"),
        ("model_switch", "category"),
    ]  # newest first; the refused rollback left no entry
    assert ours[0]["detail"] == {"task": "category", "from_version": b.version, "to_version": a.version}
    assert ours[1]["detail"] == {"task": "category", "from_version": a.version, "to_version": b.version}
    assert ours[0]["actor_name"] == "测试admin"


def test_only_administrators(client: TestClient, as_user, stored) -> None:  # type: ignore[no-untyped-def]
    a, b = stored
    for username in ("supervisor", "agent"):
        user = as_user(username)
        assert user.get("/api/routing/models").status_code == 403
        res = user.post("/api/routing/models/category/switch", json={"version": b.version})
        assert res.status_code == 403 and "无权" in res.json()["detail"]
        assert user.post("/api/routing/models/category/rollback").status_code == 403
    assert client.get("/api/routing/models").status_code == 401
    root = client.app.state.settings.data_dir / "models"
    assert store.serving_version("category", root=root) == a.version  # nothing changed


def test_unknown_task_or_version_is_refused(client: TestClient, as_user, stored, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    missing = "20990101T000000Z-deadbeef"
    res = admin.post("/api/routing/models/category/switch", json={"version": missing})
    assert res.status_code == 404 and missing in res.json()["detail"]
    res = admin.post("/api/routing/models/category/switch", json={"version": "../../etc"})
    assert res.status_code == 422 and "../../etc" in res.json()["detail"]
    res = admin.post("/api/routing/models/category/switch", json={})
    assert res.status_code == 422

    for url in ("/api/routing/models?task=weather", "/api/routing/models/weather/rollback"):
        res = admin.get(url) if url.startswith("/api/routing/models?") else admin.post(url)
        assert res.status_code == 404 and "weather" in res.json()["detail"]
    res = admin.post("/api/routing/models/weather/switch", json={"version": stored[1].version})
    assert res.status_code == 404 and "weather" in res.json()["detail"]
    res = admin.get("/api/routing/models", params={"task": "Bad-Task"})
    assert res.status_code == 422 and "Bad-Task" in res.json()["detail"]

    # A known task without any trained model lists empty; rolling it back is a conflict, not a crash.
    res = admin.get("/api/routing/models", params={"task": "request_type"})
    assert res.status_code == 200 and res.json()["versions"] == [] and res.json()["serving_version"] is None
    res = admin.post("/api/routing/models/request_type/rollback")
    assert res.status_code == 409 and "尚无服务中的模型" in res.json()["detail"]

    root: Path = settings.data_dir / "models"
    assert store.serving_version("category", root=root) == stored[0].version
    assert [e for e in as_user("supervisor").get("/api/audit").json() if e["target_type"] == "routing_model"] == []
