"""Passage splitting and the file importers (no database)."""

from __future__ import annotations

import pytest

from kb.chunking import chunk_markdown, sections, split_text
from kb.importers import ImportErrorBadFile, load_bytes
from tests.kb.conftest import SHARED_DATA, catalogue_file, docx_file, html_file, markdown_file, pdf_file


def test_sections_keep_heading_path_and_drop_title_heading() -> None:
    md = (
        "# 手册\n\n引言。\n\n## 操作步骤\n\n### 一、登录\n\n插卡。\n\n"
        "### 二、查询\n\n点击查询。\n\n## 注意\n\n保管好密码。\n"
    )
    got = [(c.heading_path, c.text) for c in sections(md, title="手册")]
    assert got == [
        ((), "引言。"),
        (("操作步骤", "一、登录"), "插卡。"),
        (("操作步骤", "二、查询"), "点击查询。"),
        (("注意",), "保管好密码。"),
    ]


def test_sections_keep_lists_and_tables_whole() -> None:
    md = "## 材料\n\n1. 身份证；\n2. 户口簿。\n\n| 项目 | 费用 |\n|---|---|\n| 补领 | 20元 |\n"
    (only,) = sections(md)
    assert only.heading_path == ("材料",)
    assert "1. 身份证；\n2. 户口簿。" in only.text and "| 补领 | 20元 |" in only.text


def test_long_section_is_split_with_overlap_within_max_length() -> None:
    sentences = [f"第{i}句说明办理要求和材料清单。" for i in range(80)]
    pieces = split_text("".join(sentences), max_chars=200, overlap=40)
    assert len(pieces) > 5
    assert all(len(p) <= 200 for p in pieces)
    for before, after in zip(pieces, pieces[1:], strict=False):
        # The next piece starts with whole sentences (at most 40 characters) repeated from the previous end.
        shared = max(k for k in range(0, 41) if before.endswith(after[:k]))
        assert shared > 0 and after[:shared].endswith("。") and after[:shared].startswith("第")
    assert "".join(sentences).startswith(pieces[0])
    assert pieces[-1].endswith(sentences[-1])


def test_chunk_markdown_splits_long_sections_under_their_heading() -> None:
    md = "## 长章节\n\n" + "".join(f"这是第{i}句很长的说明文字。" for i in range(120)) + "\n\n## 短章节\n\n短。\n"
    chunks = chunk_markdown(md, max_chars=300, overlap=50)
    assert {c.heading_path for c in chunks} == {("长章节",), ("短章节",)}
    assert sum(c.heading_path == ("长章节",) for c in chunks) >= 4
    assert len({c.content_hash for c in chunks}) == len(chunks)


def test_split_rejects_overlap_not_below_max() -> None:
    with pytest.raises(ValueError, match="max_chars 50 must exceed overlap 50"):
        split_text("文字" * 100, max_chars=50, overlap=50)


def test_markdown_import_reads_front_matter() -> None:
    (item,) = load_bytes("shebao.md", markdown_file())
    assert item.title == "社保卡挂失手册"
    assert item.source_key == "shebao.md"
    assert item.meta["category"] == "terminal_manual" and item.meta["owner"] == "D-ZJJ"
    assert item.meta["tags"] == ["社保卡", "挂失"]
    paths = [c.heading_path for c in chunk_markdown(item.body, title=item.title)]
    assert ("操作步骤", "一、临时挂失") in paths


def test_html_import_headings_lists_tables_and_meta() -> None:
    (item,) = load_bytes("budongchan.html", html_file(), defaults={"department": "云州市自然资源局"})
    assert item.title == "不动产登记查询指南"
    assert item.meta == {
        "department": "云州市自然资源局",
        "category": "service_guide",
        "tags": ["不动产", "查档"],
    }
    assert "导航" not in item.body  # navigation is not content
    chunks = {c.heading_path: c.text for c in chunk_markdown(item.body, title=item.title)}
    assert chunks[("所需材料",)].startswith("- 本人身份证")
    assert "查档 | 免费" in chunks[("所需材料",)]


def test_docx_import_heading_styles_and_tables() -> None:
    (item,) = load_bytes("gjj.docx", docx_file())
    assert item.title == "公积金自助终端操作手册"
    assert item.meta["category"] == "terminal_manual" and item.meta["tags"] == ["公积金", "自助终端"]
    chunks = {c.heading_path: c.text for c in chunk_markdown(item.body, title=item.title)}
    assert chunks[("第一部分 查询余额",)] == "插入身份证，选择余额查询，屏幕显示住房公积金账户余额。"
    assert "读卡失败 | 擦拭证件后重试" in chunks[("第二部分 打印明细",)]


def test_pdf_import_numbered_headings_in_chinese() -> None:
    (item,) = load_bytes("yitiji.pdf", pdf_file(), defaults={"category": "terminal_manual"})
    assert item.title == "政务服务一体机操作手册"
    chunks = {c.heading_path: c.text for c in chunk_markdown(item.body, title=item.title)}
    assert chunks[("第一章 设备简介",)] == "政务服务一体机可以打印营业执照副本。"
    assert chunks[("第二章 常见故障", "一、打印失败")] == "打印失败时请记下设备编号并联系大厅工作人员。"


def test_catalogue_jsonl_one_article_per_row() -> None:
    items = load_bytes("items.jsonl", catalogue_file())
    assert [i.source_key for i in items] == ["catalogue:T-0001", "catalogue:T-0002"]
    first = items[0]
    assert first.title == "护照首次申领" and first.meta["department"] == "云州市公安局出入境管理支队"
    assert first.meta["category"] == "service_guide" and first.meta["tags"] == ["公共服务", "护照申领"]
    chunks = {c.heading_path: c.text for c in chunk_markdown(first.body, title=first.title)}
    assert chunks[("办理地点",)] == "云州市政务服务中心二楼"
    assert chunks[("办理时限",)] == "7个工作日"
    assert chunks[("申请材料",)] == "- 居民身份证\n- 近期免冠照片"


def test_bad_files_name_the_file() -> None:
    with pytest.raises(ImportErrorBadFile, match="'notes.txt'"):
        load_bytes("notes.txt", b"x")
    with pytest.raises(ImportErrorBadFile, match="items.jsonl 第 2 行"):
        load_bytes("items.jsonl", catalogue_file().split(b"\n")[0] + b"\n{broken")
    with pytest.raises(ImportErrorBadFile, match="'broken.docx'"):
        load_bytes("broken.docx", b"not a zip")


def test_real_service_catalogue_parses() -> None:
    path = SHARED_DATA / "service-catalogue" / "items.jsonl"
    if not path.is_file():
        pytest.skip(f"shared data not found at {path} (read from ../shared/data, never committed)")
    items = load_bytes(path.name, path.read_bytes())
    assert len(items) > 1000
    assert len({i.source_key for i in items}) == len(items)
    assert all(i.title and "## " in i.body for i in items)
