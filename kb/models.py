"""Knowledge-base tables: articles, their versions, the passages search indexes, corrections (纠错),
a category tree below the five fixed roots, and the index-sync cursor."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow


class KbCategory(Base):
    """A sub-category under one of the root categories (``kb.schemas.ROOT_CATEGORIES``) or another
    sub-category. Roots live in code so that every database has them without seeding."""

    __tablename__ = "kb_category"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    parent_code: Mapped[str] = mapped_column(String(64))  # a root code or another kb_category.code


class KbArticle(Base):
    """The article as searched: the fields of its published version (or of its first draft)."""

    __tablename__ = "kb_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Natural key of imported articles (file name, ``catalogue:<TASK_CODE>``, ``seed:<name>``): re-import
    # finds the article by it. NULL for articles written in the console.
    source_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(32), index=True)  # root category code
    subcategory: Mapped[str | None] = mapped_column(ForeignKey("kb_category.code"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))  # NULL: the whole city
    department: Mapped[str | None] = mapped_column(String(128))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"), index=True)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)  # draft|published|retired
    published_version: Mapped[int | None] = mapped_column(default=None)
    # Search index progress of the published content: pending → keyword → complete (or failed).
    index_status: Mapped[str | None] = mapped_column(String(16), default=None)
    index_error: Mapped[str | None] = mapped_column(Text, default=None)
    review_due_at: Mapped[datetime | None] = mapped_column(default=None)  # queued for expiry review
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class KbVersion(Base):
    """One edit of an article: content, metadata snapshot, workflow state and who did what."""

    __tablename__ = "kb_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id"), index=True)
    number: Mapped[int]
    state: Mapped[str] = mapped_column(String(16))  # draft | review | published | superseded | rejected
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # field names changed vs the previous
    note: Mapped[str | None] = mapped_column(String(500))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    review_comment: Mapped[str | None] = mapped_column(String(500), default=None)

    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_kb_version_article_number"),)


class KbPassage(Base):
    """A searchable passage of a published article; kept across versions while its content is unchanged,
    so that a re-import replaces only the passages that changed."""

    __tablename__ = "kb_passage"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id"), index=True)
    ordinal: Mapped[int]
    heading_path: Mapped[list[Any]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))


class KbCorrection(Base):
    """An agent's report that an entry is wrong or outdated, routed to the owning unit with a deadline."""

    __tablename__ = "kb_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id"), index=True)
    passage_id: Mapped[int | None] = mapped_column(default=None)  # not a FK: passages come and go
    kind: Mapped[str] = mapped_column(String(16))  # error | outdated
    description: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open|accepted|rejected
    due_at: Mapped[datetime]
    overdue: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    response: Mapped[str | None] = mapped_column(Text, default=None)


class IndexCursor(Base):
    """Position in the event stream up to which a consumer has applied events (``indexer.sync``)."""

    __tablename__ = "index_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


Index("ix_kb_correction_due", KbCorrection.state, KbCorrection.due_at)
