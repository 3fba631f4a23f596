"""Catalogue rules: versioned CRUD, matching with precedence, dispute counting, demo load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.org.models import Region, Workstation
from routing.catalogue.models import LOCAL, CatalogueRule, CatalogueRuleVersion, GazetteerPlace
from routing.catalogue.schemas import RuleIn, RuleUpdate
from routing.catalogue.taxonomy import unknown_category

_FIELDS = (
    "level1",
    "level2",
    "level3",
    "region_code",
    "keywords",
    "lead",
    "assist",
    "tier3_allowed",
    "functional",
    "reply_days",
)


class RuleNotFound(LookupError):
    pass


class InvalidRule(ValueError):
    pass


class StaleRule(Exception):
    def __init__(self, rule: CatalogueRule) -> None:
        super().__init__(f"派单规则 {rule.id} 已被他人修改（当前版本 {rule.version}），请刷新后重试")
        self.rule = rule


def rule_data(rule: CatalogueRule) -> dict[str, Any]:
    return {f: getattr(rule, f) for f in _FIELDS}


def _check(*, session: Session, data: RuleIn) -> None:
    if (missing := unknown_category(data.level1, data.level2, data.level3)) is not None:
        raise InvalidRule(f"分类体系中没有{missing}，请从分类体系中选择")
    if data.region_code and session.get(Region, data.region_code) is None:
        raise InvalidRule(f"未知的区域编码 region_code={data.region_code!r}")
    codes = [c for c in (data.lead, *data.assist) if c != LOCAL]
    known = set(session.scalars(select(Workstation.code).where(Workstation.code.in_(codes))))
    for code in codes:
        if code not in known:
            raise InvalidRule(f"未知的工作站编码 {code!r}（主办可填 LOCAL 表示事发地属地政府）")
    if LOCAL in data.assist:
        raise InvalidRule("协办单位不能是 LOCAL，请填写具体工作站编码")


def _record(*, session: Session, rule: CatalogueRule, change: str, actor_id: int | None) -> None:
    session.add(
        CatalogueRuleVersion(
            rule_id=rule.id,
            version=rule.version,
            change=change,
            data=rule_data(rule),
            changed_at=utcnow(),
            changed_by_id=actor_id,
        )
    )


def create_rule(*, session: Session, data: RuleIn, actor_id: int | None) -> CatalogueRule:
    _check(session=session, data=data)
    rule = CatalogueRule(**data.model_dump(), version=1, updated_at=utcnow(), updated_by_id=actor_id)
    session.add(rule)
    session.flush()
    _record(session=session, rule=rule, change="create", actor_id=actor_id)
    return rule


def get_rule(*, session: Session, rule_id: int) -> CatalogueRule:
    rule = session.get(CatalogueRule, rule_id)
    if rule is None:
        raise RuleNotFound(f"派单规则 {rule_id} 不存在")
    return rule


def update_rule(*, session: Session, rule_id: int, data: RuleUpdate, actor_id: int | None) -> CatalogueRule:
    rule = get_rule(session=session, rule_id=rule_id)
    if not rule.active:
        raise RuleNotFound(f"派单规则 {rule_id} 已删除")
    if data.version != rule.version:
        raise StaleRule(rule)
    _check(session=session, data=data)
    for key, value in data.model_dump(exclude={"version"}).items():
        setattr(rule, key, value)
    rule.version += 1
    rule.updated_at, rule.updated_by_id = utcnow(), actor_id
    session.flush()
    _record(session=session, rule=rule, change="update", actor_id=actor_id)
    return rule


def delete_rule(*, session: Session, rule_id: int, actor_id: int | None) -> CatalogueRule:
    rule = get_rule(session=session, rule_id=rule_id)
    if not rule.active:
        raise RuleNotFound(f"派单规则 {rule_id} 已删除")
    rule.active = False
    rule.version += 1
    rule.updated_at, rule.updated_by_id = utcnow(), actor_id
    session.flush()
    _record(session=session, rule=rule, change="delete", actor_id=actor_id)
    return rule


def list_rules(
    *, session: Session, include_deleted: bool = False, level1: str | None = None
) -> Sequence[CatalogueRule]:
    stmt = select(CatalogueRule).order_by(CatalogueRule.id)
    if not include_deleted:
        stmt = stmt.where(CatalogueRule.active.is_(True))
    if level1:
        stmt = stmt.where(CatalogueRule.level1 == level1)
    return session.scalars(stmt).all()


def rule_versions(*, session: Session, rule_id: int) -> Sequence[CatalogueRuleVersion]:
    get_rule(session=session, rule_id=rule_id)
    return session.scalars(
        select(CatalogueRuleVersion)
        .where(CatalogueRuleVersion.rule_id == rule_id)
        .order_by(CatalogueRuleVersion.version)
    ).all()


def count_dispute(*, session: Session | Connection, rule_id: int) -> None:
    """One more dispatch dispute (an upheld return) against the rule that produced the dispatch. A
    ``Connection`` is accepted for the reassignment listener, which runs inside a flush."""
    session.execute(
        update(CatalogueRule).where(CatalogueRule.id == rule_id).values(disputes=CatalogueRule.disputes + 1)
    )


@dataclass(frozen=True, slots=True)
class RuleSnapshot:
    """An immutable copy of an active rule, so matching runs without the database."""

    id: int
    level1: str
    level2: str
    level3: str
    region_code: str | None
    keywords: tuple[str, ...]
    lead: str
    assist: tuple[str, ...]
    tier3_allowed: bool
    functional: bool
    reply_days: int | None
    version: int

    @property
    def category(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.level3)


def snapshot_rules(*, session: Session) -> list[RuleSnapshot]:
    return [
        RuleSnapshot(
            r.id,
            r.level1,
            r.level2,
            r.level3,
            r.region_code,
            tuple(r.keywords or ()),
            r.lead,
            tuple(r.assist or ()),
            r.tier3_allowed,
            r.functional,
            r.reply_days,
            r.version,
        )
        for r in list_rules(session=session)
    ]


@dataclass(frozen=True, slots=True)
class RuleMatch:
    rule: RuleSnapshot
    keywords: tuple[str, ...]  # the rule's keywords found in the text
    region_specific: bool

    def reason(self) -> str:
        parts = [f"派单目录规则 #{self.rule.id}（v{self.rule.version}）：{'/'.join(self.rule.category)}"]
        if self.region_specific:
            parts.append(f"区域 {self.rule.region_code} 专用")
        if self.keywords:
            parts.append("命中关键词「" + "」「".join(self.keywords) + "」")
        return "，".join(parts)


def _rank(match: RuleMatch) -> tuple[int, int, int]:
    return (int(match.region_specific), len(match.keywords), -match.rule.id)


def match_rule(
    rules: Sequence[RuleSnapshot],
    *,
    category: tuple[str | None, str | None, str | None],
    region_code: str | None,
    text: str,
) -> RuleMatch | None:
    """The rule for ``category`` (as deep as it is given) in ``region_code``.

    Precedence: a rule for the incident's region beats a city-wide one; then more keyword hits; then the
    older rule. A rule for another region never applies.
    """
    l1, l2, l3 = category
    if not l1:
        return None
    out: list[RuleMatch] = []
    for rule in rules:
        if rule.level1 != l1 or (l2 and rule.level2 != l2) or (l3 and rule.level3 != l3):
            continue
        if rule.region_code and rule.region_code != region_code:
            continue
        hits = tuple(k for k in rule.keywords if k and k in text)
        out.append(RuleMatch(rule, hits, rule.region_code is not None))
    if not out:
        return None
    # A category given only to level 1 or 2 needs keywords to pick among its rules.
    if not l3 and not any(m.keywords for m in out):
        return None
    return max(out, key=_rank)


def keyword_matches(rules: Sequence[RuleSnapshot], *, region_code: str | None, text: str) -> list[RuleMatch]:
    """Rules whose keywords occur in ``text`` (region permitting), best first: a category signal that
    needs no model."""
    out = []
    for rule in rules:
        if rule.region_code and rule.region_code != region_code:
            continue
        hits = tuple(k for k in rule.keywords if k and k in text)
        if hits:
            out.append(RuleMatch(rule, hits, rule.region_code is not None))
    return sorted(out, key=lambda m: (-sum(len(k) for k in m.keywords), -int(m.region_specific), m.rule.id))


def load_demo_catalogue(*, session: Session, data: dict[str, Any]) -> None:
    """Gazetteer and catalogue from the demo city; idempotent (skipped when rules already exist)."""
    names = set(session.scalars(select(GazetteerPlace.name)))
    for g in data.get("gazetteer", []):
        if g["name"] not in names:
            session.add(
                GazetteerPlace(
                    name=g["name"],
                    aliases=list(g.get("aliases", [])),
                    kind=g["kind"],
                    workstation_code=g["workstation"],
                    region_code=g["region"],
                )
            )
    if session.scalar(select(CatalogueRule.id).limit(1)) is None:
        for r in data.get("catalogue", []):
            rule = CatalogueRule(
                level1=r["level1"],
                level2=r["level2"],
                level3=r["level3"],
                region_code=r.get("region"),
                keywords=list(r.get("keywords", [])),
                lead=r["lead"],
                assist=list(r.get("assist", [])),
                tier3_allowed=bool(r.get("tier3_allowed")),
                functional=bool(r.get("functional")),
                reply_days=r.get("reply_days"),
                version=1,
                updated_at=utcnow(),
            )
            session.add(rule)
            session.flush()
            _record(session=session, rule=rule, change="create", actor_id=None)
    session.flush()
