"""Domain errors become 4xx answers whose ``detail`` is one readable sentence."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hotline.idempotency import KeyReused
from hotline.users.service import AuthError, LockedOut, PasswordPolicyError
from routing.lifecycle.kpi import UnknownMetric
from routing.lifecycle.service import UnknownQueue
from routing.lifecycle.transitions import TransitionError
from routing.orders.attachments import AttachmentRejected
from routing.orders.service import InvalidReference, NotFound, StaleVersion


def _loc(loc: tuple[object, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path"))


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = _loc(tuple(err.get("loc", ())))
            msg = str(err.get("msg", "")).removeprefix("Value error, ")
            if err.get("type") == "extra_forbidden":
                msg = "未知字段"
            parts.append(f"{where}: {msg}" if where else msg)
        return JSONResponse(
            {
                "detail": "请求内容有误 — " + "；".join(parts),
                "errors": [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()],
            },
            status_code=422,
        )

    def simple(status: int):  # type: ignore[no-untyped-def]
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)

        return handler

    app.add_exception_handler(NotFound, simple(404))
    app.add_exception_handler(InvalidReference, simple(422))
    app.add_exception_handler(KeyReused, simple(422))
    app.add_exception_handler(PasswordPolicyError, simple(422))
    app.add_exception_handler(LockedOut, simple(423))
    app.add_exception_handler(UnknownQueue, simple(404))
    app.add_exception_handler(UnknownMetric, simple(422))

    @app.exception_handler(TransitionError)
    async def _transition(_: Request, exc: TransitionError) -> JSONResponse:
        # The detail names the current state and the allowed actions, for the console to show.
        extra = {k: v for k, v in exc.detail.items() if k != "message"}
        return JSONResponse({"detail": exc.message, **extra}, status_code=exc.status_code)

    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse({"detail": "用户名或密码错误"}, status_code=401)

    @app.exception_handler(AttachmentRejected)
    async def _attachment(_: Request, exc: AttachmentRejected) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=413 if exc.too_large else 415)

    @app.exception_handler(StaleVersion)
    async def _stale(request: Request, exc: StaleVersion) -> JSONResponse:
        from routing.orders.views_model import to_out

        # A read session: on SQLite a write session would BEGIN IMMEDIATE and could wait out the busy
        # timeout behind the failed request's own transaction (seen once in the two-users race test).
        with request.app.state.read_sessionmaker() as session:
            order = session.merge(exc.order, load=True)
            session.refresh(order)
            current = to_out(order, session=session).model_dump(mode="json")
        return JSONResponse({"detail": str(exc), "current": current}, status_code=409)

    @app.exception_handler(IntegrityError)
    async def _conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        # Two requests raced for the same unique thing (an idempotency key, a username): the loser
        # gets a conflict, never a half-written row.
        return JSONResponse({"detail": "与同时提交的另一请求冲突，请刷新后重试"}, status_code=409)

    @app.exception_handler(StaleDataError)
    async def _stale_data(_: Request, exc: StaleDataError) -> JSONResponse:
        return JSONResponse({"detail": "数据已被他人修改，请刷新后重试"}, status_code=409)
