from __future__ import annotations

import pytest

from routing.classify import rules


@pytest.mark.parametrize(("text", "task", "expected"), rules.SEED_EXAMPLES)
def test_seed_examples(text: str, task: str, expected: str) -> None:
    decision = rules.request_type(text) if task == "request_type" else rules.urgency(text)
    assert decision.value == expected
    if decision.source == "rule":
        assert decision.reasons and all("“" in r for r in decision.reasons)


def test_learned_labels_map_to_the_six_types() -> None:
    assert rules.request_type("请问公积金怎么提取？", learned="咨询").value == "enquiry"
    assert rules.request_type("建议增加公交班次。", learned="建言").value == "suggestion"
    assert rules.request_type("小区停电一天了，请帮忙协调。", learned="投诉/求助").value == "help_request"
    d = rules.request_type("物业乱收费，我要投诉。", learned="投诉/求助")
    assert d.value == "complaint" and d.reasons
    assert rules.request_type("楼上装修一直没人管。", learned="投诉/求助").value == "complaint"
    # Rules win over the learned label for the types the data does not have.
    assert rules.request_type("我要举报附近的黑诊所。", learned="咨询").value == "tip_off"
    assert set(v for vs in rules.DATA_TYPE_MAP.values() for v in vs) | {"tip_off", "praise"} == set(rules.REQUEST_TYPES)


def test_unknown_learned_label_is_named() -> None:
    with pytest.raises(ValueError, match="'其他'"):
        rules.request_type("随便说说", learned="其他")


def test_praise_needs_no_complaint() -> None:
    assert rules.request_type("感谢社区的工作人员耐心帮助我办好了手续。").value == "praise"
    assert rules.request_type("表扬？我要投诉你们态度恶劣！").value == "complaint"
