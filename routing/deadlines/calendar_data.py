"""Calendar data files (``data/calendar-YYYY.json``): reading them without a database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from routing.deadlines.calendar import (
    DEFAULT_TIMEZONE,
    DEFAULT_WORKING_HOURS,
    WorkCalendar,
    format_hours,
    parse_hours,
)

DATA_DIR = Path(__file__).parent / "data"
HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
DAY_KINDS = (HOLIDAY, MAKEUP_WORKDAY)


def calendar_file(year: int) -> Path:
    return DATA_DIR / f"calendar-{year}.json"


def read_calendar_file(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for entry in doc["days"]:
        if entry["kind"] not in DAY_KINDS:
            raise ValueError(f"{path}: unknown day kind {entry['kind']!r} on {entry['date']}")
        date.fromisoformat(entry["date"])
    return doc


def calendar_from_file(path: Path) -> WorkCalendar:
    """A calendar straight from a data file, without a database (demo, tests, CLI)."""
    doc = read_calendar_file(path)
    days = [(date.fromisoformat(e["date"]), e["kind"], e["name"]) for e in doc["days"]]
    return WorkCalendar(
        holidays={d: n for d, k, n in days if k == HOLIDAY},
        makeup_workdays={d: n for d, k, n in days if k == MAKEUP_WORKDAY},
        working_hours=parse_hours(doc.get("working_hours") or format_hours(DEFAULT_WORKING_HOURS)),
        timezone=doc.get("timezone", DEFAULT_TIMEZONE),
    )
