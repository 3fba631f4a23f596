"""Static checks as tests: ruff (lint and format) and mypy must report nothing on the project's code.

Both run in a subprocess from the repository root with the test interpreter, so they use the project's
configuration (``pyproject.toml``) and the same environment; mypy's incremental cache keeps reruns fast.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MYPY_PATHS = ["api", "hotline", "kb", "routing", "indexer", "bench"]
RUFF_PATHS = [*MYPY_PATHS, "tests"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_clean() -> None:
    proc = _run("ruff", "check", *RUFF_PATHS)
    assert proc.returncode == 0, f"ruff check failed:\n{proc.stdout}\n{proc.stderr}"


def test_ruff_format_clean() -> None:
    proc = _run("ruff", "format", "--check", *RUFF_PATHS)
    assert proc.returncode == 0, f"ruff format would change files (run `ruff format`):\n{proc.stdout}\n{proc.stderr}"


def test_mypy_clean() -> None:
    proc = _run("mypy", *MYPY_PATHS)
    assert proc.returncode == 0, f"mypy failed:\n{proc.stdout}\n{proc.stderr}"
