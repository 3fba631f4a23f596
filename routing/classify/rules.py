"""Documented rules for what the shared data cannot teach: 举报, 表扬, the 投诉/求助 split, urgency.

The training data labels request type with three values (咨询, 投诉/求助, 建言); the product has six.
``request_type`` maps a learned three-way label to the six types, with rules taking precedence for
tip-offs and praise. Every decision carries the rule's reason (shown to the agent). The rules and the
seed examples are ours, written for this project; see docs/request-types.md. They are not claimed as
learned and are not evaluated on the shared data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REQUEST_TYPES = ("enquiry", "help_request", "complaint", "tip_off", "suggestion", "praise")
REQUEST_TYPE_LABELS = {
    "enquiry": "咨询",
    "help_request": "求助",
    "complaint": "投诉",
    "tip_off": "举报",
    "suggestion": "建议",
    "praise": "表扬",
}
# Learned data label -> the product types it can stand for (first: the default).
DATA_TYPE_MAP: dict[str, tuple[str, ...]] = {
    "咨询": ("enquiry",),
    "投诉/求助": ("complaint", "help_request"),
    "投诉求助": ("complaint", "help_request"),
    "建言": ("suggestion",),
}


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    label: str
    pattern: re.Pattern[str]
    reason: str  # Chinese: shown to the agent


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: str
    label: str
    matched: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    value: str
    source: str  # "rule", "model", "model+rule" or "default"
    reasons: tuple[str, ...]


def _r(name: str, label: str, pattern: str, reason: str) -> Rule:
    return Rule(name, label, re.compile(pattern), reason)


# A complaint about the service itself is not praise, whatever thanks it contains.
_NOT_PRAISE = re.compile(r"投诉|不满|不作为|没人管|无人管|态度(差|恶劣)|推诿|敷衍")
# "被举报"/"举报人" describe someone else's tip-off, e.g. a citizen complaining about being reported.
_NOT_TIP_OFF = re.compile(r"被.{0,6}举报|举报人(信息|身份)?(泄露|被)")

TIP_OFF_RULES = (
    _r("explicit_tip_off", "tip_off", r"实名举报|举报", "来电人明确表示举报"),
    _r("pollution_discharge", "tip_off", r"偷排|直排|私排|非法排放|夜间排放", "反映偷排、直排等违法排污行为"),
    _r(
        "illegal_business",
        "tip_off",
        r"无证经营|非法(经营|行医|集资|营运|采砂|捕捞)|黑诊所|黑车|传销|聚众赌博|赌博窝点",
        "反映无证经营、非法经营等违法行为",
    ),
    _r("illegal_building", "tip_off", r"违(法|章)(建设|建筑|搭建)|私搭乱建|违建", "反映违法建设行为"),
    _r(
        "fraud",
        "tip_off",
        r"虚开发票|偷税|漏税|骗保|套取(补贴|医保|资金)",
        "反映偷逃税款、骗取资金等违法行为",
    ),
)
PRAISE_RULES = (
    _r("explicit_praise", "praise", r"表扬|点赞|送(来|上)?锦旗|致谢信|感谢信", "来电人明确表扬或致谢"),
    _r(
        "thanks_for_service",
        "praise",
        r"感谢.{0,20}(工作人员|民警|师傅|医生|护士|老师|社区|街道|热线|同志).{0,20}(帮助|热心|耐心|及时|尽职|负责|辛苦)",
        "来电人感谢工作人员的服务",
    ),
)
HELP_RULES = (
    _r("asks_for_help", "help_request", r"求助|救助|帮帮|帮忙|请求帮助|无助", "来电人请求帮助"),
    _r(
        "utility_outage",
        "help_request",
        r"停水|停电|没水|没电|停气|断水|断电|没有暖气|暖气不热",
        "反映水电气暖中断，需要协调恢复",
    ),
)
COMPLAINT_RULES = (
    _r(
        "explicit_complaint",
        "complaint",
        r"投诉|不作为|乱收费|态度(差|恶劣)|扰民|推诿|拖欠",
        "来电人明确投诉或反映侵害",
    ),
)
URGENT_RULES = (
    _r("gas_fire", "urgent", r"燃气泄漏|煤气泄漏|漏气|着火|起火|火灾|冒烟", "燃气泄漏或火情，危及人身安全"),
    _r("electric", "urgent", r"触电|漏电|电线(掉|断|垂)", "触电或电线断落风险"),
    _r("collapse", "urgent", r"坍塌|塌陷|倒塌|危房|随时(可能)?(倒|塌)", "建筑或路面坍塌风险"),
    _r(
        "trapped_injured",
        "urgent",
        r"被困|困在电梯|受伤|流血|昏迷|溺水|轻生|自杀|危及生命|生命危险",
        "有人被困、受伤或生命危险",
    ),
    _r("burst_flood", "urgent", r"爆管|水管(爆|破)裂|大量(冒|漏)水|淹(了|水)|内涝", "爆管或积水淹没"),
    _r(
        "outage_vulnerable",
        "urgent",
        r"(老人|病人|孕妇|婴儿|孩子).{0,15}(停水|停电|停气|没水|没电|没有暖气)|"
        r"(停水|停电|停气|没水|没电|没有暖气).{0,15}(老人|病人|孕妇|婴儿|孩子)",
        "水电气中断影响老人、病人等弱势群体",
    ),
)


def hits(text: str, rules: tuple[Rule, ...]) -> list[RuleHit]:
    out = []
    for rule in rules:
        m = rule.pattern.search(text)
        if m:
            out.append(RuleHit(rule.name, rule.label, m.group(0), rule.reason))
    return out


def _reasons(found: list[RuleHit]) -> tuple[str, ...]:
    return tuple(f"{h.reason}（“{h.matched}”）" for h in found)


def request_type(text: str, *, learned: str | None = None) -> Decision:
    """The product request type of ``text``, given the learned 3-way data label (``None``: rules only).

    Precedence: tip-off rules, then praise rules, then the learned label mapped by ``DATA_TYPE_MAP``
    (投诉/求助 split by the help and complaint rules: help only when a help cue is present and no
    complaint cue is), else rule cues alone, else ``enquiry``.
    """
    tip = hits(text, TIP_OFF_RULES) if not _NOT_TIP_OFF.search(text) else []
    if tip:
        return Decision("tip_off", "rule", _reasons(tip))
    praise = hits(text, PRAISE_RULES) if not _NOT_PRAISE.search(text) else []
    if praise:
        return Decision("praise", "rule", _reasons(praise))
    help_hits, complaint_hits = hits(text, HELP_RULES), hits(text, COMPLAINT_RULES)
    if learned is not None:
        if learned not in DATA_TYPE_MAP:
            raise ValueError(f"unknown learned request-type label {learned!r}; expected one of {list(DATA_TYPE_MAP)}")
        options = DATA_TYPE_MAP[learned]
        if len(options) == 1:
            return Decision(options[0], "model", ())
        if help_hits and not complaint_hits:
            return Decision("help_request", "model+rule", _reasons(help_hits))
        return Decision("complaint", "model+rule" if complaint_hits else "model", _reasons(complaint_hits))
    if complaint_hits:
        return Decision("complaint", "rule", _reasons(complaint_hits))
    if help_hits:
        return Decision("help_request", "rule", _reasons(help_hits))
    return Decision("enquiry", "default", ())


def urgency(text: str) -> Decision:
    """``urgent`` when any urgency rule fires (with every reason), else ``normal``."""
    found = hits(text, URGENT_RULES)
    if found:
        return Decision("urgent", "rule", _reasons(found))
    return Decision("normal", "default", ())


# Our own seed examples (written for this project, not taken from any data set): what the rules must do.
SEED_EXAMPLES: tuple[tuple[str, str, str], ...] = (
    # (text, task, expected)
    ("我要实名举报小区门口的餐馆无证经营，晚上还占道摆摊。", "request_type", "tip_off"),
    ("河边那家工厂每天半夜偷排污水，河水都变黑了。", "request_type", "tip_off"),
    ("我们村有人私搭乱建，把公共通道都占了。", "request_type", "tip_off"),
    ("我被邻居举报了，说我家装修扰民，我想投诉他们天天骚扰我。", "request_type", "complaint"),
    ("想表扬一下社区的王师傅，上周帮我家修好了水管。", "request_type", "praise"),
    ("非常感谢派出所的民警同志，热心帮我找回了丢失的钱包。", "request_type", "praise"),
    ("感谢热线，但是我要投诉街道办一直不作为，问题拖了三个月。", "request_type", "complaint"),
    ("我家楼栋已经停水两天了，家里还有卧床的老人，请帮忙协调。", "urgency", "urgent"),
    ("楼道里闻到很浓的煤气味，怀疑燃气泄漏，请马上派人来。", "urgency", "urgent"),
    ("小区门口的路面塌陷了一个大坑，晚上很危险。", "urgency", "urgent"),
    ("请问办理居住证需要带哪些材料？", "urgency", "normal"),
    ("建议在学校门口增设一个红绿灯。", "urgency", "normal"),
)
