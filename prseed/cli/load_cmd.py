"""``prseed load`` and ``prseed seed``: transform what is missing or stale, then load.

The work is :func:`prseed.seeding.seed`; these commands only parse options and print.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import click

from prseed import load
from prseed.cli.common import detail, echo, note, quiet, stage_errors, verbosity_options
from prseed.cli.options import config_options, config_values
from prseed.contracts import BUILD_TABLES
from prseed.seeding import SeedConfig, seed
from prseed.transform import TransformConfig

F = TypeVar("F", bound=Callable[..., Any])

_URL_HELP = "Target database (env DATABASE_URL); unset: the embedded PostgreSQL in .pgdata/."
_INTERRUPTED = (
    "interrupted; the load was rolled back and the database is as before: run the same command again"
)


def format_summary(result: load.LoadResult) -> str:
    """Render the per-table summary of a load."""
    head = (
        f"{'table':<24} {'inserted':>9} {'updated':>8} {'unchanged':>9} {'skipped':>7} "
        f"{'seconds':>8} {'rows/s':>9} {'NULs':>5} {'cut':>5}"
    )
    lines = [head, "-" * len(head)]
    for s in result.totals():
        lines.append(
            f"{s.table:<24} {s.inserted:>9} {s.updated:>8} {s.unchanged:>9} {s.skipped:>7} "
            f"{s.seconds:>8.2f} {s.rows_per_second:>9.0f} {s.nul_replaced:>5} {s.truncated:>5}"
        )
    rows = sum(s.rows for s in result.totals())
    rate = rows / result.seconds if result.seconds else 0.0
    verb = "loaded" if result.committed else "dry run (rolled back):"
    cleared = sum(p.cleared for p in result.projects)
    lines.append(
        f"{verb} {len(result.projects)} project(s), {rows} rows into {result.database} "
        f"in {result.seconds:.1f} s ({rate:.0f} rows/s)"
        + (f"; {cleared} old rows cleared first" if cleared else "")
    )
    if result.committed:
        lines.append(f"foreign-key checks + commit: {result.commit_seconds:.2f} s")
    lines.append("NULs: NUL characters replaced by U+FFFD; cut: values truncated to their column")
    return "\n".join(lines)


def summary_data(result: load.LoadResult) -> dict[str, Any]:
    """The load summary as JSON-ready data (``--json``): per project and table, and totals."""

    def table(s: load.TableStats) -> dict[str, Any]:
        data = dataclasses.asdict(s)
        data["seconds"] = round(s.seconds, 3)
        data["copy_seconds"] = round(s.copy_seconds, 3)
        return data

    return {
        "database": result.database,
        "embedded": result.embedded,
        "committed": result.committed,
        "seconds": round(result.seconds, 3),
        "commit_seconds": round(result.commit_seconds, 3),
        "projects": [
            {
                "project": p.project,
                "build_dir": str(p.build_dir),
                "team_slug": p.team_slug,
                "cleared": p.cleared,
                "tables": [table(s) for s in p.tables],
            }
            for p in result.projects
        ],
        "totals": [table(s) for s in result.totals()],
    }


def _options(defaults: dict[str, Any] | None = None) -> Callable[[F], F]:
    """The options of ``load`` and ``seed``; ``defaults``: the command's own transform defaults."""
    return lambda func: _add_options(func, defaults)


def _add_options(func: F, defaults: dict[str, Any] | None) -> F:
    for option in reversed(
        (
            click.option("--database-url", envvar="DATABASE_URL", help=_URL_HELP),
            click.option("--clear", is_flag=True, help="Delete each team's rows first."),
            click.option(
                "--bulk/--no-bulk",
                default=None,
                help="Rebuild foreign keys, and the indexes of empty tables, inside the transaction: "
                "much faster, but needs table ownership and locks the tables until COMMIT. "
                "Default: on for the embedded database, off for DATABASE_URL.",
            ),
            config_options(
                TransformConfig,
                keep_defaults=False,
                help_suffix=" Given: a build made with another value is transformed again.",
                defaults=defaults,
            ),
            click.option(
                "--snapshots",
                type=click.Path(path_type=Path),
                default=Path("snapshots"),
                show_default=True,
                help="Folder of the snapshots.",
            ),
            click.option(
                "--builds",
                type=click.Path(path_type=Path),
                default=Path("build"),
                show_default=True,
                help="Folder of the builds.",
            ),
            click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout."),
            verbosity_options,
        )
    ):
        func = option(func)
    return func


def _load(config: SeedConfig, as_json: bool) -> load.LoadResult:
    # The bar only on a terminal and without -q: logs and CI output keep just the summary.
    hidden = quiet() or not sys.stderr.isatty()
    with ExitStack() as stack:
        bars: list[Any] = []  # made once the builds are known (their count sets the length)

        def on_builds(folders: tuple[Path, ...]) -> None:
            steps = len(folders) * len(BUILD_TABLES)
            bar = click.progressbar(
                length=steps, label="loading", file=sys.stderr, show_pos=True, hidden=hidden
            )
            bars.append(stack.enter_context(bar))

        def progress(project: str, stat: load.TableStats) -> None:
            bars[0].label = f"loading {project}: {stat.table}"
            bars[0].update(1)
            detail(f"{project}: {stat.table} {stat.rows} rows in {stat.seconds:.2f} s")

        result = seed(
            config,
            progress,
            notify=lambda message: note(message, fg="yellow"),
            on_transform=lambda name: note(f"transforming {name} (build missing or stale)"),
            on_builds=on_builds,
        )
    if as_json:
        echo(json.dumps(summary_data(result), indent=2))
    else:
        echo(format_summary(result))
    return result


def _config(projects: tuple[str, ...], dry_run: bool, params: dict[str, Any]) -> SeedConfig:
    return SeedConfig(
        projects=projects,
        snapshots=params["snapshots"],
        builds=params["builds"],
        transform=config_values(TransformConfig, params, given_only=True),
        database_url=params["database_url"],
        clear=params["clear"],
        bulk=params["bulk"],
        dry_run=dry_run,
    )


@click.command("load")
@click.argument("projects", nargs=-1)
@_options()
@click.option(
    "--dry-run", is_flag=True, help="Load, report, then roll back; writes nothing (not even build/)."
)
def load_command(projects: tuple[str, ...], dry_run: bool, as_json: bool, **params: Any) -> None:
    """Load PROJECT builds (default: every snapshot) into PostgreSQL, in one transaction.

    PROJECT is a project key (the name of its snapshot folder), never a path. A build that is
    missing or stale (other snapshot, --seed, --as-of or --shift-to) is transformed first.
    """
    with stage_errors(_INTERRUPTED):
        _load(_config(projects, dry_run, params), as_json)


@click.command("seed")
# The demo shows "the last 7 / 30 / 90 days" from today: its dates move to this week by default.
@_options({"shift_to": "today"})
def seed_command(as_json: bool, **params: Any) -> None:
    """Transform and load every snapshot (dates moved to this week), then print how to connect."""
    with stage_errors(_INTERRUPTED):
        result = _load(_config((), False, params), as_json)
    target = result.database_url if result.embedded else "$DATABASE_URL"
    if not as_json:
        echo(f"connect: psql '{target}'   or: prseed db psql")


def register(group: click.Group) -> None:
    """Add the command(s) to the CLI group."""
    group.add_command(load_command)
    group.add_command(seed_command)
