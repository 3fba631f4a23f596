"""Word documents (python-docx): "Heading N" / "标题 N" paragraph styles become Markdown headings."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from kb.importers import ImportedArticle, title_from_path

_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _blocks(document: Any) -> list[Paragraph | Table]:
    """Paragraphs and tables in body order (python-docx lists them separately)."""
    out: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            out.append(Paragraph(child, document))
        elif child.tag.endswith("}tbl"):
            out.append(Table(child, document))
    return out


def load(path: Path, data: bytes, defaults: dict[str, Any]) -> ImportedArticle:
    document = docx.Document(io.BytesIO(data))
    props = document.core_properties
    title = defaults.pop("title", None) or props.title or ""
    lines: list[str] = []
    for block in _blocks(document):
        if isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                lines.append(" | ".join(dict.fromkeys(c for c in cells if c)))  # merged cells repeat
            continue
        text = block.text.strip()
        if not text:
            continue
        style = block.style.name if block.style is not None else ""
        match = _HEADING.match(style)
        if style == "Title":
            title = title or text
            lines.append(f"# {text}")
        elif match:
            lines.append(f"{'#' * int(match.group(1))} {text}")
        elif style.lower().startswith("list"):
            lines.append(f"- {text}")
        else:
            lines.append(text)
    meta: dict[str, Any] = {}
    if props.category:
        meta["category"] = props.category
    if props.keywords:
        meta["tags"] = [t.strip() for t in re.split(r"[,，;；]", props.keywords) if t.strip()]
    if not title:
        first = next((ln[2:] for ln in lines if ln.startswith("# ")), None)
        title = first or title_from_path(path)
    return ImportedArticle(
        source_key=str(defaults.pop("source_key", None) or path.name),
        title=title,
        body="\n\n".join(lines) + "\n",
        meta={**defaults, **meta},
    )
