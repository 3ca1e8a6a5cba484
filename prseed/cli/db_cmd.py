"""``prseed db url|start|stop|psql|init``: reach the embedded PostgreSQL (or DATABASE_URL)."""

from __future__ import annotations

import os

import click

from prseed import load
from prseed.cli.common import stage_errors
from prseed.load import embedded

_URL_HELP = "Target database (default: $DATABASE_URL, else the embedded PostgreSQL)."


@click.group("db")
def db() -> None:
    """Manage the embedded PostgreSQL in .pgdata/ (PRSEED_PGDATA overrides the folder)."""


@db.command("url")
def url_cmd() -> None:
    """Print the embedded database's URL (starting it if needed)."""
    with stage_errors():
        click.echo(embedded.start())
    if os.environ.get("DATABASE_URL"):
        click.secho("note: DATABASE_URL is set, so `prseed load` writes there instead", err=True)


@db.command("start")
def start_cmd() -> None:
    """Start the embedded PostgreSQL (initialising .pgdata/ the first time)."""
    with stage_errors():
        click.echo(f"embedded PostgreSQL running: {embedded.start()}")


@db.command("stop")
def stop_cmd() -> None:
    """Stop the embedded PostgreSQL."""
    with stage_errors():
        stopped = embedded.stop()
    click.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db.command("psql", context_settings={"ignore_unknown_options": True})
@click.option("--database-url", envvar="DATABASE_URL", help=_URL_HELP)
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def psql_cmd(database_url: str | None, psql_args: tuple[str, ...]) -> None:
    """Open the bundled psql on the database (extra arguments go to psql)."""
    with stage_errors():
        target = database_url or embedded.start()
        argv = embedded.psql_argv(target, *psql_args)
    os.execv(argv[0], argv)


@db.command("init")
@click.option("--database-url", envvar="DATABASE_URL", help=_URL_HELP)
def init_cmd(database_url: str | None) -> None:
    """Create the metrics tables and indexes (load/sql/schema.sql); safe to re-run."""
    with stage_errors():
        where = load.init_schema(database_url)
    click.echo(f"metrics schema ready in {where}")


def register(group: click.Group) -> None:
    """Add the command(s) to the CLI group."""
    group.add_command(db)
