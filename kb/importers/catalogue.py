"""Government service catalogue rows (JSONL; fields TASK_CODE, TASK_NAME, TASK_TYPE_TEXT, DEPT_NAME,
handle_location, handle_time, accept_standard, material_intro, CATANAME): one service guide each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kb.importers import ImportedArticle, ImportErrorBadFile

REQUIRED = ("TASK_CODE", "TASK_NAME")


def _strip_label(value: str, label: str) -> str:
    # Values often repeat their own label ("办理地点：广州市…").
    return value.split("：", 1)[1].strip() if value.startswith(label + "：") else value.strip()


def row_to_article(row: dict[str, Any], defaults: dict[str, Any]) -> ImportedArticle:
    sections: list[tuple[str, str]] = []
    if row.get("TASK_TYPE_TEXT"):
        sections.append(("事项类型", str(row["TASK_TYPE_TEXT"])))
    if row.get("DEPT_NAME"):
        sections.append(("实施部门", str(row["DEPT_NAME"])))
    if row.get("handle_location"):
        sections.append(("办理地点", _strip_label(str(row["handle_location"]), "办理地点")))
    if row.get("handle_time"):
        sections.append(("办理时限", str(row["handle_time"]).replace("(工作日)", "个工作日")))
    if row.get("accept_standard"):
        sections.append(("受理条件", str(row["accept_standard"]).strip()))
    materials = row.get("material_intro") or []
    if isinstance(materials, str):
        materials = [materials]
    if materials:
        sections.append(("申请材料", "\n".join(f"- {m}" for m in materials if str(m).strip())))
    body = "\n\n".join(f"## {head}\n\n{text}" for head, text in sections if text.strip())
    tags = [t for t in dict.fromkeys([str(row.get("TASK_TYPE_TEXT") or ""), str(row.get("CATANAME") or "")]) if t]
    meta = {
        "category": "service_guide",
        **defaults,
        "department": row.get("DEPT_NAME") or defaults.get("department"),
    }
    meta["tags"] = list(dict.fromkeys([*meta.get("tags", []), *tags]))
    return ImportedArticle(
        source_key=f"catalogue:{row['TASK_CODE']}", title=str(row["TASK_NAME"]), body=body + "\n", meta=meta
    )


def load(path: Path, data: bytes, defaults: dict[str, Any]) -> list[ImportedArticle]:
    out: list[ImportedArticle] = []
    seen: set[str] = set()
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportErrorBadFile(f"{path.name} 第 {number} 行不是合法的 JSON: {exc}") from exc
        missing = [f for f in REQUIRED if not row.get(f)]
        if missing:
            raise ImportErrorBadFile(f"{path.name} 第 {number} 行缺少字段 {', '.join(missing)}")
        if row["TASK_CODE"] in seen:  # the catalogue repeats some rows verbatim; the first one wins
            continue
        seen.add(row["TASK_CODE"])
        out.append(row_to_article(row, defaults))
    return out
