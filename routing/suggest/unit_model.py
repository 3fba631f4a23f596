"""The lead-unit model: where no catalogue rule matches, a trained classifier ranks the units.

Task ``lead_unit`` in the model store: labels are ``Workstation.code``; the model learns from finished
orders' lead units and agents' corrections (overrides, upheld returns that led to a reassignment;
``routing.classify.from_db``), trained by the same production trainer as the other tasks.

The same matter goes to different county units depending on where it happened, so the text the model
sees carries the incident's region: ``unit_text`` builds it, for training pairs and predictions alike
(one function, so the two can never drift apart).

Serving (``units_without_rule``): the model ranks its labels; labels whose code is not an active unit
of the directory any more are dropped; the best remaining unit leads, the next three are alternatives.
Below the suggestion's choice threshold nothing is pre-filled (``lead`` None, ``needs_choice``) and the
ranked units are listed for the agent to choose from. Without a serving model, or when none of its
labels is a unit any more, the similar orders' units and then the locality decide, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from routing.orders.models import WorkOrder
from routing.suggest import schemas as s
from routing.suggest.directory import Directory, UnitInfo
from routing.suggest.units import as_unit, units_from_neighbours

TASK = "lead_unit"
ALTERNATIVES = 3


def unit_text(text: str, region_code: str | None, region_names: Mapping[str, str]) -> str:
    """What the lead-unit model reads: the incident's region (its name where known, else its code)
    before the order's text. Used when building training pairs and when predicting."""
    region = (region_names.get(region_code) or region_code) if region_code else None
    return f"事发地：{region}\n{text}" if region else text


@dataclass(slots=True)
class UnitRanking:
    ranked: list[tuple[str, float]]  # every label (unit code), best first, calibrated confidence
    top_words: list[str] = field(default_factory=list)  # what pushed the text towards ranked[0]


class UnitModel:
    """The serving ``lead_unit`` model of a model store (loaded once per version, see ``store``)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    @classmethod
    def serving(cls, *, root: Path | None = None) -> UnitModel | None:
        from routing.classify import has_serving_model

        return cls(root) if has_serving_model(TASK, root=root) else None

    def rank(self, text: str) -> UnitRanking:
        """``text`` as ``unit_text`` built it. The model's own embedder (if it has one) embeds it: the
        search's shared vector is of the bare text, not of this one."""
        from routing.classify import store
        from routing.classify.model import predict

        model, _ = store.load_serving_cached(TASK, root=self.root)
        # One prediction ranks every label and explains the best (features computed once).
        p = predict(model, text, alternatives=len(model.labels))
        return UnitRanking([(a.label, a.confidence) for a in p.alternatives], [w.word for w in p.top_words])


def units_from_model(
    model: UnitModel,
    *,
    text: str,
    region_code: str | None,
    similar: list[tuple[s.SimilarOrder, WorkOrder]],
    directory: Directory,
    threshold: float,
) -> s.UnitsSuggestion | None:
    """The model's ranking as a suggestion; None when none of its labels is an active unit."""
    ranking = model.rank(unit_text(text, region_code, directory.region_names))
    known = [(u, c) for code, c in ranking.ranked if (u := directory.by_code.get(code)) is not None]
    if not known:
        return None
    top, confidence = known[0]
    needs_choice = confidence < threshold
    evidence = [f"无匹配的派单目录规则；主办单位模型推荐：{top.name}（置信度 {confidence:.2f}）"]
    # The words explain the model's own best label; when that unit is gone they explain nothing shown.
    if ranking.top_words and ranking.ranked[0][0] == top.code:
        evidence.append("起作用的词：" + "、".join(f"「{w}」" for w in ranking.top_words[:5]))
    went = sum(1 for _, o in similar if o.lead_unit_id == top.id)
    if went:
        evidence.append(f"相似历史工单中有 {went} 件由{top.name}主办")
    if needs_choice:
        evidence.append(f"置信度低于 {threshold:.2f}，请从候选单位中选择主办单位")
    shown: list[UnitInfo] = [u for u, _ in known[: ALTERNATIVES + 1]]
    return s.UnitsSuggestion(
        lead=None if needs_choice else as_unit(top),
        source="model",
        evidence=evidence,
        # Asking the agent to choose: the model's best unit is the first choice, not a pre-filled lead.
        alternatives=[a for u in (shown if needs_choice else shown[1:]) if (a := as_unit(u))],
        confidence=round(confidence, 4),
        needs_choice=needs_choice,
    )


def units_without_rule(
    model: UnitModel | None,
    *,
    text: str,
    region_code: str | None,
    similar: list[tuple[s.SimilarOrder, WorkOrder]],
    directory: Directory,
    locality: s.Locality | None,
    threshold: float,
) -> s.UnitsSuggestion:
    """Step 3 of the suggestion where no catalogue rule matched: the unit model when one serves, else
    (or when it names no existing unit) the similar orders' units, then the locality."""
    if model is not None:
        out = units_from_model(
            model,
            text=text,
            region_code=region_code,
            similar=similar,
            directory=directory,
            threshold=threshold,
        )
        if out is not None:
            return out
    return units_from_neighbours(similar, directory, locality)
