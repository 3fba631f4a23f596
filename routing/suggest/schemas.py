"""Request and answer of ``POST /api/routing/suggest`` and the ``suggest`` websocket message."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from routing.orders.enums import RequestType, Urgency

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


class SuggestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Text = ""
    description: Text = ""
    incident_address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=256)] | None = None
    caller_phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None
    region_code: Annotated[str, StringConstraints(max_length=8)] | None = None
    # What the agent has already chosen: kept, never second-guessed.
    request_type: RequestType | None = None
    urgency: Urgency | None = None
    category_l1: Short | None = None
    category_l2: Short | None = None
    category_l3: Short | None = None
    order_id: int | None = Field(default=None, description="the order being edited, left out of duplicates")

    @model_validator(mode="after")
    def _needs_text(self) -> SuggestIn:
        if not (self.subject or self.description):
            raise ValueError("subject 和 description 至少填写一项（诉求内容不能为空）")
        return self

    @property
    def text(self) -> str:
        return "\n".join(t for t in (self.subject, self.description) if t)


class Choice(BaseModel):
    value: str
    label: str
    confidence: float


class FieldSuggestion(BaseModel):
    value: str | None
    label: str | None
    confidence: float
    calibrated: bool  # False where the value comes from rules or neighbours, not a calibrated model
    needs_choice: bool  # below the threshold the console asks the agent to choose
    alternatives: list[Choice]
    source: str  # agent | model | rule | similar_orders | keywords
    evidence: list[str] = Field(default_factory=list)


class Unit(BaseModel):
    id: int | None
    code: str
    name: str
    tier: int | None = None


class UnitsSuggestion(BaseModel):
    lead: Unit | None
    source: str  # rule | model | similar_orders | locality | none
    evidence: list[str]
    assist: list[Unit] = Field(default_factory=list)
    delegate: Unit | None = None  # the tier-3 station of the locality, where the rule lets tier 3 handle it
    # What the catalogue rule says (source ``rule`` only).
    rule_id: int | None = None
    rule_version: int | None = None
    reply_days: int | None = None
    tier3_allowed: bool | None = None
    alternatives: list[Unit] = Field(default_factory=list)
    # The lead-unit model's calibrated confidence in its best unit (source ``model`` only).
    confidence: float | None = None
    # Below the threshold the model's units are only listed (``lead`` None): the console asks to choose.
    needs_choice: bool = False


class Locality(BaseModel):
    workstation_code: str
    workstation_name: str | None
    region_code: str
    region_name: str | None
    place: str
    matched: str
    method: str
    score: float
    reason: str


class SimilarOrder(BaseModel):
    order_id: int
    number: str
    subject: str
    category: str | None
    unit: str | None
    state: str
    created_at: datetime
    score: float


class Duplicate(BaseModel):
    order_id: int
    number: str
    subject: str
    state: str
    incident_address: str
    created_at: datetime
    kinds: list[str]
    reasons: list[str]


class DirectAnswer(BaseModel):
    passage_id: str
    title: str
    snippet: str
    score: float
    threshold: float


class RiskFlagOut(BaseModel):
    code: str
    label: str
    severity: str
    matched: str
    reason: str


class Explanation(BaseModel):
    similar_orders: list[SimilarOrder]
    top_words: list[str]


class SuggestOut(BaseModel):
    category: FieldSuggestion
    request_type: FieldSuggestion
    urgency: FieldSuggestion
    units: UnitsSuggestion
    locality: Locality | None
    duplicates: list[Duplicate]
    direct_answer: DirectAnswer | None
    risk_flags: list[RiskFlagOut]
    explanation: Explanation
    needs_choice: bool
    timings_ms: dict[str, float]


class OverrideIn(BaseModel):
    """What the console sends when the agent saves an order: the suggestion it showed and what the agent
    kept. Every field that differs becomes a labelled example."""

    model_config = ConfigDict(extra="forbid")

    order_id: int
    suggested: dict[str, str | None]
    chosen: dict[str, str]

    @model_validator(mode="after")
    def _known_fields(self) -> OverrideIn:
        from routing.suggest.feedback import FIELDS

        for name in (*self.suggested, *self.chosen):
            if name not in FIELDS:
                raise ValueError(f"未知的字段 {name!r}，可选: {', '.join(FIELDS)}")
        return self


class FeedbackOut(BaseModel):
    recorded: int
    fields: list[str]


class FeedbackExampleOut(BaseModel):
    """One labelled example learned from agents (``GET /api/routing/feedback``)."""

    order_id: int | None
    field: str
    source: str  # override | reassign
    suggested: str | None
    chosen: str
    created_at: datetime


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
