"""The demo city's three-level category taxonomy (trimmed from ``../shared/data/taxonomy`` and shipped
with the demo content): what the console's category pickers offer and what a catalogue rule may name."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

TAXONOMY = Path(__file__).resolve().parents[2] / "hotline" / "demo" / "data" / "taxonomy.json"


@lru_cache(maxsize=1)
def taxonomy() -> tuple[dict[str, str], ...]:
    """Rows of ``level1``, ``level2``, ``level3``; empty when the file is absent (no check then)."""
    if not TAXONOMY.exists():
        return ()
    return tuple(json.loads(TAXONOMY.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _known() -> frozenset[tuple[str, str, str]]:
    return frozenset((t["level1"], t["level2"], t["level3"]) for t in taxonomy())


def unknown_category(level1: str, level2: str, level3: str) -> str | None:
    """None when the taxonomy has this category (or there is no taxonomy); else the first level that
    is not there, named, for the error message."""
    known = _known()
    if not known or (level1, level2, level3) in known:
        return None
    if not any(k[0] == level1 for k in known):
        return f"一级分类 {level1!r}"
    if not any(k[:2] == (level1, level2) for k in known):
        return f"二级分类 {level1}/{level2!r}"
    return f"三级分类 {level1}/{level2}/{level3!r}"
