"""``/api/ws``: the one websocket of the system.

Server → client: envelopes ``{type, position, payload}`` from the event stream, filtered by the
user's role and scope, resumable with ``?after=<position>``. Client → server: ``{type, id, ...}``
requests answered by ``{type: "<type>.result", id, payload}``; domains add request types with
``ws_handler``. A newer request of the same type cancels an unfinished older one, so a stale query
is never answered late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect
from fastapi.exceptions import HTTPException

from hotline.users.service import Principal

log = logging.getLogger("hotline.ws")
router = APIRouter()


@dataclass(frozen=True, slots=True)
class WsContext:
    app: FastAPI
    principal: Principal


Handler = Callable[[WsContext, dict[str, Any]], Awaitable[dict[str, Any]]]
HANDLERS: dict[str, Handler] = {}


def ws_handler(type_: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[type_] = fn
        return fn

    return register


@ws_handler("ping")
async def _ping(ctx: WsContext, msg: dict[str, Any]) -> dict[str, Any]:
    return {"head": ctx.app.state.hub.head}


def _authenticate(app: FastAPI, token: str) -> Principal:
    from api.deps import principal_from_token

    with app.state.sessionmaker() as session:
        return principal_from_token(session=session, token=token, settings=app.state.settings)


@router.websocket("/api/ws")
async def stream(websocket: WebSocket, token: str | None = None, after: int | None = None) -> None:
    app: FastAPI = websocket.app
    try:
        if not token:
            raise HTTPException(401, "未登录")
        principal = await asyncio.to_thread(_authenticate, app, token)
    except HTTPException:
        await websocket.close(code=4401, reason="unauthorized")
        return
    await websocket.accept()
    hub = app.state.hub
    sub = hub.subscribe(principal)
    send_lock = asyncio.Lock()
    pending: dict[str, asyncio.Task[None]] = {}

    async def send(message: dict[str, Any]) -> None:
        async with send_lock:
            await websocket.send_json(message)

    async def answer(ctx: WsContext, msg: dict[str, Any]) -> None:
        type_, req_id = str(msg.get("type")), msg.get("id")
        try:
            payload = await HANDLERS[type_](ctx, msg)
            await send({"type": f"{type_}.result", "id": req_id, "payload": payload})
        except asyncio.CancelledError:
            raise
        except (ValueError, HTTPException) as exc:
            detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
            await send({"type": "error", "id": req_id, "payload": {"detail": detail}})
        except Exception:
            log.exception("websocket handler %s failed", type_)
            await send({"type": "error", "id": req_id, "payload": {"detail": "服务器内部错误"}})

    async def forward(last: int) -> None:
        while True:
            if sub.overflowed and sub.queue.empty():
                # Events after ``last`` were dropped for this slow client: closing makes the console
                # reconnect with after=last and replay them from the outbox, so nothing is missed.
                await websocket.close(code=4408, reason="resume required")
                return
            position, text = await sub.queue.get()
            if position <= last:
                continue
            async with send_lock:
                await websocket.send_text(text)
            last = position

    head = hub.head
    forwarder: asyncio.Task[None] | None = None
    try:
        await send(
            {"type": "hello", "position": head, "payload": {"user": {"id": principal.id, "role": principal.role.value}}}
        )
        last = head
        if after is not None and after < head:
            oldest = await asyncio.to_thread(hub.oldest_position)
            if oldest and after < oldest - 1:
                await send({"type": "resync_required", "position": head, "payload": {"oldest": oldest}})
            for _, text in await asyncio.to_thread(hub.backlog, principal, after, head):
                async with send_lock:
                    await websocket.send_text(text)
        forwarder = asyncio.create_task(forward(last))
        ctx = WsContext(app, principal)
        while True:
            msg = await websocket.receive_json()
            if not isinstance(msg, dict) or msg.get("type") not in HANDLERS:
                bad = msg.get("type") if isinstance(msg, dict) else type(msg).__name__
                await send(
                    {
                        "type": "error",
                        "id": msg.get("id") if isinstance(msg, dict) else None,
                        "payload": {"detail": f"未知的消息类型 {bad!r}"},
                    }
                )
                continue
            type_ = msg["type"]
            if (old := pending.get(type_)) and not old.done():
                old.cancel()
            pending[type_] = asyncio.create_task(answer(ctx, msg))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.unsubscribe(sub)
        for task in [*pending.values(), *([forwarder] if forwarder else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
