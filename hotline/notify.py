"""Outbound citizen notifications (SMS receipts) behind a small protocol.

Deployments point ``HOTLINE_SMS_GATEWAY_URL`` at their SMS gateway; without one, messages are only
logged with the number masked. Tests use ``RecordingNotifier``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

import httpx

log = logging.getLogger("hotline.notify")


class Notifier(Protocol):
    def send_sms(self, phone: str, text: str) -> None: ...


@dataclass
class RecordingNotifier:
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send_sms(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


class LogNotifier:
    def send_sms(self, phone: str, text: str) -> None:
        log.info("SMS to %s****%s: %s", phone[:3], phone[-4:], text)


class HttpSmsNotifier:
    """Posts ``{"phone", "text"}`` as JSON with a bearer token; a failure is logged, never raised,
    because the order it reports on is already committed."""

    def __init__(self, url: str, token: str = "", timeout: float = 5.0) -> None:
        self._client = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {token}"} if token else {})
        self._url = url

    def send_sms(self, phone: str, text: str) -> None:
        try:
            self._client.post(self._url, json={"phone": phone, "text": text}).raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("SMS gateway refused a receipt to %s****%s: %s", phone[:3], phone[-4:], exc)


def notifier_from_settings(url: str, token: str) -> Notifier:
    return HttpSmsNotifier(url, token) if url else LogNotifier()
