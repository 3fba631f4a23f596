"""PDF manuals (pypdf). Headings come from the outline (bookmarks) when the file has one, else from
numbered heading lines (第一章, 一、, 1.2 …), the way Chinese government manuals are laid out."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from kb.importers import ImportedArticle, title_from_path

_CN_NUM = "一二三四五六七八九十百"
_NUMBERED = [
    (re.compile(rf"^第[{_CN_NUM}\d]+[章篇部分]\s*\S"), 1),
    (re.compile(rf"^第[{_CN_NUM}\d]+节\s*\S"), 2),
    (re.compile(rf"^[{_CN_NUM}]+、\S"), 2),
    (re.compile(r"^\d+\.\d+\.\d+\s+\S"), 4),
    (re.compile(r"^\d+\.\d+\s+\S"), 3),
    (re.compile(r"^(?:Chapter|Section)\s+\d+\b", re.I), 2),
]
_MAX_HEADING_CHARS = 40


def _outline_titles(reader: PdfReader) -> dict[str, int]:
    """Outline entry title → depth (1-based)."""
    out: dict[str, int] = {}

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                title = str(getattr(item, "title", "") or "").strip()
                if title:
                    out.setdefault(title, depth)

    try:
        walk(reader.outline, 1)
    except Exception:  # a broken outline is common; fall back to numbered lines
        return {}
    return out


def heading_level(line: str, outline: dict[str, int]) -> int | None:
    if line in outline:
        return outline[line] + 1  # level 1 is the document title
    if len(line) > _MAX_HEADING_CHARS or line.endswith(("。", "；", "，")):
        return None
    for pattern, level in _NUMBERED:
        if pattern.match(line):
            return level
    return None


def load(path: Path, data: bytes, defaults: dict[str, Any]) -> ImportedArticle:
    reader = PdfReader(io.BytesIO(data))
    outline = _outline_titles(reader)
    lines: list[str] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            lines.append("".join(paragraph) if all(ord(p[-1]) > 127 for p in paragraph) else " ".join(paragraph))
            paragraph.clear()

    for page in reader.pages:
        for raw in (page.extract_text() or "").splitlines():
            line = raw.strip()
            if not line:
                end_paragraph()
                continue
            level = heading_level(line, outline)
            if level is not None:
                end_paragraph()
                lines.append(f"{'#' * level} {line}")
            else:
                paragraph.append(line)
                if line.endswith(("。", "！", "？", ".", ":", "：")):
                    end_paragraph()
        end_paragraph()
    info = reader.metadata
    title = defaults.pop("title", None) or (info.title if info and info.title else "") or title_from_path(path)
    return ImportedArticle(
        source_key=str(defaults.pop("source_key", None) or path.name),
        title=str(title),
        body="\n\n".join(lines) + "\n",
        meta=defaults,
    )
