"""``prseed db url|start|stop|psql|init``: reach the embedded PostgreSQL (or DATABASE_URL).

Commands that only read (``url``, ``psql``, ``stop``) never create a data folder: run from
another folder, they say that there is no database there instead of making an empty one.
Every command says which data folder it uses (unless ``-q``).
"""

from __future__ import annotations

import os

import click

from prseed import load
from prseed.cli.common import echo, note, stage_errors, verbosity_options
from prseed.load import embedded

_URL_HELP = "Target database (default: $DATABASE_URL, else the embedded PostgreSQL)."


def _where() -> str:
    path = embedded.data_dir().expanduser().resolve()
    source = (
        "PRSEED_PGDATA" if os.environ.get("PRSEED_PGDATA") else "default ./.pgdata; PRSEED_PGDATA moves it"
    )
    return f"embedded PostgreSQL data folder: {path} ({source})"


@click.group("db")
def db() -> None:
    """Manage the embedded PostgreSQL in .pgdata/ (PRSEED_PGDATA overrides the folder)."""


@db.command("url")
@verbosity_options
def url_cmd() -> None:
    """Print the embedded database's URL (starting it if it exists but is stopped; never creating it)."""
    with stage_errors():
        embedded.require()  # its error names the folder
        note(_where())
        echo(embedded.start())
    if os.environ.get("DATABASE_URL"):
        note("note: DATABASE_URL is set, so `prseed load` writes there instead")


@db.command("start")
@verbosity_options
def start_cmd() -> None:
    """Start the embedded PostgreSQL (initialising its data folder the first time)."""
    with stage_errors():
        note(_where())
        echo(f"embedded PostgreSQL running: {embedded.start()}")


@db.command("stop")
@verbosity_options
def stop_cmd() -> None:
    """Stop the embedded PostgreSQL."""
    with stage_errors():
        note(_where())
        stopped = embedded.exists() and embedded.stop()
    echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db.command("psql", context_settings={"ignore_unknown_options": True})
@click.option("--database-url", envvar="DATABASE_URL", help=_URL_HELP)
@verbosity_options
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def psql_cmd(database_url: str | None, psql_args: tuple[str, ...]) -> None:
    """Open the bundled psql on the database (extra arguments go to psql)."""
    with stage_errors():
        if not database_url:
            embedded.require()
            note(_where())
        target = database_url or embedded.start()
        # psql's own errors are two raw lines (and a URL it cannot parse sends it to a default
        # local server): check the URL and the login first, as `load` and `db init` do.
        load.check_connection(target)
        argv = embedded.psql_argv(target, *psql_args)
    os.execv(argv[0], argv)


@db.command("init")
@click.option("--database-url", envvar="DATABASE_URL", help=_URL_HELP)
@verbosity_options
def init_cmd(database_url: str | None) -> None:
    """Create the metrics tables and indexes (load/sql/schema.sql); safe to re-run."""
    with stage_errors():
        if not database_url:
            note(_where())
        where = load.init_schema(database_url)
    echo(f"metrics schema ready in {where}")


def register(group: click.Group) -> None:
    """Add the command(s) to the CLI group."""
    group.add_command(db)
