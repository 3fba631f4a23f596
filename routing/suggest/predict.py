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

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from routing.catalogue.service import RuleMatch

log = logging.getLogger("hotline.suggest")


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


# Request type from the caller's own words; checked in this order (a 举报 often also complains).
REQUEST_TYPE_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("praise", ("表扬", "感谢", "点赞", "锦旗", "致谢")),
    ("tip_off", ("举报", "违法", "非法", "偷排", "违规经营", "无证经营", "违建", "私搭乱建")),
    ("suggestion", ("建议", "希望增设", "能否增设", "提议", "呼吁")),
    ("complaint", ("投诉", "扰民", "不作为", "乱收费", "态度恶劣", "噪音", "拖欠", "欠薪", "太差")),
    ("help_request", ("求助", "帮忙", "救助", "困难", "没水", "停水", "停电", "漏水", "堵了", "坏了")),
    ("enquiry", ("咨询", "请问", "怎么办理", "如何办理", "需要什么材料", "在哪里办", "能不能", "是否", "怎么")),
)
URGENT_CUES = ("紧急", "马上", "立即", "危险", "漏气", "泄漏", "着火", "起火", "爆管", "塌", "触电", "被困",
               "停水", "停电", "没水", "没电", "冒水", "淹")


def rule_predict(text: str, cues: Sequence[tuple[str, Sequence[str]]], *, default: str) -> Prediction:
    hits = [(label, [w for w in words if w in text]) for label, words in cues]
    hits = [(label, words) for label, words in hits if words]
    if not hits:
        return Prediction(default, 0.4, [(default, 0.4)], [], False, "keywords")
    label, words = hits[0]
    # Several types cued at once: less sure.
    conf = 0.8 if len(hits) == 1 else 0.6
    alts = [(lab, conf if i == 0 else round((1 - conf) / max(1, len(hits) - 1), 3)) for i, (lab, _) in enumerate(hits)]
    return Prediction(label, conf, alts, words, False, "keywords")


def request_type_fallback(text: str) -> Prediction:
    return rule_predict(text, REQUEST_TYPE_CUES, default="enquiry")


def urgency_fallback(text: str, *, high_risk: bool) -> Prediction:
    words = [w for w in URGENT_CUES if w in text]
    if high_risk:
        return Prediction("urgent", 0.9, [("urgent", 0.9), ("normal", 0.1)], words, False, "keywords")
    if words:
        return Prediction("urgent", 0.7, [("urgent", 0.7), ("normal", 0.3)], words, False, "keywords")
    return Prediction("normal", 0.8, [("normal", 0.8), ("urgent", 0.2)], [], False, "keywords")


CATEGORY_SEP = "/"


def category_key(l1: str | None, l2: str | None = None, l3: str | None = None) -> str:
    return CATEGORY_SEP.join(x for x in (l1, l2, l3) if x)


def category_fallback(
    *, keyword_matches: Sequence[RuleMatch], neighbours: Sequence[tuple[str, float]]
) -> Prediction:
    """Category votes: each keyword rule by the length of the words it found (longer is more specific),
    each similar past order by its similarity score."""
    votes: dict[str, float] = {}
    words: list[str] = []
    for m in keyword_matches[:5]:
        key = category_key(*m.rule.category)
        votes[key] = votes.get(key, 0.0) + 0.5 * sum(len(k) for k in m.keywords)
        words.extend(k for k in m.keywords if k not in words)
    for key, score in neighbours:
        if key:
            votes[key] = votes.get(key, 0.0) + max(0.0, score)
    if not votes:
        return Prediction(None, 0.0, [], [], False, "none")
    total = sum(votes.values())
    ranked = sorted(((k, v / total) for k, v in votes.items()), key=lambda kv: -kv[1])
    source = "keywords" if keyword_matches and ranked[0][0] == category_key(*keyword_matches[0].rule.category) \
        else "similar_orders"
    return Prediction(ranked[0][0], ranked[0][1], ranked[:5], words, False, source)


def classifier_predictor(task: str) -> Predictor | None:
    """The trained classifier for ``task`` when one is serving, adapted to ``Prediction``; else None."""
    try:
        from routing.classify import predict as classify_predict  # type: ignore[attr-defined]
    except Exception:  # not built yet, or no model: the fallbacks answer
        return None

    class _Adapter:
        def predict(self, text: str) -> Prediction:
            p: Any = classify_predict(text, task=task)
            alts = [(a.label, float(a.confidence)) if hasattr(a, "label") else (str(a[0]), float(a[1]))
                    for a in getattr(p, "alternatives", [])]
            words = [w if isinstance(w, str) else str(getattr(w, "word", w[0] if isinstance(w, tuple) else w))
                     for w in getattr(p, "top_words", [])]
            return Prediction(p.label, float(p.confidence), alts or [(p.label, float(p.confidence))], words,
                              True, "model")

    return _Adapter()
