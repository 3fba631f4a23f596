"""A small labelled fixture, written for these tests (not taken from any data set)."""

from __future__ import annotations

import json
from pathlib import Path

TRAFFIC = [
    "小区门口的公交站牌被撞坏了，请尽快修复。",
    "早高峰地铁站入口太拥挤，建议增加安检通道。",
    "十字路口的红绿灯坏了好几天，车辆乱成一团。",
    "公交车司机经常不按站停车，乘客很不方便。",
    "新修的道路没有画斑马线，行人过马路很危险。",
    "出租车拒载现象严重，晚上很难打到车。",
    "高速公路出口长期拥堵，希望优化交通信号。",
    "共享单车乱停乱放，占用了人行道和盲道。",
    "地铁末班车时间太早，加班的人回不了家。",
    "停车场收费标准不透明，临时停车费太贵。",
    "道路上的井盖缺失，电动车经过容易出事故。",
    "公交线路调整后我们村没有车站了，出行困难。",
]
ENVIRONMENT = [
    "河边的工厂排放黑色污水，河里的鱼都死了。",
    "小区旁边的餐馆油烟很大，窗户都不敢开。",
    "垃圾站的垃圾好几天没有清运，臭气熏天。",
    "夜里工地施工噪音太大，居民无法休息。",
    "附近的化工厂经常冒出刺鼻的气味。",
    "山上有人乱砍树木，破坏了生态环境。",
    "公园的湖水发绿发臭，需要治理水质。",
    "建筑工地扬尘严重，路边的树叶都是灰。",
    "有人在河道里倾倒建筑垃圾，堵塞了河道。",
    "养猪场的粪便直接排到田里，味道难闻。",
    "垃圾分类的桶放得太少，居民只好混着扔。",
    "烧烤摊露天烧炭，烟雾弥漫整条街。",
]
EDUCATION = [
    "孩子上小学的学区划分不合理，离家太远。",
    "学校课后服务收费太高，家长负担很重。",
    "幼儿园老师体罚孩子，希望教育局调查。",
    "中学食堂饭菜质量差，学生经常吃不饱。",
    "培训机构关门跑路，预交的学费退不回来。",
    "教师的绩效工资拖欠了三个月还没发。",
    "学校操场的跑道破损，学生上体育课容易摔倒。",
    "高考加分政策不清楚，想了解具体规定。",
    "孩子转学手续太复杂，需要跑好几个部门。",
    "学校要求家长每天批改作业，负担太重。",
    "公办幼儿园学位不够，报名排不上号。",
    "校车超载严重，孩子们挤在车上很危险。",
]
CLASSES = {"交通": TRAFFIC, "环境": ENVIRONMENT, "教育": EDUCATION}


def rows(every: int = 1, offset: int = 0) -> list[dict[str, str]]:
    """The fixture rows (``every``/``offset`` pick a subset, per class, in a fixed order)."""
    out = []
    for label, texts in CLASSES.items():
        out.extend({"text": t, "label": label} for i, t in enumerate(texts) if i % every == offset)
    return out


def split() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Two thirds for training, one third (every third message) for testing."""
    test = rows(3, 2)
    test_texts = {r["text"] for r in test}
    return [r for r in rows() if r["text"] not in test_texts], test


def write_jsonl(path: Path, items: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items), encoding="utf-8")
    return path
