from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level1: Name
    level2: Name
    level3: Name
    region_code: Annotated[str, StringConstraints(max_length=8)] | None = None
    keywords: list[Name] = Field(default_factory=list)
    lead: Code = Field(description="LOCAL（事发地属地政府）或工作站编码")
    assist: list[Code] = Field(default_factory=list)
    tier3_allowed: bool = False
    functional: bool = False
    reply_days: Annotated[int, Field(ge=1, le=60)] | None = None


class RuleUpdate(RuleIn):
    version: int = Field(description="the version being edited; a stale one is refused")


class RuleOut(BaseModel):
    id: int
    level1: str
    level2: str
    level3: str
    region_code: str | None
    keywords: list[str]
    lead: str
    assist: list[str]
    tier3_allowed: bool
    functional: bool
    reply_days: int | None
    active: bool
    version: int
    disputes: int
    updated_at: datetime


class RuleVersionOut(BaseModel):
    version: int
    change: str
    data: dict[str, Any]
    changed_at: datetime
    changed_by_id: int | None
