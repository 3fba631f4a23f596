"""The dispatch suggestion: classifier + catalogue + locality + duplicates + similar orders + direct
answer + risk, composed for one order being typed.

    out = suggest(session=session, data=SuggestIn(...), query_vector=vec,
                  order_searcher=..., kb_searcher=..., predictors=Predictors.default())

``query_vector`` is the text's embedding, computed once per edit and shared with search (never
computed here when given). Order of precedence, each step saying where its answer came from:

1. what the agent has already chosen is kept (``source="agent"``);
2. category: the classifier when serving, else keywords + similar orders (``predict.py``);
3. units: a catalogue rule for the category (and the incident's region) decides; where no rule
   matches, the lead-unit model ranks the units when one serves (``unit_model.py``), else the units of
   the most similar past orders are ranked; failing both, the locality's county;
4. below ``needs_choice_below`` a field is not pre-filled: the console asks, showing the alternatives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.search import HybridSearcher, SearchHit
from routing.catalogue.service import keyword_matches, match_rule
from routing.duplicates import DuplicateConfig, find_duplicates, order_id_of
from routing.orders.enums import RequestType, Urgency
from routing.orders.models import WorkOrder
from routing.orders.views_model import masked_fields
from routing.risk import detect_risk, model_flag
from routing.suggest import direct_answer as da
from routing.suggest import schemas as s
from routing.suggest.directory import Directory, get_directory
from routing.suggest.predict import (
    CATEGORY_SEP,
    Prediction,
    Predictor,
    RequestTypePredictor,
    UrgencyPredictor,
    category_fallback,
    category_key,
    classifier_predictor,
    request_type_fallback,
    urgency_fallback,
)
from routing.suggest.unit_model import UnitModel, units_without_rule
from routing.suggest.units import units_from_rule


@dataclass(slots=True)
class Predictors:
    category: Predictor | None = None
    request_type: Predictor | None = None
    urgency: Predictor | None = None
    lead_unit: UnitModel | None = None

    @classmethod
    def default(
        cls, *, models: Path | None = None, query_vector: Any | None = None, vector_model: str | None = None
    ) -> Predictors:
        """The serving classifier models (store at ``models``) where they exist; documented rules
        for the rest. ``query_vector`` (by the embedder ``vector_model``) is the text's embedding that
        search computed; models trained on that embedder use it instead of embedding again. The
        lead-unit model, when one serves, reads the text with the incident's region, not that vector."""
        shared = {"query_vector": query_vector, "vector_model": vector_model}
        return cls(
            classifier_predictor("category", root=models, **shared),
            RequestTypePredictor(classifier_predictor("request_type", root=models, **shared)),
            UrgencyPredictor(classifier_predictor("urgency", root=models, **shared)),
            UnitModel.serving(root=models),
        )


@dataclass(frozen=True, slots=True)
class SuggestConfig:
    needs_choice_below: float = 0.6
    similar_k: int = 5
    duplicates: DuplicateConfig = field(default_factory=DuplicateConfig)


def _choices(pred: Prediction, label_of: Any) -> list[s.Choice]:
    return [s.Choice(value=v, label=label_of(v), confidence=round(c, 4)) for v, c in pred.alternatives[:3] if v]


def _field(
    pred: Prediction, label_of: Any, config: SuggestConfig, evidence: list[str] | None = None
) -> s.FieldSuggestion:
    needs = pred.label is None or pred.confidence < config.needs_choice_below
    return s.FieldSuggestion(
        value=None if needs else pred.label,
        label=None if needs or pred.label is None else label_of(pred.label),
        confidence=round(pred.confidence, 4),
        calibrated=pred.calibrated,
        needs_choice=needs,
        alternatives=_choices(pred, label_of),
        source=pred.source,
        evidence=evidence
        or (
            [f"关键词「{w}」" for w in pred.top_words[:5]]
            if pred.source in ("model", "keywords", "similar_orders")
            else pred.top_words[:5]
        ),
    )


def _agent_field(value: str, label: str) -> s.FieldSuggestion:
    return s.FieldSuggestion(
        value=value,
        label=label,
        confidence=1.0,
        calibrated=True,
        needs_choice=False,
        alternatives=[s.Choice(value=value, label=label, confidence=1.0)],
        source="agent",
        evidence=["话务员已选择"],
    )


def _split(key: str | None) -> tuple[str | None, str | None, str | None]:
    parts = (key or "").split(CATEGORY_SEP) if key else []
    parts += [None] * (3 - len(parts))  # type: ignore[list-item]
    return parts[0] or None, parts[1] or None, parts[2] or None


def _similar(session: Session, hits: list[SearchHit], directory: Directory) -> list[tuple[s.SimilarOrder, WorkOrder]]:
    out = []
    # One read for the whole list (a primary-key read per hit cost ~1 ms a suggestion on PostgreSQL).
    ids = [order_id_of(hit.id) for hit in hits]
    wanted = [oid for oid in ids if oid is not None]
    orders = {o.id: o for o in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(wanted)))} if wanted else {}
    for hit, oid in zip(hits, ids, strict=True):
        order = orders.get(oid) if oid is not None else None
        if order is None:
            continue
        subject = masked_fields(order)["subject"] if order.confidential else order.subject
        unit = directory.by_id.get(order.lead_unit_id) if order.lead_unit_id else None
        out.append(
            (
                s.SimilarOrder(
                    order_id=order.id,
                    number=order.number,
                    subject=subject,
                    category=category_key(order.category_l1, order.category_l2, order.category_l3) or None,
                    unit=unit.name if unit else None,
                    state=order.state,
                    created_at=order.created_at,
                    score=round(float(hit.score), 4),
                ),
                order,
            )
        )
    return out


def suggest(
    *,
    session: Session,
    data: s.SuggestIn,
    query_vector: Any | None = None,
    order_searcher: HybridSearcher | None = None,
    kb_searcher: HybridSearcher | None = None,
    predictors: Predictors | None = None,
    config: SuggestConfig | None = None,
) -> s.SuggestOut:
    config = config or SuggestConfig()
    predictors = predictors if predictors is not None else Predictors()
    timings: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[name] = round((now - t) * 1000, 2)
        t = now

    text = data.text
    directory = get_directory(session=session)
    match = directory.locality.resolve(data.incident_address)
    locality = None
    if match:
        unit = directory.by_code.get(match.workstation_code)
        locality = s.Locality(
            workstation_code=match.workstation_code,
            workstation_name=unit.name if unit else None,
            region_code=match.region_code,
            region_name=directory.region_names.get(match.region_code),
            place=match.place.name,
            matched=match.matched,
            method=match.method,
            score=match.score,
            reason=match.reason(),
        )
    region = data.region_code or (locality.region_code if locality else None)
    risk = detect_risk(text)
    lap("locality_risk")

    similar: list[tuple[s.SimilarOrder, WorkOrder]] = []
    if order_searcher is not None:
        hits = order_searcher.search(
            text,
            query_vector=query_vector,
            k=config.similar_k + 1,
            snippets=False,
            mode="hybrid" if query_vector is not None or order_searcher.embedder else "bm25",
        )
        similar = [(so, o) for so, o in _similar(session, hits, directory) if o.id != data.order_id][: config.similar_k]
    lap("similar_orders")

    # Category.
    kw = keyword_matches(directory.rules, region_code=region, text=text)
    if data.category_l1:
        cat_key = category_key(data.category_l1, data.category_l2, data.category_l3)
        category = _agent_field(cat_key, cat_key)
        cat_words: list[str] = []
    else:
        pred = predictors.category.predict(text) if predictors.category else None
        cat_evidence = None
        if pred is None or pred.label is None:
            pred = category_fallback(
                keyword_matches=kw, neighbours=[(so.category or "", so.score) for so, _ in similar]
            )
        elif _split(pred.label)[2] is None:
            # The model knows the upper levels (what the training data labels); a catalogue rule under
            # that branch whose keywords occur names the rest.
            under = [m for m in kw if category_key(*m.rule.category).startswith(pred.label + CATEGORY_SEP)]
            if under:
                pred.label = category_key(*under[0].rule.category)
                pred.alternatives = [(pred.label, pred.confidence), *pred.alternatives[1:]]
                pred.source = "model+rule"
                cat_evidence = [
                    f"模型判断「{category_key(*under[0].rule.category[:1])}」（置信度 {pred.confidence:.2f}）",
                    under[0].reason(),
                ]
        category = _field(pred, lambda v: v, config, cat_evidence)
        cat_words = pred.top_words
    # Request type and urgency.
    if data.request_type:
        request_type = _agent_field(data.request_type.value, data.request_type.label)
    else:
        rp = predictors.request_type.predict(text) if predictors.request_type else request_type_fallback(text)
        request_type = _field(rp, lambda v: RequestType(v).label if v in RequestType.__members__ else v, config)
    high_risk = any(f.severity == "high" for f in risk)
    if data.urgency:
        urgency = _agent_field(data.urgency.value, data.urgency.label)
    else:
        up = predictors.urgency.predict(text) if predictors.urgency else urgency_fallback(text, high_risk=high_risk)
        if high_risk and up.label != "urgent":
            up = urgency_fallback(text, high_risk=True)
        if (flag := model_flag(urgency_label=up.label, confidence=up.confidence)) and up.calibrated:
            risk.append(flag)
        urgency = _field(up, lambda v: Urgency(v).label if v in Urgency.__members__ else v, config)
    lap("classify")

    # Units: the rule for the (chosen or confidently predicted) category decides. A category the agent
    # must still choose selects no rule: its lead would be pre-filled on a guess.
    rule_match = None
    if category.value:
        rule_match = match_rule(directory.rules, category=_split(category.value), region_code=region, text=text)
    if rule_match is None and not category.value and kw:
        rule_match = kw[0]  # no category yet, but the caller's words name a catalogue rule
    units = (
        units_from_rule(rule_match, directory, locality)
        if rule_match
        else units_without_rule(
            predictors.lead_unit,
            text=text,
            region_code=region,
            similar=similar,
            directory=directory,
            locality=locality,
            threshold=config.needs_choice_below,
        )
    )
    lap("units")

    dups = find_duplicates(
        session=session,
        phone=data.caller_phone,
        incident_address=data.incident_address,
        region_code=region,
        query_vector=query_vector,
        order_searcher=order_searcher,
        exclude_ids=[data.order_id] if data.order_id else [],
        config=config.duplicates,
    )
    lap("duplicates")

    answer = None
    is_enquiry = (
        request_type.value or (request_type.alternatives[0].value if request_type.alternatives else None)
    ) == RequestType.enquiry.value
    if kb_searcher is not None and is_enquiry:
        mode = "hybrid" if (query_vector is not None or kb_searcher.embedder is not None) else "bm25"
        threshold = da.threshold_for(
            kb_searcher.embedder.name if kb_searcher.embedder and mode != "bm25" else None, mode
        )
        if threshold is not None:
            hits = kb_searcher.search(text, query_vector=query_vector, k=2, mode=mode)  # type: ignore[arg-type]
            score = da.answer_score(hits)
            if hits and score >= threshold:
                answer = s.DirectAnswer(
                    passage_id=hits[0].id,
                    title=hits[0].document.title,
                    snippet=hits[0].snippet,
                    score=round(score, 4),
                    threshold=threshold,
                )
    lap("direct_answer")

    # The words that weighed most: the model's own (or the fallback's keyword hits), then rule keywords.
    top_words = list(dict.fromkeys([*cat_words, *(k for m in kw[:3] for k in m.keywords)]))[:8]
    fields = (category, request_type, urgency)
    return s.SuggestOut(
        category=category,
        request_type=request_type,
        urgency=urgency,
        units=units,
        locality=locality,
        duplicates=[
            s.Duplicate(
                order_id=d.order_id,
                number=d.number,
                subject=d.subject,
                state=d.state,
                incident_address=d.incident_address,
                created_at=d.created_at,
                kinds=d.kinds,
                reasons=d.reasons,
            )
            for d in dups
        ],
        direct_answer=answer,
        risk_flags=[s.RiskFlagOut(**f.as_dict()) for f in risk],
        explanation=s.Explanation(similar_orders=[so for so, _ in similar], top_words=top_words),
        needs_choice=any(f.needs_choice for f in fields) or units.lead is None or units.needs_choice,
        timings_ms=timings,
    )
