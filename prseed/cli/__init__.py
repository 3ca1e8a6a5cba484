"""The ``prseed`` command line: thin wrappers that build one frozen config and call a stage."""

from __future__ import annotations

import logging
import os
import sys

import click

from prseed import __version__
from prseed.cli import db_cmd, extract_cmd, load_cmd, projects_cmd, report_cmd, snapshot_cmd, transform_cmd
from prseed.cli.common import echo
from prseed.console import exit_interrupted, install_interrupt_handler, interrupted
from prseed.envfile import load_dotenv


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="prseed", message="%(prog)s %(version)s")
def cli() -> None:
    """Seed engineering-metrics databases with realistic data from real GitHub projects.

    Stages: extract (GitHub -> snapshots/<project>/), transform (snapshot -> build/<project>/),
    load (build -> PostgreSQL). `prseed seed` runs transform and load for every snapshot.
    Settings come from options, then the environment (GITHUB_TOKEN, DATABASE_URL, ...), then .env.
    Every command takes -q (no progress or notes) and -v (more detail on stderr); NO_COLOR
    turns colour off. Exit codes: 0 ok, 1 differences (snapshot diff --exit-code), 2 usage,
    configuration or an unusable folder, 3 authentication, 4 not found, 5 bad snapshot or build,
    6 lock held, 7 database, 8 API gave up, 130 interrupted.
    """


for module in (projects_cmd, extract_cmd, transform_cmd, load_cmd, db_cmd, snapshot_cmd, report_cmd):
    module.register(cli)


def main() -> None:
    """Console-script entry point: usage errors, like every other error, are one line on stderr."""
    install_interrupt_handler()  # already done by the console script; here for `python -c` callers
    # psycopg logs a failed rollback of a connection that Ctrl-C left busy ("error ignored in
    # rollback ... another command is already in progress"); the server rolls back anyway, and
    # the interruption has its own line.
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    try:
        load_dotenv()
        code = cli.main(prog_name="prseed", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()  # `prseed db`: the group's help, as click prints it
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        ctx: click.Context | None = getattr(exc, "ctx", None)  # usage errors know their command
        hint = f"; see `{ctx.command_path} --help`" if ctx is not None else ""
        echo(f"prseed: error: {exc.format_message().rstrip('.')}{hint}", err=True, fg="red")
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # The reader went away (`prseed projects --json | head`): stop quietly, as Unix tools do;
        # stdout goes to /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except click.exceptions.Abort:
        exit_interrupted()
    except Exception:
        if interrupted():  # a library's own exception for the interruption (DuckDB, psycopg)
            exit_interrupted()
        raise
    sys.exit(code if isinstance(code, int) else 0)
