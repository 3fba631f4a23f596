"""Core sub-commands: serve, migrate, demo data, users, the scheduled-jobs worker."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

from hotline.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port")] = 8000,
        demo: Annotated[bool, typer.Option(help="load the demo city and users")] = False,
        reload: Annotated[bool, typer.Option(help="reload on code changes (development)")] = False,
    ) -> None:
        """Start the web console and API (embedded defaults: SQLite and the on-disk search index)."""
        import uvicorn

        if demo:
            os.environ["HOTLINE_DEMO_DATA"] = "1"
            from hotline.demo.load import demo_logins

            typer.echo(f"\n12345 政务服务便民热线 — 控制台: http://{host}:{port}/\n演示账号（角色 / 用户名 / 密码）:")
            for label, username, password in demo_logins():
                typer.echo(f"  {label:<10} {username:<12} {password}")
            typer.echo("")
        uvicorn.run("api.main:app", host=host, port=port, reload=reload, log_level="info")

    @app.command()
    def migrate() -> None:
        """Upgrade the database to the newest schema."""
        from hotline.db import migrate as do_migrate

        url = get_settings().resolved_database_url
        do_migrate(url)
        typer.echo("database is at the newest schema")

    @app.command("load-demo")
    def load_demo() -> None:
        """Load the demo city, workstations and users (idempotent)."""
        from hotline.db import make_engine, make_sessionmaker
        from hotline.db import migrate as do_migrate
        from hotline.demo.load import load_demo as load

        url = get_settings().resolved_database_url
        do_migrate(url)
        load(make_sessionmaker(make_engine(url)))
        typer.echo("demo data loaded")

    @app.command()
    def worker() -> None:
        """Run the periodic jobs as a separate process (scale-out deployments set HOTLINE_RUN_SCHEDULER=0 on
        the app replicas and run one worker)."""
        from hotline.db import make_engine, make_sessionmaker
        from hotline.scheduled import run_forever

        settings = get_settings()
        asyncio.run(run_forever(make_sessionmaker(make_engine(settings.resolved_database_url)), settings))
