from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hotline.settings import get_settings
from routing import cli as routing_cli
from tests.conftest import SHARED_DATA
from tests.routing_classify import fixtures

JSON_KEYS = {"accuracy", "macro_f1", "per_class", "ece", "latency_p50_ms", "latency_p95_ms"}


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()
    eval_app = typer.Typer()
    root.add_typer(eval_app, name="eval")
    routing_cli.register(root, eval_app)
    return root


def run(app: typer.Typer, *args: str, ok: bool = True):
    result = CliRunner().invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_holdout_json(app, tmp_path: Path) -> None:
    train, test = fixtures.split()
    tr = fixtures.write_jsonl(tmp_path / "train.jsonl", train)
    te = fixtures.write_jsonl(tmp_path / "test.jsonl", test)
    out = json.loads(run(app, "eval", "classify", "--train", str(tr), "--test", str(te), "--json").stdout)
    assert set(out) >= JSON_KEYS
    assert "baseline_macro_f1" not in out
    assert out["n_test"] == len(test)
    assert set(out["per_class"]) == {"交通", "环境", "教育"}
    assert out["accuracy"] > 0.5  # chance is 1/3
    assert 0 <= out["ece"] <= 1 and 0 < out["latency_p50_ms"] <= out["latency_p95_ms"]


def test_folds_report_the_baseline_on_the_same_folds(app, tmp_path: Path) -> None:
    tr = fixtures.write_jsonl(tmp_path / "all.jsonl", fixtures.rows())
    out = json.loads(run(app, "eval", "classify", "--train", str(tr), "--folds", "3", "--json").stdout)
    assert JSON_KEYS | {"baseline_macro_f1"} <= set(out)
    assert out["folds"] == 9  # 3 folds x seeds 0-2
    assert out["n_test"] == 3 * len(fixtures.rows())
    assert 0 < out["baseline_macro_f1"] <= 1


def test_text_output_is_readable(app, tmp_path: Path) -> None:
    train, test = fixtures.split()
    tr = fixtures.write_jsonl(tmp_path / "train.jsonl", train)
    te = fixtures.write_jsonl(tmp_path / "test.jsonl", test)
    out = run(app, "eval", "classify", "--train", str(tr), "--test", str(te)).stdout
    assert "macro-F1" in out and "ECE" in out and "教育" in out


def test_empty_labels_are_dropped_and_counted(app, tmp_path: Path) -> None:
    train, test = fixtures.split()
    train = train + [{"text": "没有标签的一行", "label": ""}, {"text": "又一行", "label": ""}]
    tr = fixtures.write_jsonl(tmp_path / "train.jsonl", train)
    te = fixtures.write_jsonl(tmp_path / "test.jsonl", test + [{"text": "测试里也没有标签", "label": ""}])
    res = run(app, "eval", "classify", "--train", str(tr), "--test", str(te), "--json")
    assert "训练集: 丢弃 2 行空标签" in res.stderr
    assert "测试集: 丢弃 1 行空标签" in res.stderr
    assert json.loads(res.stdout)["n_test"] == len(test)


def test_unseen_test_label_is_warned_and_scored_as_a_miss(app, tmp_path: Path) -> None:
    train, test = fixtures.split()
    tr = fixtures.write_jsonl(tmp_path / "train.jsonl", train)
    extra = [
        {"text": "医院挂号排队时间太长。", "label": "卫生"},
        {"text": "社区医院缺少常用药。", "label": "卫生"},
    ]
    te = fixtures.write_jsonl(tmp_path / "test.jsonl", test + extra)
    res = run(app, "eval", "classify", "--train", str(tr), "--test", str(te), "--json")
    assert "卫生" in res.stderr and "未出现" in res.stderr
    out = json.loads(res.stdout)
    assert out["per_class"]["卫生"]["recall"] == 0.0 and out["per_class"]["卫生"]["support"] == 2
    assert out["unseen_labels"] == ["卫生"]
    assert out["accuracy"] <= 1 - 2 / (len(test) + 2) + 1e-9


def test_cv_warns_only_about_labels_a_folds_training_part_lacks(app, tmp_path: Path) -> None:
    """With 5 stratified folds a label of one row is missing from training in the fold that tests it:
    unseen, a miss. A label of two rows lands in two different folds (checked with the splitter, seeds
    0–2), so every fold that tests one of them trained on the other: seen, though it has fewer rows than
    folds."""
    rows = fixtures.rows() + [
        {"text": "医院挂号排队时间太长。", "label": "卫生"},
        {"text": "老旧小区的房屋漏雨，想申请维修基金。", "label": "住房"},
        {"text": "公租房申请审核太慢，等了半年没消息。", "label": "住房"},
    ]
    tr = fixtures.write_jsonl(tmp_path / "all.jsonl", rows)
    res = run(app, "eval", "classify", "--train", str(tr), "--folds", "5", "--json")
    out = json.loads(res.stdout)
    assert out["unseen_labels"] == ["卫生"]
    [warning] = [line for line in res.stderr.splitlines() if "未出现" in line]
    assert "卫生" in warning and "住房" not in warning
    assert out["per_class"]["卫生"]["recall"] == 0.0 and out["per_class"]["卫生"]["support"] == 3
    assert out["per_class"]["住房"]["support"] == 6


def test_missing_field_is_named(app, tmp_path: Path) -> None:
    tr = fixtures.write_jsonl(tmp_path / "train.jsonl", fixtures.rows())
    res = run(app, "eval", "classify", "--train", str(tr), "--folds", "3", "--label-field", "category", ok=False)
    assert res.exit_code == 2
    assert "缺少字段" in res.stderr and "'category'" in res.stderr


def test_missing_file_and_empty_training_set(app, tmp_path: Path) -> None:
    res = run(app, "eval", "classify", "--train", str(tmp_path / "nope.jsonl"), "--folds", "3", ok=False)
    assert res.exit_code == 2 and "nope.jsonl" in res.stderr
    empty = fixtures.write_jsonl(tmp_path / "empty.jsonl", [{"text": "无标签", "label": ""}])
    res = run(app, "eval", "classify", "--train", str(empty), "--folds", "3", ok=False)
    assert res.exit_code == 2 and "训练集为空" in res.stderr
    res = run(app, "eval", "classify", "--train", str(empty), ok=False)
    assert res.exit_code == 2 and "--test 或 --folds" in res.stderr


def test_train_list_serve_rollback(app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        tr = fixtures.write_jsonl(tmp_path / "all.jsonl", fixtures.rows())
        first = run(app, "routing", "train", "--task", "category", "--jsonl", str(tr), "--folds", "3", "--serve")
        assert "已设为在用" in first.stdout and "macro-F1" in first.stdout
        run(app, "routing", "train", "--task", "category", "--jsonl", str(tr), "--folds", "0")
        lines = run(app, "routing", "models", "--task", "category").stdout.strip().splitlines()
        assert len(lines) == 2 and lines[0].startswith("*") and not lines[1].startswith("*")
        second = lines[1].split()[0]
        run(app, "routing", "serve", "--task", "category", second)
        lines = run(app, "routing", "models", "--task", "category").stdout.strip().splitlines()
        assert lines[1].startswith("*")
        assert "已回滚" in run(app, "routing", "rollback", "--task", "category").stdout
        assert run(app, "routing", "models", "--task", "category").stdout.startswith("*")
        bad = run(app, "routing", "serve", "--task", "category", "20990101T000000Z-deadbeef", ok=False)
        assert bad.exit_code == 2 and "20990101T000000Z-deadbeef" in bad.stderr
    finally:
        get_settings.cache_clear()


def test_shared_data_sample(app, tmp_path: Path) -> None:
    src = SHARED_DATA / "tickets-category" / "train.jsonl"
    if not src.is_file():
        pytest.skip(f"shared data not present at {src}")
    rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()]
    sample = rows[::6]  # a fixed ~300-row sample, all 7 categories
    tr = fixtures.write_jsonl(tmp_path / "sample.jsonl", sample)
    out = json.loads(run(app, "eval", "classify", "--train", str(tr), "--folds", "3", "--json").stdout)
    assert len(out["per_class"]) == 7
    assert out["macro_f1"] > 0.6
    assert out["ece"] < 0.2
