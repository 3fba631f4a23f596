"""Reading training data (JSONL) and the training progress bar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl_pairs(path: str | Path, text_field: str, label_field: str) -> tuple[list[tuple[str, str]], int]:
    """(text, label) pairs of a JSONL file and how many rows had an empty label (dropped).

    Raises ``FileNotFoundError`` for a missing file and ``KeyError`` naming a field absent from a row.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    pairs: list[tuple[str, str]] = []
    dropped = 0
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            for name in (text_field, label_field):
                if name not in row:
                    raise KeyError(f"{path}:{n}: field {name!r} missing (row has: {', '.join(row)})")
            label = row[label_field]
            if label is None or str(label).strip() == "":
                dropped += 1
                continue
            pairs.append((str(row[text_field] or ""), str(label)))
    return pairs, dropped


class Progress:
    """A rich progress bar over training steps, or nothing (``enabled=False``, tests, pipes)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total
        self._p: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._p = Progress(
                TextColumn("训练分类模型 {task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                transient=False,
            )
            self._p.start()
            self._task = self._p.add_task("", total=self.total)
        return self

    def advance(self, description: str) -> None:
        if self._p is not None:
            self._p.update(self._task, advance=1, description=description)

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.stop()
