"""``hotline kb import`` and ``hotline index rebuild|status`` against an embedded SQLite data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import _register, app
from hotline.settings import get_settings
from tests.kb.conftest import docx_file, markdown_file


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "")
    monkeypatch.setenv("HOTLINE_EMBEDDER", "none")
    get_settings.cache_clear()
    _register()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_import_is_idempotent_and_rebuild_restores_the_index(data_dir: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_bytes(markdown_file().replace(b"owner: D-ZJJ\n", b""))
    (docs / "manual.docx").write_bytes(docx_file())
    (docs / "ignored.txt").write_text("not imported")
    runner = CliRunner()
    first = runner.invoke(app, ["kb", "import", str(docs), "--category", "faq"])
    assert first.exit_code == 0, first.output
    assert "新增 2 条，更新 0 条，未变 0 条" in first.output and "已应用 2 个事件" in first.output
    again = runner.invoke(app, ["kb", "import", str(docs)])
    assert again.exit_code == 0 and "新增 0 条，更新 0 条，未变 2 条" in again.output
    rebuilt = runner.invoke(app, ["index", "rebuild"])
    assert rebuilt.exit_code == 0 and "知识段落 5 个，工单 0 个" in rebuilt.output
    status = runner.invoke(app, ["index", "status"])
    assert "complete\t2" in status.output and "cursor\t2" in status.output


def test_import_names_a_missing_file(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["kb", "import", "no/such/file.md"])
    assert result.exit_code == 2 and "no/such/file.md" in result.output
