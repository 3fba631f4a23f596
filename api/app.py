"""Application factory. Heavy objects (engine, event hub, notifier, search) are built once in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api import errors, ws
from api.views import attachments, audit, auth, board, calls, drafts, exports, lifecycle, meta, orders, public, users
from api.views import kb as kb_views
from api.views import routing as routing_views
from hotline import logmask
from hotline.db import MODELS_ROOT, make_engine, make_sessionmaker, migrate
from hotline.events.hub import EventHub
from hotline.notify import Notifier, notifier_from_settings
from hotline.scheduled import run_forever
from hotline.settings import Settings, get_settings

DIST = Path(__file__).resolve().parent.parent / "agent_ui" / "dist"


def create_app(settings: Settings | None = None, *, notifier: Notifier | None = None) -> FastAPI:
    settings = settings or get_settings()
    logmask.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if settings.migrate_on_start:
            await asyncio.to_thread(migrate, url)
        engine = make_engine(url)
        app.state.engine = engine
        info = {MODELS_ROOT: Path(settings.data_dir) / "models"}
        app.state.sessionmaker = make_sessionmaker(engine, info=info)
        app.state.read_sessionmaker = make_sessionmaker(engine, read=True, info=info)
        if settings.demo_data:
            from hotline.demo.load import load_demo

            await asyncio.to_thread(load_demo, app.state.sessionmaker)
        from indexer import runtime as search_runtime

        await search_runtime.start(app, settings)
        hub = EventHub(app.state.sessionmaker, poll_seconds=settings.event_poll_seconds)
        await hub.start()
        app.state.hub = hub
        jobs = asyncio.create_task(run_forever(app.state.sessionmaker, settings)) if settings.run_scheduler else None
        try:
            yield
        finally:
            if jobs:
                jobs.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await jobs
            await hub.stop()
            await search_runtime.stop(app)
            engine.dispose()

    app = FastAPI(title="12345 政务服务便民热线", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.notifier = notifier or notifier_from_settings(settings.sms_gateway_url, settings.sms_gateway_token)
    errors.install(app)
    for module in (
        auth,
        meta,
        orders,
        calls,
        drafts,
        attachments,
        audit,
        exports,
        public,
        lifecycle,
        board,
        kb_views,
        users,
    ):
        app.include_router(module.router)
    app.include_router(routing_views.router)
    app.include_router(ws.router)
    _mount_console(app)
    return app


def _mount_console(app: FastAPI) -> None:
    """Serve the built console; unknown non-API paths fall back to index.html for the SPA router."""
    if not (DIST / "index.html").exists():
        return
    if (DIST / "assets").exists():
        app.mount("/assets", StaticFiles(directory=DIST / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    async def spa(path: str, request: Request) -> FileResponse | JSONResponse:
        if path.startswith("api/"):
            return JSONResponse({"detail": f"没有这个接口: /{path}"}, status_code=404)
        candidate = (DIST / path).resolve()
        if path and candidate.is_file() and DIST in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(DIST / "index.html")
