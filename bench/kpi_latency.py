"""KPI and board latency at city scale: ``kpi.compute`` and ``board.board`` over a database holding two
years of orders with their full lifecycle history.

    .venv/bin/python bench/kpi_latency.py [--orders 200000] [--reps 3] [--workdir var/bench/kpi] [--rebuild]
        [--url postgresql+psycopg://USER:PASS@HOST/hotline_bench_NAME]

Set-up (built once, reused unless ``--rebuild``; the database is migrated to head before each run, so a
later index reaches an existing build): a database at head — by default SQLite under ``--workdir``, or
the PostgreSQL database at ``--url`` — with the demo city (organisation, catalogue) and ``--orders``
orders spread evenly over the two years before 2026-11-01 00:00 UTC, each with the ``order_history``
rows the lifecycle writes, with the data keys the KPIs read (``handlers.py``, ``handlers_side.py``):
accept; a quarter resolved directly; otherwise dispatch (``reply_by`` 3 or 5 days on, ``cycle``), some
returned and reassigned, sign (``on_time``), some extensions requested and approved (``reply_by``
moved), reply (``on_time`` against the deadline in force), some sent back and replied again, approve, a
follow-up verdict (``outcome``, ``follow_up_id``, ``cycle``), some dissatisfied ones excluded, some
reopened and handled again (cycle 1); a few orders are never replied to (overdue) and orders near the
end are cut off mid-flow. Rows are bulk-inserted with ``insert()``; times carry the +08:00 offset the
calendar writes.

PostgreSQL: the build empties the database first (drops and recreates the ``public`` schema), so the
bench refuses any database whose name does not start with ``hotline_bench``; after the build it runs
``ANALYZE`` (what autovacuum would do soon after a bulk load), so the first timed run does not plan on
empty statistics. The build is reused when the database holds exactly ``--orders`` orders.

Timed (``--reps`` runs each, after one warm-up): ``kpi.compute`` for (a) the last month, whole city;
(b) the last month, the tier-2 unit leading most orders; (c) the last year; and ``board.board`` for the
last month. Reported: wall-clock p50/max in ms, the figures' denominators (so two runs can be checked
for the same answer), and the load average beside.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

import hotline.models_registry  # noqa: E402,F401
from bench.demo_db import (  # noqa: E402
    BENCH_DB_PREFIX,
    analyze_pg,
    check_bench_db,
    clear_pg,
    demo_database,
    pg_built_orders,
    sqlite_url,
)
from hotline.db import make_engine, make_sessionmaker, migrate  # noqa: E402
from routing.lifecycle import board, kpi  # noqa: E402
from routing.orders.models import OrderHistory, WorkOrder  # noqa: E402

END = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
CST = timezone(timedelta(hours=8))
VERDICTS = (("satisfied", 0.7), ("mostly_satisfied", 0.15), ("dissatisfied", 0.15))


def iso(t: datetime) -> str:
    return t.astimezone(CST).isoformat()


class Life:
    """One order's history rows, written the way the lifecycle writes them."""

    def __init__(self, rng: random.Random, order_id: int, lead: int, created: datetime) -> None:
        self.rng, self.order_id, self.lead, self.t = rng, order_id, lead, created
        self.rows: list[dict[str, Any]] = []
        self.cycle = 0
        self.reply_by: datetime | None = None
        self.on_time = True

    def step(self, action: str, minutes: float, **data: Any) -> None:
        self.t += timedelta(minutes=minutes)
        self.rows.append({"order_id": self.order_id, "at": self.t, "action": action, "data": data})

    def dispatch(self, action: str, lead: int, days: int) -> None:
        self.step("dispatch" if action == "dispatch" else "reassign", self.rng.uniform(5, 240))
        self.reply_by = self.t + timedelta(days=days)
        d = self.rows[-1]["data"]
        d.update(
            lead_unit_id=lead,
            assisting_unit_ids=[],
            sign_by=iso(self.t + timedelta(hours=1)),
            first_response_by=None,
            reply_by=iso(self.reply_by),
            out_of_hours=False,
            cycle=self.cycle,
        )
        if action == "reassign":
            d["return_upheld"] = True

    def submit(self) -> None:
        assert self.reply_by is not None
        late = self.rng.random() < 0.1
        span = (self.reply_by - self.t).total_seconds() / 60
        self.step("reply", span * (1.3 if late else self.rng.uniform(0.2, 0.95)))
        self.on_time = self.t <= self.reply_by
        self.rows[-1]["data"].update(reply_by=iso(self.reply_by), on_time=self.on_time, cycle=self.cycle)

    def handle(self, days: int) -> bool:
        """sign, perhaps an extension, reply, perhaps a send-back, approve; False: never replied."""
        rng = self.rng
        self.step("sign", rng.uniform(5, 70), sign_by=iso(self.t + timedelta(hours=1)), on_time=rng.random() < 0.9)
        if rng.random() < 0.03:
            return False  # stuck: overdue, counted by 超期数 with no activity after the deadline
        if rng.random() < 0.05:
            self.step("request_extension", rng.uniform(60, 1440), extension_id=self.order_id, days=3, reason="需协调")
            assert self.reply_by is not None
            self.reply_by += timedelta(days=3)
            self.step("approve_extension", rng.uniform(30, 600), extension_id=self.order_id, days=3, reason=None)
            self.rows[-1]["data"]["reply_by"] = iso(self.reply_by)
        self.submit()
        if rng.random() < 0.07:
            self.reply_by = self.t + timedelta(days=2, minutes=rng.uniform(30, 600))
            self.step("send_back", rng.uniform(30, 600), reason="答复不完整", reply_by=iso(self.reply_by))
            self.submit()
        self.step(
            "approve",
            rng.uniform(30, 900),
            submitted_at=iso(self.t),
            reply_by=iso(self.reply_by) if self.reply_by else None,
            on_time=self.on_time,
            lead_unit_id=self.lead,
            cycle=self.cycle,
        )
        return True

    def verdict(self, follow_up_id: int) -> str:
        r, outcome = self.rng.random(), "dissatisfied"
        for name, share in VERDICTS:
            if r < share:
                outcome = name
                break
            r -= share
        self.step(
            f"follow_up_{outcome}",
            self.rng.uniform(600, 4000),
            outcome=outcome,
            resolved=outcome != "dissatisfied",
            follow_up_id=follow_up_id,
            cycle=self.cycle,
        )
        return outcome


def life(rng: random.Random, order_id: int, lead: int, other: int, created: datetime) -> list[dict[str, Any]]:
    o = Life(rng, order_id, lead, created)
    o.step("accept", 0, channel="phone")
    if rng.random() < 0.25:
        o.step("resolve_directly", rng.uniform(1, 10), passage_id=None)
        return o.rows
    days = rng.choice((3, 5))
    if rng.random() < 0.08:
        o.dispatch("dispatch", other, days)
        o.step("sign", rng.uniform(5, 60), sign_by=iso(o.t), on_time=True)
        o.step("return", rng.uniform(30, 600), reason="非本单位职责")
        o.dispatch("reassign", lead, days)
    else:
        o.dispatch("dispatch", lead, days)
    if rng.random() < 0.2:
        o.step("remind", rng.uniform(60, 1440), supervision_id=order_id, kind="reminder")
    if rng.random() < 0.2:
        o.step("assist_opinion", rng.uniform(60, 1440), opinion_id=order_id)
    if not o.handle(days):
        return o.rows
    follow_up_id = order_id * 10
    if o.verdict(follow_up_id) == "dissatisfied":
        if rng.random() < 0.3:
            o.step("exclude", rng.uniform(60, 600), verdict="unreasonable", excluded=True, follow_up_id=follow_up_id)
        elif rng.random() < 0.5:
            o.cycle = 1
            o.step("reopen", rng.uniform(60, 600), verdict="reasonable", reopen_count=1, cycle=1, lead_unit_id=lead)
            o.reply_by = o.t + timedelta(days=days)
            o.rows[-1]["data"]["reply_by"] = iso(o.reply_by)
            if o.handle(days):
                o.verdict(follow_up_id + 1)
    return o.rows


def build(workdir: Path, url: str | None, n_orders: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    engine, factory, ids, data = demo_database(workdir, url)
    units = [ids[w["code"]] for w in data["workstations"] if w["tier"] == 2]
    # Counties lead most orders, as in a real city; departments the rest.
    weights = [8 if w["kind"] == "county" else 1 for w in data["workstations"] if w["tier"] == 2]
    rules = data["catalogue"]
    t0 = time.perf_counter()
    n_rows = 0
    for start in range(0, n_orders, 5000):
        orders, rows = [], []
        for i in range(start, min(n_orders, start + 5000)):
            oid = i + 1
            created = END - SPAN + SPAN * (i + rng.random()) / n_orders
            lead, other = rng.choices(units, weights)[0], rng.choice(units)
            rule = rng.choice(rules)
            hist = [r for r in life(rng, oid, lead, other, created) if r["at"] < END]
            last = hist[-1]["action"]
            state = "closed" if last.startswith("follow_up") or last in ("exclude", "resolve_directly") else "handling"
            orders.append(
                dict(
                    id=oid,
                    number=f"K{oid:09d}",
                    lookup_code="000000",
                    state=state,
                    channel="phone",
                    request_type="complaint",
                    urgency="normal",
                    confidential=False,
                    anonymous=False,
                    incident_address="云城区桂花路1号",
                    region_code=None,
                    category_l1=rule["level1"],
                    category_l2=rule["level2"],
                    category_l3=rule["level3"],
                    subject="诉求",
                    description="诉求内容",
                    oversight=False,
                    lead_unit_id=None if last in ("accept", "resolve_directly") else lead,
                    created_at=created,
                    updated_at=hist[-1]["at"],
                    version=1,
                )
            )
            rows.extend(hist)
        with factory() as session:
            session.execute(insert(WorkOrder), orders)
            session.execute(insert(OrderHistory), rows)
            session.commit()
        n_rows += len(rows)
        print(
            f"  {start + len(orders):,} orders, {n_rows:,} history rows ({time.perf_counter() - t0:.0f} s)", flush=True
        )
    analyze_pg(engine)
    engine.dispose()
    if url is None:
        (workdir / "built.json").write_text(json.dumps({"orders": n_orders, "history_rows": n_rows}))


def timed(fn: Any, reps: int) -> tuple[dict[str, float], Any]:
    out = fn()  # warm-up: SQLite page cache or PostgreSQL shared buffers, mapper configuration
    ms = []
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        ms.append((time.perf_counter() - t) * 1000)
    return {"p50": round(statistics.median(ms), 1), "max": round(max(ms), 1)}, out


def dens(figures: dict[str, kpi.Figure]) -> dict[str, int]:
    return {k: len(f.numerator if f.count_only else f.denominator) for k, f in figures.items()}


def series_digest(b: dict[str, Any]) -> str:
    """A digest of every count in the board's series: two backends or two builds agree bucket by bucket
    (the hour and day buckets are computed in SQL, differently per dialect), not only in the totals."""
    series = [
        [h["count"] for h in b["volume_by_hour"]],
        [[d["denominator"], round(d["numerator"], 6)] for d in b["satisfaction_by_day"]],
        [[u["workstation_id"], u["numerator"], u["denominator"]] for u in b["on_time_by_workstation"]],
        sorted([c["category_l1"] or "", c["count"]] for c in b["categories"]),  # ties come in any order
        sorted([r["region_code"] or "", r["orders"]] for r in b["regions"]),
    ]
    return hashlib.sha256(json.dumps(series, ensure_ascii=False).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "kpi")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--url", help=f"a PostgreSQL database named {BENCH_DB_PREFIX}*; default SQLite in --workdir")
    args = ap.parse_args()
    if args.url is None:
        url = sqlite_url(args.workdir)
        built = args.workdir / "built.json"
        if args.rebuild or not built.exists() or json.loads(built.read_text())["orders"] != args.orders:
            shutil.rmtree(args.workdir, ignore_errors=True)
            args.workdir.mkdir(parents=True)
            build(args.workdir, None, args.orders)
    else:
        url = args.url
        check_bench_db(url)
        if args.rebuild or pg_built_orders(url) != args.orders:
            clear_pg(url)
            build(args.workdir, url, args.orders)
    migrate(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    month, year = END - timedelta(days=31), END - timedelta(days=365)
    result: dict[str, Any] = {
        "database": engine.dialect.name,
        "cpus": os.cpu_count(),
        "load_avg_1m_before": round(os.getloadavg()[0], 1),
    }
    with factory() as session:
        if engine.dialect.name == "postgresql":
            result["server_version"] = session.scalar(text("SHOW server_version"))
        result["orders_in_db"] = session.scalar(select(func.count()).select_from(WorkOrder))
        result["history_rows"] = session.scalar(select(func.count()).select_from(OrderHistory))
        unit = session.execute(
            select(WorkOrder.lead_unit_id, func.count())
            .where(WorkOrder.lead_unit_id.is_not(None))
            .group_by(WorkOrder.lead_unit_id)
            .order_by(func.count().desc(), WorkOrder.lead_unit_id)  # ties: the same unit on every backend
        ).first()
        assert unit is not None
        result["unit"] = {"id": unit[0], "orders": unit[1]}
        cases = {
            "kpi_last_month_city": lambda: kpi.compute(session=session, start=month, end=END),
            "kpi_last_month_unit": lambda: kpi.compute(session=session, start=month, end=END, workstation_id=unit[0]),
            "kpi_last_year_city": lambda: kpi.compute(session=session, start=year, end=END),
        }
        for name, fn in cases.items():
            result[name + "_ms"], figures = timed(fn, args.reps)
            result[name + "_counts"] = dens(figures)
            print(name, result[name + "_ms"], flush=True)
        result["board_last_month_ms"], b = timed(lambda: board.board(session=session, start=month, end=END), args.reps)
        result["board_on_time_denominator"] = sum(u["denominator"] for u in b["on_time_by_workstation"])
        result["board_accepted"] = b["accepted"]
        result["board_satisfaction_denominator"] = sum(d["denominator"] for d in b["satisfaction_by_day"])
        result["board_series_digest"] = series_digest(b)
    result["load_avg_1m_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
