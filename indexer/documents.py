"""Search ``Document``s for knowledge-base passages and (masked) orders.

KB passages: id ``kb:<passage id>``; ``region`` is ``ALL_REGIONS`` for city-wide articles so that a region
filter can ask for "this district or the whole city" with one exact-match OR. Orders: id
``order:<order id>``; confidential orders go through ``masked_fields`` before anything is built, so their
caller's name, phone numbers and ID numbers never reach any index (or the embedding cache).
"""

from __future__ import annotations

from kb.models import KbArticle, KbPassage
from kb.search.types import Document
from routing.orders.models import WorkOrder
from routing.orders.views_model import masked_fields

ALL_REGIONS = "all"
KB_PREFIX = "kb:"
ORDER_PREFIX = "order:"


def passage_doc_id(passage_id: int) -> str:
    return f"{KB_PREFIX}{passage_id}"


def passage_document(article: KbArticle, passage: KbPassage, *, source: str | None) -> Document:
    return Document(
        id=passage_doc_id(passage.id),
        text=passage.text,
        title=article.title,
        heading_path=tuple(passage.heading_path or ()),
        category=article.category,
        region=article.region_code or ALL_REGIONS,
        department=article.department,
        unit=str(article.owner_unit_id) if article.owner_unit_id else None,
        state=article.state,
        valid_from=article.valid_from,
        valid_to=article.valid_to,
        extra={"article_id": article.id, "version": article.published_version, "source": source},
    )


def order_document(order: WorkOrder) -> Document:
    """The order as the similar-order search sees it; text masked when the order is confidential.

    ``category`` is the first-level category (filterable); the full path is in ``extra``; ``unit`` is the
    lead unit's workstation id as a string.
    """
    subject, description = order.subject, order.description
    if order.confidential:
        masked = masked_fields(order)
        subject, description = masked["subject"], masked["description"]
    return Document(
        id=f"{ORDER_PREFIX}{order.id}",
        text=description,
        title=subject,
        category=order.category_l1,
        region=order.region_code,
        unit=str(order.lead_unit_id) if order.lead_unit_id else None,
        state=order.state,
        created_at=order.created_at,
        extra={
            "order_id": order.id,
            "number": order.number,
            "category_path": [c for c in (order.category_l1, order.category_l2, order.category_l3) if c],
            "confidential": bool(order.confidential),
        },
    )
