"""Fixtures for the search tests: the small hand-written BEIR fixture and the shared kb-govqa data."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def beir_fixture() -> dict[str, Path]:
    return {
        "corpus": FIXTURES / "corpus.jsonl",
        "queries": FIXTURES / "queries.jsonl",
        "qrels": FIXTURES / "qrels.tsv",
    }


@pytest.fixture(scope="session")
def govqa() -> Path:
    path = (SHARED_DATA / "kb-govqa").resolve()
    if not (path / "corpus.jsonl").is_file():
        pytest.skip(f"shared data not found at {path} (kb-govqa is read from ../shared/data, never committed)")
    return path


@pytest.fixture(scope="session")
def embed_cache_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the session, so a passage is embedded once across tests."""
    return tmp_path_factory.mktemp("embed-cache") / "embeddings.sqlite"
