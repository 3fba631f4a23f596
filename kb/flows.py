"""Steps with side effects on search: publish, retire, import.

Each step changes the passages in the same transaction and emits one event (``kb.article.published`` /
``kb.article.retired``) naming the passage ids to upsert and to delete. ``indexer.sync`` applies those
events to the search index from its persisted cursor, so a crash between this commit and the index
write is repaired when the consumer next starts. Unchanged passages keep their ids and are not
re-indexed, unless the article's searchable metadata (title, category, region, validity…) changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import session_scope, utcnow
from hotline.events import emit
from hotline.users.service import Principal
from kb.auth import check_review
from kb.chunking import chunk_markdown
from kb.importers import ImportedArticle, load_path
from kb.models import KbArticle, KbPassage, KbVersion
from kb.schemas import ArticleIn, ImportReport
from kb.service import (
    AUDIENCE,
    Conflict,
    content_hash,
    create_article,
    meta_from_import,
    new_version,
    passages,
    published_version,
)

SEED_DIR = Path(__file__).parent / "seed"
PUBLISHED = "kb.article.published"
RETIRED = "kb.article.retired"


@dataclass(slots=True)
class PassageDiff:
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)


def _index_signature(article: KbArticle) -> tuple[object, ...]:
    """What the index stores besides passage text: a change means every passage is re-upserted."""
    return (
        article.title,
        article.category,
        article.region_code,
        article.department,
        article.owner_unit_id,
        article.valid_from,
        article.valid_to,
        article.published_version is not None,
    )


def sync_passages(*, session: Session, article: KbArticle, body: str) -> PassageDiff:
    """Make the article's passages those of ``body``, keeping rows whose content is unchanged."""
    diff = PassageDiff()
    unused: dict[str, list[KbPassage]] = {}
    for row in passages(session=session, article_id=article.id):
        unused.setdefault(row.content_hash, []).append(row)
    new_rows: list[KbPassage] = []
    for ordinal, chunk in enumerate(chunk_markdown(body, title=article.title)):
        same = unused.get(chunk.content_hash)
        if same:
            row = same.pop(0)
            row.ordinal = ordinal
            diff.kept.append(row.id)
        else:
            row = KbPassage(
                article_id=article.id,
                ordinal=ordinal,
                heading_path=list(chunk.heading_path),
                text=chunk.text,
                content_hash=chunk.content_hash,
            )
            session.add(row)
            new_rows.append(row)
    diff.removed = [row.id for rows in unused.values() for row in rows]
    if diff.removed:
        session.execute(delete(KbPassage).where(KbPassage.id.in_(diff.removed)))
    session.flush()
    diff.added = [row.id for row in new_rows]
    return diff


def publish(
    *,
    session: Session,
    article: KbArticle,
    version: KbVersion,
    reviewer: Principal | None,
    direct: bool = False,
) -> PassageDiff:
    """Make ``version`` the published content. Only reviewed versions, unless ``direct`` (imports)."""
    if reviewer is not None:
        check_review(reviewer)
    if version.article_id != article.id:
        raise Conflict(f"第 {version.number} 版不属于知识条目 {article.id}")
    if version.state != "review" and not (direct and version.state == "draft"):
        raise Conflict(f"第 {version.number} 版状态为 {version.state}，只有待审核的版本可以发布")
    before = _index_signature(article)
    old = published_version(session=session, article=article)
    if old is not None:
        old.state = "superseded"
    now = utcnow()
    version.state = "published"
    version.reviewer_id = reviewer.id if reviewer else None
    version.reviewed_at = now
    meta = version.meta
    article.title = version.title
    for name in ("category", "subcategory", "region_code", "department", "owner_unit_id", "tags"):
        setattr(article, name, meta.get(name) if name != "tags" else list(meta.get("tags") or []))
    article.valid_from = date.fromisoformat(meta["valid_from"]) if meta.get("valid_from") else None
    article.valid_to = date.fromisoformat(meta["valid_to"]) if meta.get("valid_to") else None
    article.state = "published"
    article.published_version = version.number
    article.review_due_at = None
    diff = sync_passages(session=session, article=article, body=version.body)
    upsert = diff.added + (diff.kept if _index_signature(article) != before else [])
    article.index_status = "pending"
    article.index_error = None
    article.updated_at = now
    emit(
        session,
        PUBLISHED,
        {
            "article_id": article.id,
            "version": version.number,
            "title": article.title,
            "upsert": upsert,
            "delete": diff.removed,
        },
        audience=AUDIENCE,
        workstation_ids=[article.owner_unit_id] if article.owner_unit_id else [],
    )
    return diff


def retire(*, session: Session, article: KbArticle, reviewer: Principal | None) -> list[int]:
    """Take the article out of search (its versions stay as history)."""
    if reviewer is not None:
        check_review(reviewer)
    if article.state == "retired":
        raise Conflict(f"知识条目 {article.id} 已下线")
    ids = [p.id for p in passages(session=session, article_id=article.id)]
    if ids:
        session.execute(delete(KbPassage).where(KbPassage.id.in_(ids)))
    article.state = "retired"
    article.index_status = "pending"
    article.review_due_at = None
    article.updated_at = utcnow()
    emit(
        session,
        RETIRED,
        {"article_id": article.id, "title": article.title, "upsert": [], "delete": ids},
        audience=AUDIENCE,
        workstation_ids=[article.owner_unit_id] if article.owner_unit_id else [],
    )
    return ids


def import_articles(
    *,
    session: Session,
    items: list[ImportedArticle],
    author_id: int | None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Publish imported articles, matched to existing ones by ``source_key``. An unchanged item changes
    nothing (no version, no event); a changed one gets a new published version and only its changed
    passages are replaced."""
    report = ImportReport()
    for item in items:
        meta = meta_from_import(session=session, raw=item.meta)
        data = ArticleIn(title=item.title, body=item.body, note=f"导入 {item.source_key}", **meta.model_dump())
        article = session.scalar(select(KbArticle).where(KbArticle.source_key == item.source_key))
        if article is None:
            article, version = create_article(
                session=session, data=data, author_id=author_id, source_key=item.source_key
            )
            report.created += 1
        else:
            current = published_version(session=session, article=article)
            if (
                article.state == "published"
                and current is not None
                and current.content_hash == content_hash(item.title, item.body, meta)
            ):
                report.unchanged += 1
                report.passages_kept += len(passages(session=session, article_id=article.id))
                report.articles.append(article.id)
                if progress:
                    progress(1)
                continue
            version = new_version(session=session, article=article, data=data, author_id=author_id)
            report.updated += 1
        diff = publish(session=session, article=article, version=version, reviewer=None, direct=True)
        report.passages_added += len(diff.added)
        report.passages_removed += len(diff.removed)
        report.passages_kept += len(diff.kept)
        report.articles.append(article.id)
        if progress:
            progress(1)
    return report


def seed_items() -> list[ImportedArticle]:
    items: list[ImportedArticle] = []
    for path in sorted(SEED_DIR.glob("*.md")):
        items += load_path(path, defaults={"source_key": f"seed:{path.stem}"})
    return items


def import_seed(factory: sessionmaker[Session]) -> ImportReport:
    """Publish ``kb/seed/*.md`` (demo content); idempotent. Needs the demo city's workstations (owners)."""
    items = seed_items()
    with session_scope(factory) as session:
        return import_articles(session=session, items=items, author_id=None)
