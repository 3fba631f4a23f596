"""Attachment storage on disk under the data directory, with size and type limits."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from hotline.db import on_rollback
from routing.orders.models import Attachment, OrderHistory, WorkOrder

# The declared type must agree with the leading bytes, so a renamed executable is not accepted as a PDF.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF",),
    "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "audio/wav": (b"RIFF",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
}


class AttachmentRejected(ValueError):
    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def check(*, filename: str, content_type: str, size: int, head: bytes, allowed: list[str], max_bytes: int) -> None:
    if size > max_bytes:
        raise AttachmentRejected(f"附件 {filename!r} 大小 {size} 字节，超过上限 {max_bytes} 字节", too_large=True)
    if size == 0:
        raise AttachmentRejected(f"附件 {filename!r} 为空文件")
    if content_type not in allowed:
        raise AttachmentRejected(f"不支持的附件类型 {content_type!r}（允许：{', '.join(allowed)}）")
    magic = _MAGIC.get(content_type)
    if magic and not head.startswith(magic):
        raise AttachmentRejected(f"附件 {filename!r} 的内容与声明的类型 {content_type!r} 不符")
    if len(filename) > 200 or "/" in filename or "\\" in filename:
        raise AttachmentRejected(f"附件文件名不合法: {filename[:50]!r}")


def store(
    *,
    session: Session,
    order: WorkOrder,
    filename: str,
    content_type: str,
    data: bytes,
    root: Path,
    actor_id: int,
) -> Attachment:
    key = uuid.uuid4().hex
    root.mkdir(parents=True, exist_ok=True)
    path = root / key
    path.write_bytes(data)
    attachment = Attachment(
        order_id=order.id,
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by_id=actor_id,
    )
    session.add(attachment)
    session.add(
        OrderHistory(
            order_id=order.id,
            actor_id=actor_id,
            action="attach",
            from_state=order.state,
            to_state=order.state,
            data={"filename": filename},
        )
    )
    session.flush()
    # A rolled-back upload must not leave an orphan file behind.
    on_rollback(session, lambda: path.unlink(missing_ok=True))
    return attachment


def path_of(attachment: Attachment, *, root: Path) -> Path:
    return root / attachment.storage_key
