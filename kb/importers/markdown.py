"""Markdown with optional YAML front matter (the format of ``kb/seed/*.md``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kb.importers import ImportedArticle, ImportErrorBadFile, title_from_path

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise ImportErrorBadFile(f"front matter is not a mapping but {type(meta).__name__}")
    return meta, text[match.end() :]


def load(path: Path, data: bytes, defaults: dict[str, Any]) -> ImportedArticle:
    text = data.decode("utf-8-sig")
    meta, body = split_front_matter(text)
    title = meta.pop("title", None) or defaults.pop("title", None)
    if not title:
        h1 = _H1.search(body)
        title = h1.group(1) if h1 else title_from_path(path)
    return ImportedArticle(
        source_key=str(meta.pop("source_key", None) or defaults.pop("source_key", None) or path.name),
        title=str(title),
        body=body.strip() + "\n",
        meta={**defaults, **meta},
    )
