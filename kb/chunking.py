"""Markdown to passages along headings, keeping each passage's heading path for display.

Every importer converts its format to Markdown first, so this is the one splitter. A section longer than
``max_chars`` is cut at sentence ends into pieces of at most ``max_chars`` that repeat up to
``overlap`` characters of whole sentences from the previous piece, so a fact near a cut is whole in at
least one passage. Sizes: e5-small sees 512 tokens (~700 Chinese characters); 600 leaves room for the
title and heading path that ``index_text`` prepends.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

MAX_CHARS = 600
OVERLAP = 100
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
_md = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True, slots=True)
class Chunk:
    heading_path: tuple[str, ...]
    text: str

    @property
    def content_hash(self) -> str:
        raw = json.dumps([list(self.heading_path), self.text], ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def sections(markdown: str, *, title: str = "") -> list[Chunk]:
    """``(heading path, text)`` per heading section, in document order; empty sections dropped.

    A top-level heading equal to the article title is left out of the paths (it says nothing new).
    """
    lines = markdown.splitlines()
    tokens = _md.parse(markdown)
    stack: list[tuple[int, str]] = []
    out: list[Chunk] = []
    body: list[str] = []

    def flush() -> None:
        text = "\n".join(body).strip()
        if text:
            out.append(Chunk(tuple(h for _, h in stack), text))
        body.clear()

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open" and tok.level == 0:
            flush()
            level = int(tok.tag[1])
            heading = tokens[i + 1].content.strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            if not (level == 1 and not stack and heading == title.strip()):
                stack.append((level, heading))
            i += 3
            continue
        if tok.level == 0 and tok.map is not None and tok.nesting in (0, 1):
            start, end = tok.map
            body.append("\n".join(lines[start:end]))
            # Skip to the matching close token: its source lines were just taken whole.
            if tok.nesting == 1:
                depth = 1
                while depth and i + 1 < len(tokens):
                    i += 1
                    depth += tokens[i].nesting
        i += 1
    flush()
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s and s.strip()]


def split_text(text: str, *, max_chars: int = MAX_CHARS, overlap: int = OVERLAP) -> list[str]:
    """``text`` in pieces of at most ``max_chars`` (a single longer sentence is cut hard)."""
    if max_chars <= overlap:
        raise ValueError(f"max_chars {max_chars} must exceed overlap {overlap}")
    if len(text) <= max_chars:
        return [text]
    units: list[str] = []
    for sentence in _sentences(text):
        while len(sentence) > max_chars:
            units.append(sentence[:max_chars])
            sentence = sentence[max_chars - overlap :]
        units.append(sentence)
    pieces: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and sum(map(len, current)) + len(unit) > max_chars:
            pieces.append("".join(current).strip())
            carried: list[str] = []
            for prev in reversed(current):
                if sum(map(len, carried)) + len(prev) > overlap:
                    break
                carried.insert(0, prev)
            # Overlap must leave room for the next unit, or the loop would never progress.
            while carried and sum(map(len, carried)) + len(unit) > max_chars:
                carried.pop(0)
            current = carried
        current.append(unit)
    if current:
        pieces.append("".join(current).strip())
    return [p for p in pieces if p]


def chunk_markdown(
    markdown: str, *, title: str = "", max_chars: int = MAX_CHARS, overlap: int = OVERLAP
) -> list[Chunk]:
    """Passages of ``markdown``: heading sections, long ones split with overlap."""
    out: list[Chunk] = []
    for section in sections(markdown, title=title):
        for piece in split_text(section.text, max_chars=max_chars, overlap=overlap):
            out.append(Chunk(section.heading_path, piece))
    return out
