"""File importers: each format becomes ``ImportedArticle``s whose body is Markdown, so that one splitter
(``kb.chunking``) cuts every format along its headings.

    articles = load_path(Path("manual.docx"), defaults={"category": "terminal_manual"})

Formats by suffix: ``.md``/``.markdown`` (YAML front matter), ``.html``/``.htm``, ``.docx``, ``.pdf``,
``.jsonl`` (service catalogue rows, one article each). Metadata a file does not carry comes from
``defaults`` (CLI options or API form fields); ``owner`` is a workstation code, resolved by the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ImportErrorBadFile(ValueError):
    """A file that cannot be imported; the message names the file and the reason."""


@dataclass(slots=True)
class ImportedArticle:
    source_key: str
    title: str
    body: str  # Markdown
    meta: dict[str, Any] = field(default_factory=dict)  # category, department, owner, region, tags, valid_*


def _markdown(path: Path, data: bytes, defaults: dict[str, Any]) -> list[ImportedArticle]:
    from kb.importers.markdown import load

    return [load(path, data, defaults)]


def _html(path: Path, data: bytes, defaults: dict[str, Any]) -> list[ImportedArticle]:
    from kb.importers.html import load

    return [load(path, data, defaults)]


def _docx(path: Path, data: bytes, defaults: dict[str, Any]) -> list[ImportedArticle]:
    from kb.importers.docx import load

    return [load(path, data, defaults)]


def _pdf(path: Path, data: bytes, defaults: dict[str, Any]) -> list[ImportedArticle]:
    from kb.importers.pdf import load

    return [load(path, data, defaults)]


def _jsonl(path: Path, data: bytes, defaults: dict[str, Any]) -> list[ImportedArticle]:
    from kb.importers.catalogue import load

    return load(path, data, defaults)


LOADERS: dict[str, Callable[[Path, bytes, dict[str, Any]], list[ImportedArticle]]] = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
    ".docx": _docx,
    ".pdf": _pdf,
    ".jsonl": _jsonl,
}


def import_defaults(
    *, category: str | None, department: str | None, owner: str | None, region: str | None
) -> dict[str, str]:
    """Metadata given by the importer (form fields or CLI options) for files that do not carry it."""
    given = {"category": category, "department": department, "owner": owner, "region_code": region}
    return {k: v for k, v in given.items() if v}


def load_bytes(name: str, data: bytes, *, defaults: dict[str, Any] | None = None) -> list[ImportedArticle]:
    """Articles in the file called ``name`` (its suffix picks the format) with content ``data``."""
    path = Path(name)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise ImportErrorBadFile(f"不支持的文件类型 {path.name!r}，可导入 {', '.join(sorted(LOADERS))}")
    try:
        return loader(path, data, dict(defaults or {}))
    except ImportErrorBadFile:
        raise
    except Exception as exc:  # a parser's own error: say which file it was
        raise ImportErrorBadFile(f"无法解析文件 {path.name!r}: {exc}") from exc


def load_path(path: Path, *, defaults: dict[str, Any] | None = None) -> list[ImportedArticle]:
    return load_bytes(path.name, path.read_bytes(), defaults=defaults)


def title_from_path(path: Path) -> str:
    return path.stem.replace("_", " ").strip() or path.name
