"""Which units the suggestion proposes (step 3 of ``routing.suggest.service``): a catalogue rule decides
where one matches; else the lead units of the most similar past orders are ranked; else the incident's
county; each answer says where it came from.
"""

from __future__ import annotations

from routing.catalogue.models import LOCAL
from routing.catalogue.service import RuleMatch
from routing.orders.models import WorkOrder
from routing.suggest import schemas as s
from routing.suggest.directory import Directory, UnitInfo


def as_unit(u: UnitInfo | None) -> s.Unit | None:
    return None if u is None else s.Unit(id=u.id, code=u.code, name=u.name, tier=u.tier)


def units_from_rule(match: RuleMatch, directory: Directory, locality: s.Locality | None) -> s.UnitsSuggestion:
    rule = match.rule
    evidence = [match.reason()]
    lead: UnitInfo | None
    if rule.lead == LOCAL:
        lead = directory.county_of_region.get(locality.region_code) if locality else None
        evidence.append(
            f"主办为事发地属地政府：{lead.name}" if lead else "主办为事发地属地政府，但事发地址未能定位，请选择"
        )
    else:
        lead = directory.by_code.get(rule.lead)
    assist = [u for c in rule.assist if (u := directory.by_code.get(c)) is not None]
    delegate = None
    if rule.tier3_allowed and locality and lead:
        station = directory.by_code.get(locality.workstation_code)
        if station and directory.tier2_of(station).id == lead.id:
            delegate = station
            evidence.append(f"本类诉求可由三级工作站办理：{station.name}")
    return s.UnitsSuggestion(
        lead=as_unit(lead),
        assist=[a for u in assist if (a := as_unit(u))],
        delegate=as_unit(delegate),
        source="rule",
        rule_id=rule.id,
        rule_version=rule.version,
        reply_days=rule.reply_days,
        tier3_allowed=rule.tier3_allowed,
        evidence=evidence,
    )


def units_from_neighbours(
    similar: list[tuple[s.SimilarOrder, WorkOrder]], directory: Directory, locality: s.Locality | None
) -> s.UnitsSuggestion:
    votes: dict[int, float] = {}
    for sim, order in similar:
        if order.lead_unit_id in directory.by_id:
            votes[order.lead_unit_id] = votes.get(order.lead_unit_id, 0.0) + max(sim.score, 1e-3)
    if votes:
        # Highest total first; a stable sort keeps ties in first-seen order (as Counter.most_common did).
        ranked = [directory.by_id[uid] for uid in sorted(votes, key=votes.__getitem__, reverse=True)]
        ev = [
            "无匹配的派单目录规则；相似历史工单的主办单位："
            + "、".join(f"{u.name}（{sum(1 for _, o in similar if o.lead_unit_id == u.id)} 件）" for u in ranked[:3])
        ]
        return s.UnitsSuggestion(
            lead=as_unit(ranked[0]),
            source="similar_orders",
            evidence=ev,
            alternatives=[u for r in ranked[1:4] if (u := as_unit(r))],
        )
    if locality:
        county = directory.county_of_region.get(locality.region_code)
        if county:
            return s.UnitsSuggestion(
                lead=as_unit(county),
                source="locality",
                evidence=[f"无匹配规则和相似工单；按属地：{locality.reason}"],
            )
    return s.UnitsSuggestion(
        lead=None,
        source="none",
        evidence=["无匹配规则、相似工单或属地，请选择承办单位"],
    )
