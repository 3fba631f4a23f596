"""``hotline kb …``, ``hotline index …`` and ``hotline eval search`` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this domain's commands to the root app and the ``eval`` group."""
