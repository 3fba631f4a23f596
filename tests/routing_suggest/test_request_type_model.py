"""The six request types from a served three-way request-type model: a one-to-one label keeps the
model's calibrated probability; where the rules split 投诉/求助 into complaint or help request, the
probability is of the group, not of the value shown, so it is not presented as calibrated."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.classify import store, train_pairs
from routing.suggest.predict import RequestTypePredictor, classifier_predictor

# Written for this test (not taken from any data set).
ENQUIRY = [
    "请问公积金提取需要哪些材料？",
    "想咨询一下居住证怎么办理。",
    "请问社保卡丢了在哪里补办？",
    "孩子上小学报名需要准备什么？",
    "请问新生儿医保怎么参保？",
    "想问一下残疾证办理流程。",
    "请问退休手续在哪里办？",
    "咨询一下驾驶证到期怎么换证。",
]
COMPLAINT = [
    "楼上装修天天砸墙，物业也不管，太吵了。",
    "小区停电一整天了，请帮忙协调尽快恢复。",
    "饭店油烟直排，投诉多次没人处理。",
    "家里停水两天了，老人没法做饭，请帮忙。",
    "工地半夜施工噪音很大，严重影响休息。",
    "物业乱收停车费，业主意见很大。",
    "路灯坏了一个月没人修，晚上出门很危险。",
    "暖气一直不热，家里只有十几度。",
]
SUGGESTION = [
    "建议在学校门口增设红绿灯。",
    "希望公交线路能延伸到我们村。",
    "建议公园多设几个公共厕所。",
    "希望增加地铁末班车的时间。",
    "建议社区多组织老年人活动。",
    "希望在小区附近建一个菜市场。",
    "建议路口增加人行横道。",
    "希望延长图书馆的开放时间。",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pairs = [(t, "咨询") for t in ENQUIRY] + [(t, "投诉/求助") for t in COMPLAINT] + [(t, "建言") for t in SUGGESTION]
    root = tmp_path_factory.mktemp("models")
    store.save("request_type", train_pairs(pairs, progress=False), serve=True, root=root)
    return root


def test_a_one_to_one_label_is_calibrated_a_split_group_is_not(served: Path) -> None:
    predictor = RequestTypePredictor(classifier_predictor("request_type", root=served))
    enquiry = predictor.predict("请问护照在哪里办理，需要带什么材料？")
    assert (enquiry.label, enquiry.source, enquiry.calibrated) == ("enquiry", "model", True)
    suggestion = predictor.predict("建议在小区门口增设一个公交站。")
    assert (suggestion.label, suggestion.source, suggestion.calibrated) == ("suggestion", "model", True)
    # 投诉/求助 from the model; complaint or help request from the documented rules.
    help_request = predictor.predict("我家停水三天了，请帮忙协调一下。")
    assert help_request.label == "help_request" and help_request.source.startswith("model")
    assert help_request.calibrated is False
    complaint = predictor.predict("楼下烧烤店噪音太吵，一直没人管。")
    assert complaint.label == "complaint" and complaint.source.startswith("model")
    assert complaint.calibrated is False
