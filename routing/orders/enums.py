"""Intake vocabularies, each with the Chinese label the console shows."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    phone = "phone"
    web = "web"
    wechat = "wechat"
    sms = "sms"
    provincial = "provincial"
    police_110 = "police_110"
    app = "app"
    letter = "letter"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self][0]

    @property
    def code(self) -> str:
        """One letter inside the order number, so a citizen quoting it also tells us the channel."""
        return CHANNEL_LABELS[self][1]


CHANNEL_LABELS = {
    Channel.phone: ("电话", "D"),
    Channel.web: ("网站", "W"),
    Channel.wechat: ("微信", "X"),
    Channel.sms: ("短信", "S"),
    Channel.provincial: ("省平台转办", "P"),
    Channel.police_110: ("110 转入", "J"),
    Channel.app: ("政务App", "A"),
    Channel.letter: ("来信", "L"),
}


class RequestType(StrEnum):
    enquiry = "enquiry"
    help_request = "help_request"
    complaint = "complaint"
    tip_off = "tip_off"
    suggestion = "suggestion"
    praise = "praise"

    @property
    def label(self) -> str:
        return REQUEST_TYPE_LABELS[self]


REQUEST_TYPE_LABELS = {
    RequestType.enquiry: "咨询",
    RequestType.help_request: "求助",
    RequestType.complaint: "投诉",
    RequestType.tip_off: "举报",
    RequestType.suggestion: "建议",
    RequestType.praise: "表扬",
}


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"

    @property
    def label(self) -> str:
        return {"normal": "一般", "urgent": "紧急"}[self.value]


class HandoffTarget(StrEnum):
    police = "110"
    fire = "119"
    ambulance = "120"
    traffic = "122"

    @property
    def label(self) -> str:
        return {"110": "110 报警", "119": "119 火警", "120": "120 急救", "122": "122 交通事故"}[self.value]
