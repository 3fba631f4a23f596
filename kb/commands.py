"""``hotline kb import …`` and ``hotline index rebuild|status``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

kb_app = typer.Typer(no_args_is_help=True, help="知识库：导入文件")
index_app = typer.Typer(no_args_is_help=True, help="检索索引：重建、状态")

SUFFIXES = (".md", ".markdown", ".html", ".htm", ".docx", ".pdf", ".jsonl")


def _factory():  # type: ignore[no-untyped-def]
    import hotline.models_registry  # noqa: F401
    from hotline.db import make_engine, make_sessionmaker, migrate
    from hotline.settings import get_settings

    url = get_settings().resolved_database_url
    migrate(url)
    return make_sessionmaker(make_engine(url))


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            typer.echo(f"错误: 文件不存在 {path}", err=True)
            raise typer.Exit(2)
    return out


@kb_app.command("import")
def import_files(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (.md .html .docx .pdf .jsonl)")],
    category: Annotated[str | None, typer.Option(help="category for files that do not name one")] = None,
    department: Annotated[str | None, typer.Option(help="department name")] = None,
    owner: Annotated[str | None, typer.Option(help="owning workstation code, e.g. D-RS")] = None,
    region: Annotated[str | None, typer.Option(help="region code; omit for the whole city")] = None,
    index: Annotated[bool, typer.Option(help="update the search index now (when the app is not running)")] = True,
) -> None:
    """Import knowledge-base files as published articles. Unchanged files change nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from hotline.db import session_scope
    from kb.flows import import_articles
    from kb.importers import ImportErrorBadFile, import_defaults, load_path
    from kb.service import InvalidReference

    defaults = import_defaults(category=category, department=department, owner=owner, region=region)
    files = _files(paths)
    factory = _factory()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, transient=True) as progress:
            read_task = progress.add_task("读取文件", total=len(files))
            items = []
            for path in files:
                items += load_path(path, defaults=defaults)
                progress.advance(read_task)
            save_task = progress.add_task("导入条目", total=len(items))
            with session_scope(factory) as session:
                report = import_articles(
                    session=session,
                    items=items,
                    author_id=None,
                    progress=lambda n: progress.advance(save_task, n),
                )
    except (ImportErrorBadFile, InvalidReference, ValueError) as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"新增 {report.created} 条，更新 {report.updated} 条，未变 {report.unchanged} 条；"
        f"段落新增 {report.passages_added}，删除 {report.passages_removed}，保留 {report.passages_kept}"
    )
    if index and (report.created or report.updated):
        _drain(factory)


def _drain(factory) -> None:  # type: ignore[no-untyped-def]
    from hotline.settings import get_settings
    from indexer.runtime import build

    try:
        runtime = build(get_settings(), factory)
    except Exception as exc:  # the running app holds the index: it will apply the events itself
        typer.echo(f"索引由运行中的服务更新（{type(exc).__name__}）")
        return
    try:
        n = runtime.sync.drain()
        typer.echo(f"已应用 {n} 个事件到检索索引")
    finally:
        runtime.backend.close()


@index_app.command("rebuild")
def rebuild() -> None:
    """Rebuild the search index (KB passages and masked orders) from the database. Stop the app first."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from hotline.settings import get_settings
    from indexer.runtime import rebuild as do_rebuild

    factory = _factory()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), transient=True) as progress:
        task = progress.add_task("重建索引", total=None)
        passages, orders = do_rebuild(get_settings(), factory, progress=lambda n: progress.advance(task, n))
    typer.echo(f"索引已重建：知识段落 {passages} 个，工单 {orders} 个")


@index_app.command("status")
def status() -> None:
    """Index status of published articles and the consumer's cursor."""
    from sqlalchemy import func, select

    from kb.models import IndexCursor, KbArticle

    factory = _factory()
    with factory() as session:
        counts = session.execute(
            select(KbArticle.index_status, func.count())
            .where(KbArticle.published_version.is_not(None))
            .group_by(KbArticle.index_status)
        ).all()
        cursor = session.get(IndexCursor, "search")
    for state, n in counts:
        typer.echo(f"{state or '-'}\t{n}")
    typer.echo(f"cursor\t{cursor.position if cursor else 0}")


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
    app.add_typer(index_app, name="index")
