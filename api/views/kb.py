"""Knowledge base: search, articles with versions and review, corrections (纠错), import, index status."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from sqlalchemy import func, select

import kb.scheduled  # noqa: F401  (registers the KB housekeeping job)
from api.deps import Policy, SessionDep, SettingsDep
from api.views import kb_ws  # noqa: F401  (registers the kb.search websocket message)
from hotline.users.roles import CENTRE_ROLES, Role
from hotline.users.service import Principal
from kb import flows, service
from kb.auth import EDITOR_ROLES, NotAllowed, can_edit, check_edit
from kb.importers import ImportErrorBadFile, import_defaults, load_bytes
from kb.models import KbArticle, KbCorrection
from kb.schemas import (
    ArticleDetail,
    ArticleIn,
    ArticleOut,
    CategoryIn,
    CategoryNode,
    CorrectionIn,
    CorrectionOut,
    CorrectionResolve,
    ImportReport,
    PassageOut,
    ReviewIn,
    SearchOut,
    VersionOut,
)
from kb.searching import search_passages

router = APIRouter(prefix="/api/kb", tags=["kb"])

KbReader = Annotated[Principal, Depends(Policy(*CENTRE_ROLES, Role.kb_editor, Role.workstation_staff))]
KbAuthor = Annotated[Principal, Depends(Policy(Role.kb_editor, Role.admin, Role.workstation_staff))]
KbEditor = Annotated[Principal, Depends(Policy(Role.kb_editor, Role.admin))]


@contextmanager
def _domain_errors() -> Iterator[None]:
    try:
        yield
    except service.NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from exc
    except service.Conflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except (service.InvalidReference, ImportErrorBadFile, ValueError) as exc:
        raise HTTPException(422, str(exc)) from exc


def _readable(principal: Principal, article: KbArticle) -> bool:
    return article.state == "published" or can_edit(principal, article)


@router.get("/search")
async def search(
    request: Request,
    principal: KbReader,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    category: str | None = None,
    region: str | None = None,
    department: str | None = None,
    mode: str = "hybrid",
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    state = request.app.state
    with _domain_errors():
        hits = await asyncio.to_thread(
            search_passages,
            searcher=state.kb_searcher,
            query_vectors=state.query_vectors,
            text=q,
            category=category,
            region=region,
            department=department,
            mode=mode,
            k=k,
        )
    return SearchOut(hits=hits)


@router.get("/categories")
def categories(session: SessionDep, principal: KbReader) -> list[CategoryNode]:
    return service.category_tree(session=session)


@router.post("/categories", status_code=201)
def add_category(data: CategoryIn, session: SessionDep, principal: KbEditor) -> list[CategoryNode]:
    with _domain_errors():
        service.add_category(session=session, data=data)
    return service.category_tree(session=session)


@router.get("/articles")
def list_articles(
    session: SessionDep,
    principal: KbReader,
    category: str | None = None,
    state: str | None = None,
    review_due: bool = False,
    mine: bool = False,
) -> list[ArticleOut]:
    owner = principal.workstation_id if mine and principal.is_workstation else None
    rows = service.list_articles(
        session=session, category=category, state=state, owner_unit_id=owner, review_due=review_due
    )
    return [ArticleOut.model_validate(a) for a in rows if _readable(principal, a)]


@router.post("/articles", status_code=201)
def create_article(data: ArticleIn, session: SessionDep, principal: KbAuthor) -> ArticleOut:
    if principal.is_workstation:
        # Units write entries for themselves (or a unit below them); the owner defaults to their own.
        if data.owner_unit_id is None:
            data = data.model_copy(update={"owner_unit_id": principal.workstation_id})
        if data.owner_unit_id not in principal.scope:
            raise HTTPException(403, f"只能为本单位创建知识条目（owner_unit_id={data.owner_unit_id}）")
    with _domain_errors():
        article, _ = service.create_article(session=session, data=data, author_id=principal.id)
    return ArticleOut.model_validate(article)


@router.get("/articles/{article_id}")
def get_article(article_id: int, session: SessionDep, principal: KbReader) -> ArticleDetail:
    with _domain_errors():
        article = service.get_article(session=session, article_id=article_id)
    if not _readable(principal, article):
        raise HTTPException(404, f"知识条目 {article_id} 不存在")
    current = service.published_version(session=session, article=article)
    out = ArticleDetail.model_validate(article, from_attributes=True)
    out.body = current.body if current else None
    out.passages = [PassageOut.model_validate(p) for p in service.passages(session=session, article_id=article.id)]
    return out


@router.put("/articles/{article_id}/draft")
def save_draft(article_id: int, data: ArticleIn, session: SessionDep, principal: KbAuthor) -> VersionOut:
    with _domain_errors():
        article = service.get_article(session=session, article_id=article_id)
        if "owner_unit_id" not in data.model_fields_set:
            data = data.model_copy(update={"owner_unit_id": article.owner_unit_id})  # omitted: unchanged
        if principal.is_workstation and data.owner_unit_id not in principal.scope:
            raise NotAllowed(f"不能把知识条目 {article_id} 转给本单位以外的单位（owner_unit_id={data.owner_unit_id}）")
        version = service.save_draft(session=session, principal=principal, article=article, data=data)
    return VersionOut.model_validate(version)


@router.get("/articles/{article_id}/versions")
def versions(article_id: int, session: SessionDep, principal: KbAuthor) -> list[VersionOut]:
    with _domain_errors():
        article = service.get_article(session=session, article_id=article_id)
        check_edit(principal, article)
    return [VersionOut.model_validate(v) for v in service.versions(session=session, article_id=article_id)]


@router.post("/articles/{article_id}/versions/{number}/submit")
def submit(article_id: int, number: int, session: SessionDep, principal: KbAuthor) -> VersionOut:
    with _domain_errors():
        article = service.get_article(session=session, article_id=article_id)
        version = service.get_version(session=session, article_id=article_id, number=number)
        service.submit_for_review(session=session, principal=principal, article=article, version=version)
    return VersionOut.model_validate(version)


@router.post("/articles/{article_id}/versions/{number}/publish")
def publish(article_id: int, number: int, session: SessionDep, principal: KbEditor) -> ArticleOut:
    with _domain_errors():
        article = service.get_article(session=session, article_id=article_id)
        version = service.get_version(session=session, article_id=article_id, number=number)
        flows.publish(session=session, article=article, version=version, reviewer=principal)
    return ArticleOut.model_validate(article)


@router.post("/articles/{article_id}/versions/{number}/reject")
def reject(article_id: int, number: int, data: ReviewIn, session: SessionDep, principal: KbEditor) -> VersionOut:
    with _domain_errors():
        version = service.get_version(session=session, article_id=article_id, number=number)
        service.reject(session=session, reviewer=principal, version=version, comment=data.comment)
    return VersionOut.model_validate(version)


@router.post("/articles/{article_id}/retire")
def retire(article_id: int, session: SessionDep, principal: KbEditor) -> ArticleOut:
    with _domain_errors():
        article = service.get_article(session=session, article_id=article_id)
        flows.retire(session=session, article=article, reviewer=principal)
    return ArticleOut.model_validate(article)


@router.post("/articles/{article_id}/corrections", status_code=201)
def report_correction(
    article_id: int, data: CorrectionIn, session: SessionDep, settings: SettingsDep, principal: KbReader
) -> CorrectionOut:
    with _domain_errors():
        article = service.get_article(session=session, article_id=article_id)
        if article.state != "published":
            raise service.Conflict(f"知识条目 {article_id} 未发布，不能纠错")
        row = service.report_correction(
            session=session, reporter=principal, article=article, data=data, days=settings.kb_correction_days
        )
    return CorrectionOut.model_validate(row)


@router.get("/corrections")
def corrections(session: SessionDep, principal: KbReader, state: str | None = "open") -> list[CorrectionOut]:
    rows = service.corrections_for(session=session, principal=principal, state=state or None)
    return [CorrectionOut.model_validate(r) for r in rows]


@router.post("/corrections/{correction_id}/resolve")
def resolve_correction(
    correction_id: int, data: CorrectionResolve, session: SessionDep, principal: KbAuthor
) -> CorrectionOut:
    with _domain_errors():
        row = session.get(KbCorrection, correction_id)
        if row is None:
            raise service.NotFound(f"纠错 {correction_id} 不存在")
        service.resolve_correction(
            session=session, principal=principal, correction=row, accept=data.accept, response=data.response
        )
    return CorrectionOut.model_validate(row)


@router.post("/import")
async def import_files(
    session: SessionDep,
    principal: KbEditor,
    files: Annotated[list[UploadFile], File()],
    category: Annotated[str | None, Form()] = None,
    department: Annotated[str | None, Form()] = None,
    owner: Annotated[str | None, Form()] = None,
    region: Annotated[str | None, Form()] = None,
) -> ImportReport:
    """Import Markdown, HTML, DOCX, PDF or catalogue JSONL files; form fields fill missing metadata."""
    defaults = import_defaults(category=category, department=department, owner=owner, region=region)
    items = []
    with _domain_errors():
        for upload in files:
            data = await upload.read()
            items += await asyncio.to_thread(load_bytes, upload.filename or "upload", data, defaults=defaults)
        return await asyncio.to_thread(flows.import_articles, session=session, items=items, author_id=principal.id)


@router.get("/index-status")
def index_status(request: Request, session: SessionDep, principal: KbEditor) -> dict[str, object]:
    """Per-status article counts and the consumer's cursor, for editors watching an import settle."""
    counts = dict(
        session.execute(
            select(KbArticle.index_status, func.count())
            .where(KbArticle.published_version.is_not(None))
            .group_by(KbArticle.index_status)
        ).all()
    )
    sync = getattr(request.app.state, "index_sync", None)
    return {"articles": {str(k): v for k, v in counts.items()}, "sync": sync.status() if sync else None}


__all__ = ["EDITOR_ROLES", "router"]
