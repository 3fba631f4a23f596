"""Phone and ID numbers never reach a log line, whoever logs them (our code, uvicorn's access log
with a ``?phone=`` query, a library): every record's message is masked as it is created."""

from __future__ import annotations

import logging
from typing import Any

from routing.orders.masking import mask_text

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem to report, not ours
            return record
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
