"""Masking of confidential callers' identity, in fields and inside free text.

Applied to every response, export, event and index document of a confidential order for viewers
without the right to see it; the only way back to the clear text is the audited unmask action.
"""

from __future__ import annotations

import re

# Mobile numbers, landlines with or without area code, and 18-digit ID numbers (also 15-digit old ones).
_ID = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])|(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)|(?<!\d)(\d{7,8})(?!\d)")

MASK = "***"


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return MASK


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_address(address: str | None) -> str | None:
    return MASK if address else address


def mask_text(text: str | None, *, names: tuple[str | None, ...] = ()) -> str | None:
    """Hide phone and ID numbers, and the caller's own name, inside free text."""
    if not text:
        return text
    text = _ID.sub(lambda m: (m.group(1) or m.group(4)) + "********" + ("****" if m.group(1) else "***"), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: (m.group(1) + "-****" if m.group(1) else "****") + "", text)
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, mask_name(name) or MASK)
    return text
