"""Validate the demo city and the seed knowledge base that ship with the product.

The files are hand-written content (``hotline/demo/data/``, ``kb/seed/``, ``kb/search/dict/demo_city.txt``);
these checks keep them loadable and internally consistent: schema, unique codes, every reference resolving,
the sizes the demo promises, and the sections an agent relies on when reading a manual out on the phone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import jieba
import pytest
import yaml

from hotline.users.roles import Role

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "hotline" / "demo" / "data"
SEED = ROOT / "kb" / "seed"
DICT = ROOT / "kb" / "search" / "dict" / "demo_city.txt"

KB_CATEGORIES = {"policy", "service_guide", "faq", "terminal_manual", "call_script"}
FRONT_MATTER_KEYS = {"title", "category", "department", "owner", "region", "valid_from", "valid_to", "tags"}
CLASSIFIER_LEVEL1 = {"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"}
MANUAL_SECTIONS = ("设备简介", "摆放位置", "操作步骤", "常见故障及处理", "注意事项")
MANUAL_FAULTS = ("读卡失败", "人脸识别不通过", "缺纸", "无法连接")
GUIDE_SECTIONS = ("办理条件", "所需材料", "办理地点", "办理时间", "办理时限", "收费标准", "咨询电话")
GAZETTEER_KINDS = {"street", "township", "community", "village", "road", "landmark", "estate"}
DUTY_KINDS = {"night", "holiday", "weekend"}
MERGE_MODES = {"number_cancelled", "both_kept", "sub_centre"}


@cache
def city() -> dict[str, Any]:
    return json.loads((DATA / "city.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def taxonomy() -> list[dict[str, str]]:
    return json.loads((DATA / "taxonomy.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def workstations() -> dict[str, dict[str, Any]]:
    return {w["code"]: w for w in city()["workstations"]}


def duplicates(values: list[str]) -> list[str]:
    return sorted(v for v, n in Counter(values).items() if n > 1)


@cache
def seed_docs() -> list[tuple[str, dict[str, Any], str]]:
    """(file name, front matter, body) for every seed file."""
    docs = []
    for path in sorted(SEED.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
        assert match, f"{path.name}: no YAML front matter"
        meta = yaml.safe_load(match.group(1))
        assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
        docs.append((path.name, meta, match.group(2)))
    return docs


def headings(body: str, level: int | None = None) -> list[str]:
    marks = "#" * level if level else "#+"
    return [m.group(1).strip() for m in re.finditer(rf"^{marks} (.+)$", body, re.M)]


# --- city.json ------------------------------------------------------------------------------------------


def test_city_has_every_section_with_required_keys() -> None:
    required = {
        "regions": {"code", "name", "kind"},
        "workstations": {
            "code",
            "name",
            "tier",
            "kind",
            "region",
            "parent",
            "functional",
            "phone",
            "duty_roster",
        },
        "merged_lines": {"number", "name", "merge_mode", "desk"},
        "specialist_desks": {"code", "name", "can_resolve", "oversight"},
        "users": {"username", "password", "display_name", "role", "workstation", "desk"},
        "gazetteer": {"name", "aliases", "kind", "workstation", "region"},
        "catalogue": {
            "level1",
            "level2",
            "level3",
            "keywords",
            "region",
            "lead",
            "assist",
            "tier3_allowed",
            "functional",
            "reply_days",
        },
    }
    data = city()
    assert data["city"] == {"name": "云州市", "area_code": "0100"}
    for section, keys in required.items():
        assert data[section], f"section {section} is empty"
        for row in data[section]:
            missing = keys - row.keys()
            assert not missing, f"{section} row {row.get('code') or row.get('name') or row} lacks {missing}"


def test_codes_and_names_are_unique() -> None:
    data = city()
    assert not duplicates([r["code"] for r in data["regions"]])
    assert not duplicates([w["code"] for w in data["workstations"]])
    assert not duplicates([w["name"] for w in data["workstations"]])
    assert not duplicates([u["username"] for u in data["users"]])
    assert not duplicates([d["code"] for d in data["specialist_desks"]])
    assert not duplicates([m["number"] for m in data["merged_lines"]])
    # A place name or alias must point at one place only, or the address resolver cannot decide.
    spoken = [g["name"] for g in data["gazetteer"]] + [a for g in data["gazetteer"] for a in g["aliases"]]
    assert not duplicates(spoken)


def test_regions_each_have_one_county_government() -> None:
    data = city()
    for r in data["regions"]:
        assert re.fullmatch(r"01\d\d", r["code"]), r["code"]
        assert r["kind"] in {"district", "county"}, r
    counties = [w for w in data["workstations"] if w["tier"] == 2 and w["kind"] == "county"]
    assert sorted(w["region"] for w in counties) == sorted(r["code"] for r in data["regions"])
    for w in counties:
        assert w["code"] == f"Q{w['region']}", w["code"]
        assert w["functional"] is False, w["code"]


def test_workstation_hierarchy_resolves() -> None:
    by_code = workstations()
    regions = {r["code"] for r in city()["regions"]}
    for w in by_code.values():
        assert w["tier"] in (2, 3), w["code"]
        assert w["region"] is None or w["region"] in regions, f"{w['code']}: unknown region {w['region']}"
        assert re.fullmatch(r"0100-\d{7}", w["phone"]), f"{w['code']}: phone {w['phone']}"
        if w["tier"] == 2:
            assert w["parent"] is None, w["code"]
            assert w["kind"] in {"county", "department"}, w["code"]
            if w["kind"] == "department":
                assert w["region"] is None, w["code"]
        else:
            parent = by_code.get(w["parent"])
            assert parent is not None, f"{w['code']}: unknown parent {w['parent']}"
            assert parent["tier"] == 2, f"{w['code']}: parent {w['parent']} is not tier 2"
            assert w["code"].startswith(w["parent"] + "-"), w["code"]
            assert w["kind"] in {"street", "township", "community", "unit"}, w["code"]
            assert w["region"] is not None, f"{w['code']}: tier-3 station without region"
            if parent["kind"] == "county":
                assert w["region"] == parent["region"], f"{w['code']}: region differs from its county"


def test_tier2_duty_rosters_cover_out_of_hours() -> None:
    for w in workstations().values():
        if w["tier"] != 2:
            continue
        kinds = {d["kind"] for d in w["duty_roster"]}
        assert kinds == DUTY_KINDS, f"{w['code']}: duty roster kinds {kinds}"
        for d in w["duty_roster"]:
            assert d["contact"], w["code"]
            assert re.fullmatch(r"1\d{10}", d["phone"]), f"{w['code']}: duty phone {d['phone']}"


def test_organisation_sizes() -> None:
    ws = list(workstations().values())
    tier2 = [w for w in ws if w["tier"] == 2]
    tier3 = [w for w in ws if w["tier"] == 3]
    assert 8 <= len(city()["regions"]) <= 12
    assert 8 <= sum(w["kind"] == "county" for w in tier2) <= 12
    assert 22 <= sum(w["kind"] == "department" for w in tier2) <= 30
    assert 280 <= len(tier3) <= 360
    for county in (w for w in tier2 if w["kind"] == "county"):
        places = [w for w in tier3 if w["parent"] == county["code"] and w["kind"] in {"street", "township"}]
        assert 25 <= len(places) <= 35, f"{county['code']} has {len(places)} streets/townships"
    assert sum(w["kind"] == "community" for w in tier3) >= 5
    assert len({w["parent"] for w in tier3 if w["kind"] == "unit"}) >= 5
    functional = {w["code"] for w in tier2 if w["functional"]}
    for code in ("D-SCJG", "D-SW", "D-GAJJ", "D-RS", "D-YB", "D-ZJJ", "D-STHJ", "D-XZSP"):
        assert code in functional, f"{code} should be a functional department"


def test_desks_and_merged_lines() -> None:
    data = city()
    desks = {d["code"] for d in data["specialist_desks"]}
    assert desks >= {"business_env", "market_entity", "legal_aid", "public_opinion"}
    assert [d["code"] for d in data["specialist_desks"] if d["oversight"]] == ["business_env"]
    for m in data["merged_lines"]:
        assert m["merge_mode"] in MERGE_MODES, m
        assert m["desk"] is None or m["desk"] in desks, m
    assert {"12348", "12328", "12350", "12366"} <= {m["number"] for m in data["merged_lines"]}


def test_users_cover_every_role_and_the_workstation_scenarios() -> None:
    data = city()
    by_code = workstations()
    desks = {d["code"] for d in data["specialist_desks"]}
    roles = Counter(u["role"] for u in data["users"])
    assert set(roles) == {r.value for r in Role}
    assert roles["agent"] >= 2
    for u in data["users"]:
        assert len(u["password"]) >= 8, u["username"]
        assert (u["workstation"] is not None) == (u["role"] == "workstation_staff"), u["username"]
        assert u["workstation"] is None or u["workstation"] in by_code, u["username"]
        assert (u["desk"] is not None) == (u["role"] == "desk_agent"), u["username"]
        assert u["desk"] is None or u["desk"] in desks, u["username"]
    assert any(u["desk"] == "business_env" for u in data["users"])
    staff = [by_code[u["workstation"]] for u in data["users"] if u["role"] == "workstation_staff"]
    counties = [w for w in staff if w["tier"] == 2 and w["kind"] == "county"]
    assert len({w["code"] for w in counties}) >= 2, "staff at two different county governments"
    assert any(w["tier"] == 3 and w["parent"] in {c["code"] for c in counties} for w in staff)
    assert any(w["tier"] == 2 and w["kind"] == "department" and w["functional"] for w in staff)


def test_gazetteer_points_at_responsible_tier3_stations() -> None:
    data = city()
    by_code = workstations()
    gaz = data["gazetteer"]
    assert len(gaz) >= 400
    assert set(Counter(g["kind"] for g in gaz)) == GAZETTEER_KINDS
    for g in gaz:
        ws = by_code.get(g["workstation"])
        assert ws is not None, f"{g['name']}: unknown workstation {g['workstation']}"
        where = f"{g['name']} -> {ws['code']}"
        assert ws["tier"] == 3 and ws["kind"] != "unit", f"{where}: not a locality station"
        assert g["region"] == ws["region"], f"{where}: region {g['region']} vs station {ws['region']}"
        assert g["name"] not in g["aliases"], g["name"]
    places = {g["workstation"] for g in gaz if g["kind"] in {"street", "township", "community"}}
    for w in by_code.values():
        if w["tier"] == 3 and w["kind"] != "unit":
            assert w["code"] in places, f"{w['code']} {w['name']} has no gazetteer entry"
    assert sum(bool(g["aliases"]) for g in gaz) >= 0.9 * len(gaz)


# --- taxonomy and catalogue -----------------------------------------------------------------------------


def test_taxonomy_shape() -> None:
    rows = taxonomy()
    triples = [(r["level1"], r["level2"], r["level3"]) for r in rows]
    assert not duplicates(["/".join(t) for t in triples])
    assert all(all(t) for t in triples)
    level1 = {t[0] for t in triples}
    assert level1 >= CLASSIFIER_LEVEL1
    assert 10 <= len(level1) <= 16
    assert 40 <= len({t[:2] for t in triples}) <= 70
    assert 120 <= len(triples) <= 200


def test_catalogue_rules_resolve() -> None:
    data = city()
    by_code = workstations()
    regions = {r["code"] for r in data["regions"]}
    triples = {(r["level1"], r["level2"], r["level3"]) for r in taxonomy()}
    rules = data["catalogue"]
    assert len(rules) >= 40
    for rule in rules:
        key = (rule["level1"], rule["level2"], rule["level3"])
        assert key in triples, f"catalogue category {'/'.join(key)} is not in taxonomy.json"
        assert rule["region"] is None or rule["region"] in regions, rule
        assert rule["lead"] == "LOCAL" or by_code.get(rule["lead"], {}).get("tier") == 2, rule
        for code in rule["assist"]:
            assert code in by_code, f"{'/'.join(key)}: unknown assisting unit {code}"
            assert code != rule["lead"], rule
        assert isinstance(rule["keywords"], list), rule
        assert rule["reply_days"] is None or (isinstance(rule["reply_days"], int) and rule["reply_days"] > 0)
    # A region-specific rule and the general rule for the same category must not both be general.
    scopes = [(r["level1"], r["level2"], r["level3"], r["region"]) for r in rules]
    assert not duplicates(["/".join(map(str, s)) for s in scopes])
    assert sum(bool(r["keywords"]) for r in rules) >= 20
    assert sum(r["region"] is not None for r in rules) >= 3
    assert sum(not r["tier3_allowed"] for r in rules) >= 5
    assert sum(r["lead"] == "LOCAL" for r in rules) >= 10


# --- seed knowledge base --------------------------------------------------------------------------------


def test_seed_front_matter() -> None:
    by_code = workstations()
    regions = {r["code"] for r in city()["regions"]}
    docs = seed_docs()
    assert not duplicates([meta["title"] for _, meta, _ in docs])
    for name, meta, body in docs:
        assert re.fullmatch(r"[a-z0-9-]+\.md", name), f"{name}: file names stay ASCII"
        assert set(meta) == FRONT_MATTER_KEYS, f"{name}: keys {sorted(meta)}"
        assert meta["category"] in KB_CATEGORIES, f"{name}: category {meta['category']}"
        assert meta["owner"] in by_code, f"{name}: unknown owner {meta['owner']}"
        assert meta["region"] is None or meta["region"] in regions, f"{name}: region {meta['region']}"
        assert isinstance(meta["valid_from"], dt.date), f"{name}: valid_from {meta['valid_from']!r}"
        assert meta["valid_to"] is None or meta["valid_to"] > meta["valid_from"], name
        assert isinstance(meta["tags"], list) and meta["tags"], f"{name}: tags"
        assert meta["department"], name
        assert headings(body, 1) == [meta["title"]], f"{name}: the only # heading is the title"
        assert len(headings(body, 2)) >= 3, f"{name}: too few ## sections for the importer to split"


def test_seed_counts() -> None:
    counts = Counter(meta["category"] for _, meta, _ in seed_docs())
    assert counts["terminal_manual"] >= 6
    assert counts["service_guide"] >= 20
    assert counts["faq"] >= 10
    assert counts["policy"] >= 5
    assert counts["call_script"] >= 5


@pytest.mark.parametrize("name", [n for n, m, _ in seed_docs() if m["category"] == "terminal_manual"])
def test_terminal_manual_can_be_read_out_by_phone(name: str) -> None:
    _, meta, body = next(d for d in seed_docs() if d[0] == name)
    sections = headings(body, 2)
    for wanted in MANUAL_SECTIONS:
        assert any(wanted in s for s in sections), f"{name}: no '{wanted}' section"
    steps_part = body.split("## 操作步骤", 1)[1].split("\n## ", 1)[0]
    functions = headings(steps_part, 3)
    assert len(functions) >= 3, f"{name}: fewer than 3 operations described"
    for block in re.split(r"^### .+$", steps_part, flags=re.M)[1:]:
        assert len(re.findall(r"^\d+\. ", block, re.M)) >= 2, f"{name}: an operation without numbered steps"
    faults = body.split("## 常见故障及处理", 1)[1].split("\n## ", 1)[0]
    for fault in MANUAL_FAULTS:
        assert fault in faults, f"{name}: fault '{fault}' not covered"
    placement = body.split("## 摆放位置", 1)[1].split("\n## ", 1)[0]
    assert "7×24" in placement, f"{name}: placement does not mention the 7×24 self-service area"
    assert "政务服务中心" in placement, f"{name}: placement does not name the service hall"


@pytest.mark.parametrize("name", [n for n, m, _ in seed_docs() if m["category"] == "service_guide"])
def test_service_guide_sections(name: str) -> None:
    _, _, body = next(d for d in seed_docs() if d[0] == name)
    sections = headings(body, 2)
    for wanted in GUIDE_SECTIONS:
        assert wanted in sections, f"{name}: no '{wanted}' section"


def test_faqs_and_call_scripts_have_several_sections() -> None:
    for name, meta, body in seed_docs():
        if meta["category"] == "faq":
            questions = [h for h in headings(body, 2) if h.startswith("问：")]
            assert len(questions) >= 4, f"{name}: {len(questions)} questions"
            assert body.count("答：") == len(questions), f"{name}: every question needs one answer"
        if meta["category"] == "call_script":
            assert len(headings(body, 2)) >= 4, name
    scripts = " ".join(body for _, m, body in seed_docs() if m["category"] == "call_script")
    for topic in ("开场白", "安抚", "保密", "联动", "结束语"):
        assert topic in scripts, f"no call script covers {topic}"


# --- jieba dictionary -----------------------------------------------------------------------------------


@cache
def dict_words() -> dict[str, tuple[int, str]]:
    words = {}
    for n, line in enumerate(DICT.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split(" ")
        assert len(parts) == 3 and parts[1].isdigit() and parts[2].isalpha(), f"line {n}: {line!r}"
        assert parts[0] not in words, f"line {n}: {parts[0]} repeated"
        words[parts[0]] = (int(parts[1]), parts[2])
    return words


def test_dictionary_holds_every_place_alias_and_terminal() -> None:
    words = dict_words()
    data = city()
    spoken = [g["name"] for g in data["gazetteer"]] + [a for g in data["gazetteer"] for a in g["aliases"]]
    spoken += [r["name"] for r in data["regions"]] + [w["name"] for w in data["workstations"]]
    missing = [w for w in spoken if w not in words]
    assert not missing, f"{len(missing)} names missing from demo_city.txt, e.g. {missing[:5]}"
    for _, meta, _ in seed_docs():
        if meta["category"] == "terminal_manual":
            terminal = meta["title"].removesuffix("操作手册")
            assert terminal in words, f"terminal {terminal} missing from demo_city.txt"
    for short in ("住建局", "市场监管局", "人社局", "医保局", "交警支队", "城管局", "公积金中心"):
        assert short in words, short


def test_dictionary_keeps_place_names_whole_in_jieba() -> None:
    tok = jieba.Tokenizer()
    tok.initialize()
    with DICT.open("rb") as fh:
        tok.load_userdict(fh)
    for sentence, place in [
        ("我住在桂花那边，小区门口路灯不亮", "桂花那边"),
        ("云州东站出站口的出租车拒载", "云州东站"),
        ("政务服务自助一体机打印不出来社保证明", "政务服务自助一体机"),
        ("鼓楼街道鼓楼小区物业不管事", "鼓楼小区"),
        ("去白石温泉度假区的路上有坑", "白石温泉度假区"),
    ]:
        assert place in tok.lcut(sentence), f"{place} split in {tok.lcut(sentence)}"
