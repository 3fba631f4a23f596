"""Live knowledge-base search over ``/api/ws``.

Client: ``{"type": "kb.search", "id": 7, "text": "社保卡丢了",
"filters": {"category": "faq", "region": "0101",
"department": "…", "mode": "hybrid", "k": 10}}``. Server: ``{"type": "kb.search.result", "id": 7, "payload":
{"hits": [...]}}`` (hits as in ``GET /api/kb/search``). A newer ``kb.search`` cancels an unanswered older
one (``api.ws``), so results for stale text never arrive after fresher ones.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.exceptions import HTTPException

from api.ws import WsContext, ws_handler
from hotline.users.roles import CENTRE_ROLES, Role
from kb.searching import search_passages

SEARCH_ROLES = CENTRE_ROLES | {Role.kb_editor, Role.workstation_staff}
_FILTER_KEYS = ("category", "region", "department")


@ws_handler("kb.search")
async def kb_search(ctx: WsContext, msg: dict[str, Any]) -> dict[str, Any]:
    if ctx.principal.role not in SEARCH_ROLES:
        raise HTTPException(403, f"角色 {ctx.principal.role.label} 无权检索知识库")
    filters = msg.get("filters") or {}
    if not isinstance(filters, dict):
        raise ValueError(f"filters 应为对象，收到 {type(filters).__name__}")
    unknown = set(filters) - {*_FILTER_KEYS, "mode", "k"}
    if unknown:
        raise ValueError(f"未知的过滤条件 {', '.join(sorted(unknown))}")
    state = ctx.app.state

    def value(key: str) -> str | None:
        return str(filters[key]) if filters.get(key) else None

    hits = await asyncio.to_thread(
        lambda: search_passages(
            searcher=state.kb_searcher,
            query_vectors=state.query_vectors,
            text=str(msg.get("text") or ""),
            mode=str(filters.get("mode") or "hybrid"),
            k=int(filters.get("k") or 10),
            category=value("category"),
            region=value("region"),
            department=value("department"),
        )
    )
    return {"hits": [h.model_dump(mode="json") for h in hits]}
