"""The ``hotline`` console command. Domains contribute sub-commands through ``register``."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="12345 政务服务便民热线系统")
eval_app = typer.Typer(no_args_is_help=True, help="Measure search and classification quality.")
app.add_typer(eval_app, name="eval")


def _register() -> None:
    # Imported here so that `hotline --help` stays fast and each domain owns its commands.
    from hotline import commands as core_commands
    from kb import cli as kb_cli
    from routing import cli as routing_cli

    core_commands.register(app)
    kb_cli.register(app, eval_app)
    routing_cli.register(app, eval_app)


def main() -> None:
    _register()
    app()
