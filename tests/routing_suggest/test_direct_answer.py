"""The direct-answer threshold: fitted for ≥ 90% right answers, and applied by the suggestion."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from kb.search import Document, EmbeddedBackend, HybridSearcher
from routing.suggest.direct_answer import answer_score, threshold_for
from routing.suggest.schemas import SuggestIn
from routing.suggest.service import suggest
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
GOVQA = SHARED_DATA / "kb-govqa"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_direct_answer", ROOT / "bench" / "direct_answer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_fit_threshold_is_the_lowest_cut_that_keeps_precision() -> None:
    bench = _bench()
    scores = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    right = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], dtype=float)  # wrong answers only at the bottom
    assert bench.fit_threshold(scores, right) == 0.4  # 8/8 right at 0.4; at 0.3 only 8/9 (0.89 < 0.9)
    right = np.array([0, 1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=float)  # the surest answer is wrong
    t = bench.fit_threshold(scores, right)
    precision, coverage = bench.evaluate(scores, right, t)
    assert precision >= 0.9 and coverage == 1.0
    assert bench.fit_threshold(scores, np.zeros(10)) == float("inf")  # never right: never offered


def _govqa() -> tuple[list[Document], list[tuple[str, str]]]:
    if not GOVQA.exists():
        pytest.skip(f"shared data absent: {GOVQA} (kb-govqa questions and answers)")
    docs = [
        Document(id=d["_id"], text=d["text"], title=d.get("title") or "")
        for d in map(json.loads, (GOVQA / "corpus.jsonl").read_text(encoding="utf-8").splitlines())
    ]
    queries = {
        q["_id"]: q["text"]
        for q in map(json.loads, (GOVQA / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines())
    }
    qrels = [line.split("\t") for line in (GOVQA / "qrels" / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return docs, [(queries[q], d) for q, d, _ in qrels if q in queries]


@pytest.mark.slow
def test_threshold_fitted_on_the_real_embedded_backend_keeps_precision(tmp_path: Path) -> None:
    _govqa()
    result = _bench().run(embedder_name=None, mode="bm25", folds=3, limit=400, cache=tmp_path / "unused.sqlite")
    shipped = result["scorers"][result["shipped_scorer"]]
    assert result["questions"] == 400
    assert shipped["fit_precision"] >= 0.9 and shipped["fit_coverage"] > 0.05
    assert shipped["cv_precision"] >= 0.8  # held-out folds: close to the target, as the bench reports


def test_suggestion_offers_the_passage_only_for_confident_enquiries(tmp_path: Path, engine: Engine, seeded) -> None:
    docs, pairs = _govqa()
    backend = EmbeddedBackend(tmp_path / "kb")
    searcher = HybridSearcher(backend, None)  # keyword-only: the threshold fitted for ("bm25", "bm25")
    searcher.index_documents(docs)
    threshold = threshold_for(None, "bm25")
    assert threshold is not None
    confident, unsure = None, None
    for text, relevant in pairs[:200]:
        score = answer_score(searcher.search(text, mode="bm25", k=2, snippets=False))
        if confident is None and score >= threshold:
            confident = (text, relevant)
        if unsure is None and score < threshold:
            unsure = text
    assert confident is not None and unsure is not None
    with make_sessionmaker(engine)() as session:

        def ask(text: str, request_type: str = "enquiry"):  # type: ignore[no-untyped-def]
            return suggest(
                session=session,
                data=SuggestIn(description=text, request_type=request_type),
                kb_searcher=searcher,
            ).direct_answer

        offered = ask(confident[0])
        assert offered is not None and offered.score >= offered.threshold == threshold
        assert ask(unsure) is None
        assert ask(confident[0], "complaint") is None  # only enquiries are answered directly
    backend.close()
