"""What the suggestion asks of a model, and what it does without one.

``Predictor.predict(text) -> Prediction`` per task (``category``, ``request_type``, ``urgency``). The
trained classifier (``routing.classify``) is used when it has a serving model; until then, and for any
task it does not serve, the documented fallbacks below answer, marked ``calibrated=False`` so the
console does not present their scores as probabilities:

* category: the catalogue's keywords (rules) and the final categories of the most similar past orders,
  weighted and normalised;
* request type and urgency: the keyword rules in ``REQUEST_TYPE_CUES`` / ``URGENT_CUES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from routing.catalogue.service import RuleMatch


@dataclass(slots=True)
class Prediction:
    label: str | None
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # best first, label included
    top_words: list[str] = field(default_factory=list)
    calibrated: bool = False
    source: str = "model"


class Predictor(Protocol):
    def predict(self, text: str) -> Prediction: ...


def _decision(decision: Any, *, confidence: float, calibrated: bool = False) -> Prediction:
    """A documented rule decision of ``routing.classify.rules`` as a prediction; its reasons are the
    evidence. A default (no rule fired, no model) is a guess the console should ask about."""
    if decision.source == "default":
        confidence = min(confidence, 0.4)
    return Prediction(
        decision.value,
        confidence,
        [(decision.value, confidence)],
        list(decision.reasons),
        calibrated,
        decision.source,
    )


class RequestTypePredictor:
    """The six request types: the learned three-way label (咨询 / 投诉求助 / 建言) when a request-type
    model serves, mapped and refined by the documented rules (举报, 表扬, the 投诉/求助 split); rules
    alone otherwise."""

    def __init__(self, model: Predictor | None) -> None:
        self.model = model

    def predict(self, text: str) -> Prediction:
        from routing.classify import rules

        learned = self.model.predict(text) if self.model else None
        decision = rules.request_type(text, learned=learned.label if learned else None)
        if learned is not None and decision.source.startswith("model"):
            # The model's probability is of its three-way label; where the rules split 投诉/求助 into
            # complaint or help request, it is not the probability of the value shown.
            one_to_one = len(rules.DATA_TYPE_MAP[learned.label or ""]) == 1
            return Prediction(
                decision.value,
                learned.confidence,
                [(decision.value, learned.confidence)],
                [*learned.top_words, *decision.reasons],
                learned.calibrated and one_to_one,
                decision.source,
            )
        return _decision(decision, confidence=0.8)


class UrgencyPredictor:
    """Urgency from the documented rules; where no rule fires and the centre has trained an urgency
    model from its own orders and agents' corrections (``hotline routing train --task urgency
    --from-db``; the shared data has no urgency label), that model decides. A rule's 紧急 always wins:
    the model can add urgency, never remove it."""

    def __init__(self, model: Predictor | None = None) -> None:
        self.model = model

    def predict(self, text: str) -> Prediction:
        from routing.classify import rules

        decision = rules.urgency(text)
        if decision.value != "urgent" and self.model is not None:
            return self.model.predict(text)
        return _decision(decision, confidence=0.8 if decision.value == "urgent" else 0.7)


def request_type_fallback(text: str) -> Prediction:
    return RequestTypePredictor(None).predict(text)


def urgency_fallback(text: str, *, high_risk: bool) -> Prediction:
    if high_risk:
        return Prediction("urgent", 0.9, [("urgent", 0.9), ("normal", 0.1)], ["风险提示"], False, "rule")
    return UrgencyPredictor().predict(text)


CATEGORY_SEP = "/"


def category_key(l1: str | None, l2: str | None = None, l3: str | None = None) -> str:
    return CATEGORY_SEP.join(x for x in (l1, l2, l3) if x)


def category_fallback(*, keyword_matches: Sequence[RuleMatch], neighbours: Sequence[tuple[str, float]]) -> Prediction:
    """Category votes: each keyword rule by the length of the words it found (longer is more specific),
    each similar past order by its similarity score."""
    votes: dict[str, float] = {}
    words: list[str] = []
    for m in keyword_matches[:5]:
        key = category_key(*m.rule.category)
        votes[key] = votes.get(key, 0.0) + 0.5 * sum(len(k) for k in m.keywords)
        words.extend(k for k in m.keywords if k not in words)
    for key, score in neighbours:
        if key and score > 0:
            votes[key] = votes.get(key, 0.0) + score
    total = sum(votes.values())
    # Neighbours scored 0 (fused scores normalise the weakest hit to 0) carry no vote.
    if total <= 0:
        return Prediction(None, 0.0, [], [], False, "none")
    ranked = sorted(((k, v / total) for k, v in votes.items()), key=lambda kv: -kv[1])
    source = (
        "keywords"
        if keyword_matches and ranked[0][0] == category_key(*keyword_matches[0].rule.category)
        else "similar_orders"
    )
    return Prediction(ranked[0][0], ranked[0][1], ranked[:5], words, False, source)


def classifier_predictor(
    task: str, *, root: Path | None = None, query_vector: Any | None = None, vector_model: str | None = None
) -> Predictor | None:
    """The trained classifier for ``task`` when a model of it is serving (in the model store at ``root``,
    default ``<data_dir>/models``), as a ``Predictor``; else None.

    ``query_vector`` is the embedding of the text being suggested for, by ``vector_model``: a model
    trained with that embedder uses it; a model trained with another embeds the text itself (slower,
    not wrong); see ``routing.classify.service.classify``."""
    from routing.classify import classify, has_serving_model

    if not has_serving_model(task, root=root):
        return None

    class _Served:
        def predict(self, text: str) -> Prediction:
            p = classify(text, task=task, root=root, vector=query_vector, vector_model=vector_model)
            return Prediction(
                p.label,
                float(p.confidence),
                [(a.label, float(a.confidence)) for a in p.alternatives],
                [w.word for w in p.top_words],
                True,
                "model",
            )

    return _Served()
