"""Risk signals in a caller's words → an immediate supervisor alert (``alert.risk``) that says why.

The rules are documented in ``docs/risk-rules.md`` (keep the two in step). Each rule is a regular
expression with known harmless look-alikes excluded (「跳楼价」 is a price, 「杀虫」 is pest control).
Beside the rules, an urgency model (when the centre has trained one from its own orders) can add a
medium flag when it is confident the matter is urgent (``model_flag``, ``served_model_flags``). Alerts
are raised once, when an order is created (``install_alerts``); the suggestion shows the same flags
while the agent is still typing, without alerting.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from hotline.db import MODELS_ROOT
from hotline.events import emit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RiskRule:
    code: str
    label: str
    severity: str  # high | medium
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None = None


def _re(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


RULES: tuple[RiskRule, ...] = (
    RiskRule(
        "self_harm",
        "自伤自杀风险",
        "high",
        _re(
            r"自杀",
            r"轻生",
            r"跳楼",
            r"跳河",
            r"跳江",
            r"割腕",
            r"上吊",
            r"喝农药",
            r"吃安眠药",
            r"不想活",
            r"活不下去",
            r"从.{0,6}(楼|桥)(顶|上)?跳下",
            r"死给(你们|他们|政府)看",
            r"一死了之",
            r"结束(自己的)?生命",
        ),
        _re(r"跳楼价", r"跳楼(大)?甩卖", r"预防自杀", r"自杀式(袭击|营销)"),
    ),
    RiskRule(
        "violence",
        "暴力威胁",
        "high",
        _re(
            r"(杀|砍|捅|弄|打)死(他|她|你|你们|他们|人)",
            r"同归于尽",
            r"报复社会",
            r"血债血偿",
            r"(炸|烧)(了|掉)(你们|他们|政府|公司|小区|大楼)",
            r"炸药",
            r"汽油.{0,6}(烧|点)",
            r"拿刀",
            r"带刀",
            r"动刀子",
            r"要他(的)?命",
            r"拼(个)?命",
        ),
        _re(r"杀虫", r"杀毒", r"打死(蚊子|老鼠|苍蝇|蟑螂)"),
    ),
    RiskRule(
        "group_incident",
        "群体性事件苗头",
        "high",
        _re(
            r"集体(上访|讨薪|维权|去|到)",
            r"(几十|上百|数十|上千|一百多|几百)(个|名|号)?人",
            r"(堵|拦|封)(路|门|桥|高速|政府)",
            r"拉横幅",
            r"打横幅",
            r"围堵",
            r"静坐",
            r"聚集",
            r"组织.{0,6}(业主|工友|村民|家长).{0,8}(去|到)",
        ),
    ),
    RiskRule(
        "public_safety",
        "公共安全隐患",
        "high",
        _re(
            r"(燃气|煤气|天然气)(泄漏|泄露|漏气)",
            r"闻到(很大的)?(煤气|燃气)味",
            r"着火",
            r"起火",
            r"爆炸",
            r"塌(方|陷|了)",
            r"坍塌",
            r"触电",
            r"漏电",
            r"有人(被)?困",
            r"溺水",
        ),
    ),
    RiskRule(
        "vulnerable",
        "弱势人员处境危险",
        "medium",
        _re(
            r"(老人|孩子|小孩|儿童|孕妇).{0,8}(没人管|被打|被虐|饿|走失|失踪)",
            r"家暴",
            r"家庭暴力",
            r"被(拐|虐待|非法拘禁)",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class RiskFlag:
    code: str
    label: str
    severity: str
    matched: str  # the words that triggered it
    reason: str  # a sentence a supervisor reads

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def detect_risk(text: str) -> list[RiskFlag]:
    """Every rule that fires on ``text``, with the words that fired it."""
    flags = []
    for rule in RULES:
        cleaned = rule.exclude.sub("", text) if rule.exclude else text
        m = rule.pattern.search(cleaned)
        if m:
            flags.append(
                RiskFlag(
                    rule.code,
                    rule.label,
                    rule.severity,
                    m.group(0),
                    f"{rule.label}：内容出现「{m.group(0)}」（规则 {rule.code}）",
                )
            )
    return flags


def model_flag(*, urgency_label: str | None, confidence: float, threshold: float = 0.9) -> RiskFlag | None:
    """The classifier's urgency model, when confident, as a medium flag (it never raises alone a high one)."""
    if urgency_label == "urgent" and confidence >= threshold:
        return RiskFlag("model_urgent", "模型判断紧急", "medium", "", f"模型判断为紧急诉求（置信度 {confidence:.2f}）")
    return None


def alert_payload(order: Any, flags: list[RiskFlag]) -> dict[str, Any]:
    from routing.orders.views_model import masked_fields

    subject = masked_fields(order)["subject"] if order.confidential else order.subject
    return {
        "order_id": order.id,
        "number": order.number,
        "subject": subject,
        "region_code": order.region_code,
        "incident_address": order.incident_address,
        "flags": [f.as_dict() for f in flags],
        "why": "；".join(f.reason for f in flags),
    }


def served_model_flags(text: str, *, root: Path | None = None) -> list[RiskFlag]:
    """The flag the serving urgency model adds (``model_flag``), as the suggestion computes it: only
    where no urgency rule fired, and only from a calibrated model. Never raises: an alert must not
    block an intake, so a model that cannot load is logged and skipped. ``root``: the model store
    (default: the settings' data directory)."""
    from routing.suggest.predict import UrgencyPredictor, classifier_predictor

    try:
        model = classifier_predictor("urgency", root=root)
        if model is None:
            return []
        p = UrgencyPredictor(model).predict(text)
    except Exception:  # noqa: BLE001 — see the docstring
        log.exception("urgency model failed; risk alert from the rules only")
        return []
    flag = model_flag(urgency_label=p.label, confidence=p.confidence) if p.calibrated else None
    return [flag] if flag else []


def _on_insert(_mapper: Any, _conn: Any, order: Any) -> None:
    session = Session.object_session(order)
    text = f"{order.subject}\n{order.description}"
    root = session.info.get(MODELS_ROOT) if session is not None else None
    flags = detect_risk(text) + served_model_flags(text, root=root)
    if not flags:
        return
    if session is not None:
        emit(session, "alert.risk", alert_payload(order, flags), audience=["supervisor"])


_installed = False


def install_alerts() -> None:
    """Raise ``alert.risk`` in the same transaction as every new order whose text carries a risk signal
    (so it commits, or rolls back, with the order). Idempotent."""
    global _installed
    if _installed:
        return
    from routing.orders.models import WorkOrder

    sa_event.listen(WorkOrder, "after_insert", _on_insert)
    _installed = True
