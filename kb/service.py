"""Articles, versions, corrections and categories. Plain functions; the caller owns the transaction.

Workflow of a version: ``draft`` → (submit) ``review`` → (publish, in ``kb.flows``) ``published``; a
rejected review goes back to ``draft`` with the reviewer's comment. The previous published version
becomes ``superseded``. Every version keeps its author, times, reviewer and the fields it changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.events import emit
from hotline.org.models import Region, Workstation
from hotline.users.service import Principal
from kb.auth import EDITOR_ROLES, check_edit
from kb.models import KbArticle, KbCategory, KbCorrection, KbPassage, KbVersion
from kb.schemas import ROOT_CATEGORIES, ArticleIn, ArticleMeta, CategoryIn, CategoryNode, CorrectionIn

AUDIENCE = ["kb", "centre"]
META_FIELDS = tuple(ArticleMeta.model_fields)


class NotFound(LookupError):
    pass


class Conflict(ValueError):
    """The article or version is not in a state that allows this step; the message says which."""


class InvalidReference(ValueError):
    pass


# -- categories ------------------------------------------------------------------------------------
def category_tree(*, session: Session) -> list[CategoryNode]:
    rows = list(session.scalars(select(KbCategory).order_by(KbCategory.code)))
    nodes = {code: CategoryNode(code=code, name=name) for code, name in ROOT_CATEGORIES.items()}
    for row in rows:
        nodes[row.code] = CategoryNode(code=row.code, name=row.name)
    for row in rows:
        if row.parent_code in nodes:
            nodes[row.parent_code].children.append(nodes[row.code])
    return [nodes[code] for code in ROOT_CATEGORIES]


def root_of(*, session: Session, code: str) -> str:
    seen: set[str] = set()
    while code not in ROOT_CATEGORIES:
        row = session.get(KbCategory, code)
        if row is None or code in seen:
            raise InvalidReference(f"未知的知识分类 {code!r}")
        seen.add(code)
        code = row.parent_code
    return code


def add_category(*, session: Session, data: CategoryIn) -> KbCategory:
    if data.code in ROOT_CATEGORIES or session.get(KbCategory, data.code) is not None:
        raise Conflict(f"分类编码 {data.code!r} 已存在")
    root_of(session=session, code=data.parent_code)
    row = KbCategory(code=data.code, name=data.name, parent_code=data.parent_code)
    session.add(row)
    session.flush()
    return row


# -- metadata ----------------------------------------------------------------------------------------
def check_meta(*, session: Session, meta: ArticleMeta) -> None:
    if meta.subcategory is not None and root_of(session=session, code=meta.subcategory) != meta.category:
        raise InvalidReference(f"子分类 {meta.subcategory!r} 不属于分类 {meta.category!r}")
    if meta.region_code and session.get(Region, meta.region_code) is None:
        raise InvalidReference(f"未知的区域编码 region_code={meta.region_code!r}")
    if meta.owner_unit_id is not None and session.get(Workstation, meta.owner_unit_id) is None:
        raise InvalidReference(f"未知的所属单位 owner_unit_id={meta.owner_unit_id}")


def meta_from_import(*, session: Session, raw: dict[str, Any]) -> ArticleMeta:
    """Import metadata (front matter, form fields) to ``ArticleMeta``: ``owner`` is a workstation code."""
    data = {k: v for k, v in raw.items() if k in META_FIELDS}
    owner = raw.get("owner")
    if owner and "owner_unit_id" not in data:
        unit_id = session.scalar(select(Workstation.id).where(Workstation.code == str(owner)))
        if unit_id is None:
            raise InvalidReference(f"未知的所属单位编码 owner={owner!r}")
        data["owner_unit_id"] = unit_id
    if "region" in raw and "region_code" not in data:
        data["region_code"] = raw["region"]
    if isinstance(data.get("tags"), str):
        data["tags"] = [t.strip() for t in data["tags"].split(",") if t.strip()]
    data["tags"] = [str(t) for t in data.get("tags") or []]
    if "category" not in data:
        raise InvalidReference("缺少知识分类 category（文件中或导入参数里指定）")
    meta = ArticleMeta.model_validate(data)
    check_meta(session=session, meta=meta)
    return meta


def content_hash(title: str, body: str, meta: ArticleMeta) -> str:
    raw = json.dumps([title, body, meta.model_dump(mode="json")], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _changes(prev: KbVersion | None, title: str, body: str, meta: dict[str, Any]) -> list[str]:
    if prev is None:
        return ["created"]
    out = [name for name, old, new in (("title", prev.title, title), ("body", prev.body, body)) if old != new]
    out += [k for k in META_FIELDS if prev.meta.get(k) != meta.get(k)]
    return out


# -- articles and versions -----------------------------------------------------------------------------
def get_article(*, session: Session, article_id: int) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound(f"知识条目 {article_id} 不存在")
    return article


def versions(*, session: Session, article_id: int) -> list[KbVersion]:
    return list(session.scalars(select(KbVersion).where(KbVersion.article_id == article_id).order_by(KbVersion.number)))


def latest_version(*, session: Session, article_id: int) -> KbVersion | None:
    return session.scalar(
        select(KbVersion).where(KbVersion.article_id == article_id).order_by(KbVersion.number.desc()).limit(1)
    )


def published_version(*, session: Session, article: KbArticle) -> KbVersion | None:
    if article.published_version is None:
        return None
    return session.scalar(
        select(KbVersion).where(KbVersion.article_id == article.id, KbVersion.number == article.published_version)
    )


def new_version(
    *, session: Session, article: KbArticle, data: ArticleIn, author_id: int | None, state: str = "draft"
) -> KbVersion:
    meta = ArticleMeta.model_validate(data.model_dump(include=set(META_FIELDS)))
    check_meta(session=session, meta=meta)
    prev = latest_version(session=session, article_id=article.id)
    meta_json = meta.model_dump(mode="json")
    version = KbVersion(
        article_id=article.id,
        number=(prev.number + 1) if prev else 1,
        state=state,
        title=data.title,
        body=data.body,
        meta=meta_json,
        content_hash=content_hash(data.title, data.body, meta),
        changes=_changes(prev, data.title, data.body, meta_json),
        note=data.note,
        author_id=author_id,
    )
    session.add(version)
    session.flush()
    return version


def create_article(
    *, session: Session, data: ArticleIn, author_id: int | None, source_key: str | None = None
) -> tuple[KbArticle, KbVersion]:
    """A new article with its first draft; it is not searchable until a version is published."""
    check_meta(session=session, meta=ArticleMeta.model_validate(data.model_dump(include=set(META_FIELDS))))
    article = KbArticle(
        source_key=source_key,
        title=data.title,
        category=data.category,
        subcategory=data.subcategory,
        region_code=data.region_code,
        department=data.department,
        owner_unit_id=data.owner_unit_id,
        tags=list(data.tags),
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        state="draft",
    )
    session.add(article)
    session.flush()
    return article, new_version(session=session, article=article, data=data, author_id=author_id)


def save_draft(*, session: Session, principal: Principal, article: KbArticle, data: ArticleIn) -> KbVersion:
    """Edit the open draft, or start a new one from the published content."""
    check_edit(principal, article)
    if article.state == "retired":
        raise Conflict(f"知识条目 {article.id} 已下线，不能修改")
    latest = latest_version(session=session, article_id=article.id)
    if latest is not None and latest.state == "review":
        raise Conflict(f"知识条目 {article.id} 的第 {latest.number} 版正在审核，审核完成前不能修改")
    if latest is not None and latest.state == "draft" and latest.author_id == principal.id:
        prev = session.scalar(
            select(KbVersion).where(KbVersion.article_id == article.id, KbVersion.number == latest.number - 1)
        )
        meta = ArticleMeta.model_validate(data.model_dump(include=set(META_FIELDS)))
        check_meta(session=session, meta=meta)
        latest.title, latest.body, latest.note = data.title, data.body, data.note
        latest.meta = meta.model_dump(mode="json")
        latest.content_hash = content_hash(data.title, data.body, meta)
        latest.changes = _changes(prev, data.title, data.body, latest.meta)
        latest.created_at = utcnow()
        session.flush()
        return latest
    if latest is not None and latest.state == "draft":
        latest.state = "superseded"  # someone else's unfinished draft: kept in history, replaced by ours
    return new_version(session=session, article=article, data=data, author_id=principal.id)


def get_version(*, session: Session, article_id: int, number: int) -> KbVersion:
    version = session.scalar(select(KbVersion).where(KbVersion.article_id == article_id, KbVersion.number == number))
    if version is None:
        raise NotFound(f"知识条目 {article_id} 没有第 {number} 版")
    return version


def submit_for_review(*, session: Session, principal: Principal, article: KbArticle, version: KbVersion) -> None:
    check_edit(principal, article)
    if version.state != "draft":
        raise Conflict(f"第 {version.number} 版状态为 {version.state}，只有草稿可以提交审核")
    version.state = "review"
    version.submitted_at = utcnow()
    emit(
        session,
        "kb.version.submitted",
        {"article_id": article.id, "version": version.number, "title": version.title},
        audience=["kb"],
    )


def reject(*, session: Session, reviewer: Principal, version: KbVersion, comment: str | None) -> None:
    if version.state != "review":
        raise Conflict(f"第 {version.number} 版状态为 {version.state}，只有待审核的版本可以退回")
    version.state = "draft"
    version.reviewer_id = reviewer.id
    version.reviewed_at = utcnow()
    version.review_comment = comment


def passages(*, session: Session, article_id: int) -> list[KbPassage]:
    return list(
        session.scalars(select(KbPassage).where(KbPassage.article_id == article_id).order_by(KbPassage.ordinal))
    )


def list_articles(
    *,
    session: Session,
    category: str | None = None,
    state: str | None = None,
    owner_unit_id: int | None = None,
    review_due: bool = False,
    limit: int = 200,
) -> list[KbArticle]:
    stmt = select(KbArticle).order_by(KbArticle.updated_at.desc(), KbArticle.id.desc()).limit(limit)
    if category:
        stmt = stmt.where(KbArticle.category == category)
    if state:
        stmt = stmt.where(KbArticle.state == state)
    if owner_unit_id is not None:
        stmt = stmt.where(KbArticle.owner_unit_id == owner_unit_id)
    if review_due:
        stmt = stmt.where(KbArticle.review_due_at.is_not(None), KbArticle.state == "published")
    return list(session.scalars(stmt))


# -- corrections (纠错) ----------------------------------------------------------------------------------
def report_correction(
    *, session: Session, reporter: Principal, article: KbArticle, data: CorrectionIn, days: int
) -> KbCorrection:
    """Record the report and send it to the owning unit (and the editors) with a reply deadline."""
    if data.passage_id is not None:
        passage = session.get(KbPassage, data.passage_id)
        if passage is None or passage.article_id != article.id:
            raise InvalidReference(f"段落 {data.passage_id} 不属于知识条目 {article.id}")
    correction = KbCorrection(
        article_id=article.id,
        passage_id=data.passage_id,
        kind=data.kind,
        description=data.description,
        proposed_text=data.proposed_text,
        reporter_id=reporter.id,
        owner_unit_id=article.owner_unit_id,
        state="open",
        due_at=utcnow() + timedelta(days=days),
    )
    session.add(correction)
    session.flush()
    emit(
        session,
        "kb.correction.reported",
        {
            "correction_id": correction.id,
            "article_id": article.id,
            "title": article.title,
            "kind": data.kind,
            "due_at": correction.due_at.isoformat(),
        },
        audience=["kb"],
        workstation_ids=[article.owner_unit_id] if article.owner_unit_id else [],
    )
    return correction


def corrections_for(*, session: Session, principal: Principal, state: str | None = "open") -> list[KbCorrection]:
    """Editors see every report, workstation staff their units', everyone else the reports they made."""
    stmt = select(KbCorrection).order_by(KbCorrection.due_at, KbCorrection.id)
    if state:
        stmt = stmt.where(KbCorrection.state == state)
    if principal.role in EDITOR_ROLES:
        pass
    elif principal.is_workstation:
        stmt = stmt.where(KbCorrection.owner_unit_id.in_(sorted(principal.scope) or [-1]))
    else:
        stmt = stmt.where(KbCorrection.reporter_id == principal.id)
    return list(session.scalars(stmt))


def resolve_correction(
    *, session: Session, principal: Principal, correction: KbCorrection, accept: bool, response: str | None
) -> KbVersion | None:
    """Close the report. Accepting one with proposed text opens a draft with that text in place of the
    reported passage (or appended when the passage is gone) for the owner to finish and submit."""
    article = get_article(session=session, article_id=correction.article_id)
    check_edit(principal, article)
    if correction.state != "open":
        raise Conflict(f"纠错 {correction.id} 已处理（{correction.state}）")
    correction.state = "accepted" if accept else "rejected"
    correction.resolved_by_id = principal.id
    correction.resolved_at = utcnow()
    correction.response = response
    draft = None
    current = published_version(session=session, article=article)
    if accept and correction.proposed_text and current is not None:
        body = current.body
        passage = session.get(KbPassage, correction.passage_id) if correction.passage_id else None
        if passage is not None and passage.text in body:
            body = body.replace(passage.text, correction.proposed_text, 1)
        else:
            body = f"{body.rstrip()}\n\n{correction.proposed_text}\n"
        data = ArticleIn(title=current.title, body=body, note=f"采纳纠错 #{correction.id}", **current.meta)
        draft = save_draft(session=session, principal=principal, article=article, data=data)
    emit(
        session,
        "kb.correction.resolved",
        {
            "correction_id": correction.id,
            "article_id": article.id,
            "state": correction.state,
            "reporter_id": correction.reporter_id,
        },
        audience=AUDIENCE,
    )
    return draft


def expiring(*, session: Session, today: date, within_days: int) -> list[KbArticle]:
    """Published articles whose validity ends within ``within_days`` and that are not queued yet."""
    return list(
        session.scalars(
            select(KbArticle).where(
                KbArticle.state == "published",
                KbArticle.valid_to.is_not(None),
                KbArticle.valid_to <= today + timedelta(days=within_days),
                KbArticle.review_due_at.is_(None),
            )
        )
    )
