"""Dispatch suggestion, agents' overrides, the dispatch catalogue (admin) and hotspots. Thin: the work
is in ``routing.suggest``, ``routing.catalogue`` and ``routing.hotspots``."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.deps import Admin, CentreUser, IntakeUser, SessionDep
from api.ws import WsContext, ws_handler
from hotline.settings import Settings
from routing.catalogue import service as catalogue
from routing.catalogue.schemas import RuleIn, RuleOut, RuleUpdate, RuleVersionOut
from routing.classify import admin as model_admin
from routing.duplicates import DuplicateConfig
from routing.hotspots.service import daily_hotspots
from routing.orders.service import NotFound, get_visible
from routing.suggest import schemas as s
from routing.suggest.feedback import recent_feedback, record_override
from routing.suggest.service import Predictors, SuggestConfig, suggest

router = APIRouter(tags=["routing"])


def _searchers(app: FastAPI) -> tuple[Any, Any]:
    """The order and knowledge-base searchers the app built at start-up (absent: those parts are skipped)."""
    st = app.state
    return getattr(st, "order_searcher", None), getattr(st, "kb_searcher", None)


def _query_vector(app: FastAPI, text: str) -> tuple[Any, str | None]:
    """The text's embedding from the shared text→vector LRU that live search fills (``indexer.runtime``),
    so search, suggestion and classifier embed each edit once, and the embedder it came from; (None,
    None) when no embedder is configured."""
    cache = getattr(app.state, "query_vectors", None)
    if cache is None:
        return None, None
    # A vector of only the text's head (long texts, see kb.search.hybrid.DENSE_QUERY_CHARS) is not the
    # whole-text embedding a classifier learned on: then it gets no embedder name and embeds by itself.
    return cache.get(text), cache.embedder_name if cache.covers(text) else None


def _models_root(app: FastAPI) -> Path:
    """The model store the suggestion reads (``run_suggest``) and the admin screen manages."""
    return Path(app.state.settings.data_dir) / "models"


def suggest_config(settings: Settings) -> SuggestConfig:
    """The suggestion's configuration from the app's settings (``HOTLINE_DUPLICATE_WINDOW_DAYS``)."""
    return SuggestConfig(duplicates=DuplicateConfig(window_days=settings.duplicate_window_days))


def run_suggest(app: FastAPI, data: s.SuggestIn, session: Session) -> s.SuggestOut:
    """The suggestion for HTTP and the websocket alike, configured from the app's settings."""
    order_searcher, kb_searcher = _searchers(app)
    vector, vector_model = _query_vector(app, data.text)
    return suggest(
        session=session,
        data=data,
        query_vector=vector,
        order_searcher=order_searcher,
        kb_searcher=kb_searcher,
        predictors=Predictors.default(models=_models_root(app), query_vector=vector, vector_model=vector_model),
        config=suggest_config(app.state.settings),
    )


def _suggest_in_own_session(app: FastAPI, data: s.SuggestIn) -> s.SuggestOut:
    with app.state.sessionmaker() as session:
        return run_suggest(app, data, session)


@router.post("/api/routing/suggest", response_model=s.SuggestOut)
def post_suggest(body: s.SuggestIn, request: Request, session: SessionDep, principal: IntakeUser) -> s.SuggestOut:
    # The request's own session: on SQLite a second one would wait on the first one's write lock.
    return run_suggest(request.app, body, session)


@ws_handler("suggest")
async def ws_suggest(ctx: WsContext, msg: dict[str, Any]) -> dict[str, Any]:
    from hotline.users.roles import INTAKE_ROLES

    if ctx.principal.role not in INTAKE_ROLES:
        raise HTTPException(403, f"角色 {ctx.principal.role.label} 无权获取派单建议")
    try:
        data = s.SuggestIn.model_validate({k: v for k, v in msg.items() if k not in ("type", "id")})
    except ValidationError as exc:
        parts = [
            f"{'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}".lstrip(": ")
            for e in exc.errors()
        ]
        raise ValueError("请求内容有误 — " + "；".join(parts)) from None
    out = await asyncio.to_thread(_suggest_in_own_session, ctx.app, data)
    return s.dump(out)


@router.post("/api/routing/feedback", response_model=s.FeedbackOut)
def post_feedback(body: s.OverrideIn, session: SessionDep, principal: IntakeUser) -> s.FeedbackOut:
    try:
        order = get_visible(session=session, principal=principal, order_id=body.order_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    rows = record_override(
        session=session, order=order, suggested=body.suggested, chosen=body.chosen, actor_id=principal.id
    )
    session.commit()
    return s.FeedbackOut(recorded=len(rows), fields=[r.field for r in rows])


@router.get("/api/routing/feedback", response_model=list[s.FeedbackExampleOut])
def list_feedback(
    session: SessionDep,
    _: CentreUser,
    order_id: Annotated[int | None, Query(description="only this order's examples")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[s.FeedbackExampleOut]:
    """The newest labelled examples learned from agents (overrides, upheld returns), newest first."""
    return [
        s.FeedbackExampleOut.model_validate(r, from_attributes=True)
        for r in recent_feedback(session=session, order_id=order_id, limit=limit)
    ]


def _rule_out(rule: Any) -> RuleOut:
    return RuleOut.model_validate(rule, from_attributes=True)


def _catalogue_errors(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except catalogue.RuleNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except catalogue.InvalidRule as exc:
        raise HTTPException(422, str(exc)) from None
    except catalogue.StaleRule as exc:
        raise HTTPException(409, str(exc)) from None


@router.get("/api/catalogue/rules", response_model=list[RuleOut])
def list_rules(
    session: SessionDep,
    principal: CentreUser,
    include_deleted: bool = False,
    level1: Annotated[str | None, Query(max_length=64)] = None,
) -> list[RuleOut]:
    return [_rule_out(r) for r in catalogue.list_rules(session=session, include_deleted=include_deleted, level1=level1)]


@router.get("/api/catalogue/rules/{rule_id}", response_model=RuleOut)
def get_rule(rule_id: int, session: SessionDep, principal: CentreUser) -> RuleOut:
    return _rule_out(_catalogue_errors(catalogue.get_rule, session=session, rule_id=rule_id))


@router.get("/api/catalogue/rules/{rule_id}/versions", response_model=list[RuleVersionOut])
def rule_versions(rule_id: int, session: SessionDep, principal: CentreUser) -> list[RuleVersionOut]:
    rows = _catalogue_errors(catalogue.rule_versions, session=session, rule_id=rule_id)
    return [RuleVersionOut.model_validate(v, from_attributes=True) for v in rows]


@router.post("/api/catalogue/rules", status_code=201, response_model=RuleOut)
def create_rule(body: RuleIn, session: SessionDep, principal: Admin) -> RuleOut:
    rule = _catalogue_errors(catalogue.create_rule, session=session, data=body, actor_id=principal.id)
    session.commit()
    return _rule_out(rule)


@router.put("/api/catalogue/rules/{rule_id}", response_model=RuleOut)
def update_rule(rule_id: int, body: RuleUpdate, session: SessionDep, principal: Admin) -> RuleOut:
    rule = _catalogue_errors(catalogue.update_rule, session=session, rule_id=rule_id, data=body, actor_id=principal.id)
    session.commit()
    return _rule_out(rule)


@router.delete("/api/catalogue/rules/{rule_id}", response_model=RuleOut)
def delete_rule(rule_id: int, session: SessionDep, principal: Admin) -> RuleOut:
    rule = _catalogue_errors(catalogue.delete_rule, session=session, rule_id=rule_id, actor_id=principal.id)
    session.commit()
    return _rule_out(rule)


@router.get("/api/hotspots")
def get_hotspots(
    session: SessionDep, principal: CentreUser, day: Annotated[date | None, Query(alias="date")] = None
) -> dict[str, Any]:
    """The hotspots of ``date`` (default: today in the centre's time zone)."""
    return daily_hotspots(session=session, day=day)


def _model_errors(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except model_admin.ModelAdminError as exc:
        raise HTTPException(exc.status, exc.message) from None


@router.get("/api/routing/models", response_model=model_admin.ModelsOut)
def list_models(
    request: Request,
    principal: Admin,
    task: Annotated[str, Query(max_length=40)] = "category",
) -> model_admin.ModelsOut:
    """A classifier task's stored model versions (newest first), which one serves, and the tasks."""
    return _model_errors(model_admin.listing, task, _models_root(request.app))  # type: ignore[no-any-return]


@router.post("/api/routing/models/{task}/switch", response_model=model_admin.SwitchOut)
def switch_model(
    task: str, body: model_admin.SwitchIn, request: Request, session: SessionDep, principal: Admin
) -> model_admin.SwitchOut:
    """Serve another stored version of ``task``; the suggestion uses it from its next request."""
    out = _model_errors(
        model_admin.switch,
        session=session,
        task=task,
        version=body.version,
        actor_id=principal.id,
        root=_models_root(request.app),
    )
    session.commit()
    return out  # type: ignore[no-any-return]


@router.post("/api/routing/models/{task}/rollback", response_model=model_admin.SwitchOut)
def rollback_model(task: str, request: Request, session: SessionDep, principal: Admin) -> model_admin.SwitchOut:
    """Serve the version of ``task`` that served before the current one."""
    out = _model_errors(
        model_admin.rollback,
        session=session,
        task=task,
        actor_id=principal.id,
        root=_models_root(request.app),
    )
    session.commit()
    return out  # type: ignore[no-any-return]
