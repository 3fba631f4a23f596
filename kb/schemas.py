"""Knowledge-base request and response models and the fixed root categories."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The root of the category tree: code → label shown in the console.
ROOT_CATEGORIES: dict[str, str] = {
    "policy": "政策文件",
    "service_guide": "办事指南",
    "faq": "常见问题",
    "terminal_manual": "自助终端操作手册",
    "call_script": "话术",
}
ARTICLE_STATES = ("draft", "published", "retired")
VERSION_STATES = ("draft", "review", "published", "superseded", "rejected")
INDEX_STATUSES = ("pending", "keyword", "complete", "failed")


class ArticleMeta(BaseModel):
    """Metadata of an article version (everything but title and body)."""

    model_config = ConfigDict(extra="forbid")

    category: str
    subcategory: str | None = None
    region_code: str | None = None
    department: str | None = None
    owner_unit_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _check(self) -> ArticleMeta:
        if self.category not in ROOT_CATEGORIES:
            raise ValueError(f"未知的知识分类 category={self.category!r}，可选 {', '.join(ROOT_CATEGORIES)}")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"失效日期 {self.valid_to} 早于生效日期 {self.valid_from}")
        return self


class ArticleIn(ArticleMeta):
    title: str = Field(min_length=1, max_length=255)
    body: str = Field(min_length=1)
    note: str | None = Field(default=None, max_length=500)


class ReviewIn(BaseModel):
    comment: str | None = Field(default=None, max_length=500)


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    state: str
    title: str
    body: str
    meta: dict[str, object]
    changes: list[str]
    note: str | None
    author_id: int | None
    created_at: datetime
    submitted_at: datetime | None
    reviewer_id: int | None
    reviewed_at: datetime | None
    review_comment: str | None


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_key: str | None
    title: str
    category: str
    subcategory: str | None
    region_code: str | None
    department: str | None
    owner_unit_id: int | None
    tags: list[str]
    valid_from: date | None
    valid_to: date | None
    state: str
    published_version: int | None
    index_status: str | None
    index_error: str | None
    review_due_at: datetime | None
    updated_at: datetime


class PassageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ordinal: int
    heading_path: list[str]
    text: str


class ArticleDetail(ArticleOut):
    body: str | None = None
    passages: list[PassageOut] = Field(default_factory=list)


class CorrectionIn(BaseModel):
    kind: Literal["error", "outdated"]
    description: str = Field(min_length=1, max_length=2000)
    proposed_text: str | None = Field(default=None, max_length=20000)
    passage_id: int | None = None


class CorrectionResolve(BaseModel):
    accept: bool
    response: str | None = Field(default=None, max_length=2000)


class CorrectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    article_id: int
    passage_id: int | None
    kind: str
    description: str
    proposed_text: str | None
    reporter_id: int
    owner_unit_id: int | None
    state: str
    due_at: datetime
    overdue: bool
    created_at: datetime
    resolved_at: datetime | None
    response: str | None


class CategoryIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=128)
    parent_code: str


class CategoryNode(BaseModel):
    code: str
    name: str
    children: list[CategoryNode] = Field(default_factory=list)


class SearchHitOut(BaseModel):
    id: str
    article_id: int
    title: str
    heading_path: list[str]
    snippet_html: str
    source: str | None
    category: str | None
    valid_to: date | None
    score: float


class SearchOut(BaseModel):
    hits: list[SearchHitOut]


class ImportReport(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    passages_added: int = 0
    passages_removed: int = 0
    passages_kept: int = 0
    articles: list[int] = Field(default_factory=list)
