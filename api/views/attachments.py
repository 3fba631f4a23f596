from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, UploadFile
from fastapi.responses import FileResponse

from api.deps import OrderReader, SessionDep, SettingsDep
from routing.orders import attachments, service
from routing.orders.models import Attachment
from routing.orders.schemas import AttachmentOut

router = APIRouter(prefix="/api", tags=["attachments"])


@router.post("/orders/{order_id}/attachments", status_code=201)
async def upload(
    order_id: int,
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    settings: SettingsDep,
    principal: OrderReader,
) -> AttachmentOut:
    if principal.role.value == "observer":
        raise HTTPException(403, "观察员为只读角色")
    order = service.get_visible(session=session, principal=principal, order_id=order_id)
    # Read one byte past the limit so an oversized upload is refused without holding all of it.
    data = await file.read(settings.attachment_max_bytes + 1)
    attachments.check(
        filename=file.filename or "",
        content_type=file.content_type or "",
        size=len(data),
        head=data[:16],
        allowed=settings.attachment_types,
        max_bytes=settings.attachment_max_bytes,
    )
    att = attachments.store(
        session=session,
        order=order,
        filename=file.filename or "file",
        content_type=file.content_type or "application/octet-stream",
        data=data,
        root=settings.attachment_dir,
        actor_id=principal.id,
    )
    session.commit()
    return AttachmentOut(
        id=att.id, filename=att.filename, size=att.size, content_type=att.content_type, uploaded_at=att.uploaded_at
    )


@router.get("/attachments/{attachment_id}")
def download(attachment_id: int, session: SessionDep, settings: SettingsDep, principal: OrderReader) -> FileResponse:
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise service.NotFound(f"附件 {attachment_id} 不存在或无权查看")
    # Scope follows the order: the same 404 whether the attachment is absent or out of scope.
    try:
        service.get_visible(session=session, principal=principal, order_id=att.order_id)
    except service.NotFound as exc:
        raise service.NotFound(f"附件 {attachment_id} 不存在或无权查看") from exc
    return FileResponse(
        attachments.path_of(att, root=settings.attachment_dir), media_type=att.content_type, filename=att.filename
    )
