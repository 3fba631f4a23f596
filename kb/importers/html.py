"""HTML pages: headings, paragraphs, lists and tables to Markdown (beautifulsoup4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from kb.importers import ImportedArticle, title_from_path

_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dt", "dd")


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def to_markdown(soup: BeautifulSoup) -> str:
    root = soup.body or soup
    for junk in root.find_all(["script", "style", "nav", "header", "footer", "noscript"]):
        junk.decompose()
    out: list[str] = []
    for tag in root.find_all(_BLOCKS):
        # Nested blocks (a <p> inside an <li>) are taken once, by the outer block.
        if tag.find_parent(_BLOCKS) is not None:
            continue
        text = _text(tag)
        if not text:
            continue
        if tag.name[0] == "h" and tag.name[1:].isdigit():
            out.append(f"{'#' * int(tag.name[1])} {text}")
        elif tag.name == "li":
            out.append(f"- {text}")
        elif tag.name == "tr":
            cells = [_text(c) for c in tag.find_all(["td", "th"])]
            out.append(" | ".join(c for c in cells if c))
        else:
            out.append(text)
    return "\n\n".join(out) + "\n"


def load(path: Path, data: bytes, defaults: dict[str, Any]) -> ImportedArticle:
    soup = BeautifulSoup(data, "html.parser")
    meta: dict[str, Any] = {}
    for tag in soup.find_all("meta"):
        name = str(tag.get("name") or "")
        if name.startswith("kb:") and tag.get("content") is not None:
            meta[name[3:]] = str(tag["content"])
    if "tags" in meta:
        meta["tags"] = [t.strip() for t in meta["tags"].split(",") if t.strip()]
    h1 = soup.find("h1")
    title = (
        defaults.pop("title", None)
        or (soup.title.get_text(strip=True) if soup.title else "")
        or (_text(h1) if isinstance(h1, Tag) else "")
        or title_from_path(path)
    )
    return ImportedArticle(
        source_key=str(defaults.pop("source_key", None) or path.name),
        title=title,
        body=to_markdown(soup),
        meta={**defaults, **meta},
    )
