"""``prseed load`` and ``prseed seed``: transform what is missing or stale, then load."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from prseed import load
from prseed.cli.common import SHIFT_HELP, ShiftTarget, stage_errors
from prseed.contracts import BUILD_TABLES, dataset_digest, read_manifest
from prseed.errors import ConfigError, SnapshotError

_URL_HELP = "Target database (env DATABASE_URL); unset: the embedded PostgreSQL in .pgdata/."


def snapshot_projects(snapshots: Path) -> list[str]:
    """Return every project folder under ``snapshots/`` that has a manifest.json, sorted."""
    if not snapshots.is_dir():
        return []
    return sorted(p.name for p in snapshots.iterdir() if (p / "manifest.json").is_file())


Shift = dt.date | str | None  # a --shift-to day, "none" (no shift), or None (not asked: any build will do)


def build_is_current(
    build_dir: Path, snapshot_dir: Path, seed: int | None, as_of: dt.date | None, shift_to: Shift = None
) -> bool:
    """Whether a build exists and was made from this snapshot (and this seed / as-of / shift, if given).

    The shift is compared in weeks: a build made with ``--shift-to`` another day of the same
    week holds the same data. A build without a snapshot next to it is taken as it is (it
    cannot be re-made anyway).
    """
    try:
        build = read_manifest(build_dir, "build")
    except SnapshotError:
        return False
    if not build.get("completed"):
        return False
    if seed is not None and build["seed"] != seed:
        return False
    if as_of is not None and build["as_of"] != as_of.isoformat():
        return False
    if shift_to is not None and build.get("shift", {}).get("weeks", 0) != _wanted_weeks(build, shift_to):
        return False
    if not (snapshot_dir / "manifest.json").is_file():
        return True
    snapshot = read_manifest(snapshot_dir, "snapshot")
    return bool(build["snapshot"]["digest"] == dataset_digest(snapshot))


def _wanted_weeks(build: dict[str, Any], shift_to: dt.date | str) -> int:
    from prseed.transform.shift import shift_weeks

    if not isinstance(shift_to, dt.date):
        return 0
    return shift_weeks(dt.date.fromisoformat(build["as_of"]), shift_to)


def run_transform(
    snapshot_dir: Path, build_dir: Path, seed: int | None, as_of: dt.date | None, shift_to: Shift = None
) -> None:
    """Run the transform stage for one project."""
    # Imported on demand: loading ready builds should not pay for importing DuckDB.
    from prseed import transform

    config = transform.TransformConfig(
        snapshot_dir=snapshot_dir,
        out_dir=build_dir,
        as_of=as_of,
        shift_to=shift_to if isinstance(shift_to, dt.date) else None,
    )
    if seed is not None:
        config = dataclasses.replace(config, seed=seed)
    transform.run(config)


def prepare_builds(
    projects: tuple[str, ...],
    snapshots: Path,
    builds: Path,
    seed: int | None,
    as_of: dt.date | None,
    shift_to: Shift = None,
) -> tuple[Path, ...]:
    """Resolve projects to build folders, transforming those missing or stale first."""
    names = list(projects) or snapshot_projects(snapshots)
    if not names:
        raise ConfigError(
            f"nothing to load: no snapshot under {snapshots}/ and no PROJECT given; "
            f"run `prseed extract PROJECT` first"
        )
    folders = []
    for name in names:
        snapshot_dir, build_dir = snapshots / name, builds / name
        if not build_is_current(build_dir, snapshot_dir, seed, as_of, shift_to):
            if not (snapshot_dir / "manifest.json").is_file():
                raise ConfigError(
                    f"project {name!r} has neither a build in {build_dir} nor a snapshot in "
                    f"{snapshot_dir}; run `prseed extract {name}` first"
                )
            click.echo(f"transforming {name} (build missing or stale)", err=True)
            run_transform(snapshot_dir, build_dir, seed, as_of, shift_to)
        folders.append(build_dir)
    return tuple(folders)


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


def _options(func: Any) -> Any:
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
            click.option("--seed", type=int, help="Transform seed (re-transform if it differs)."),
            click.option(
                "--as-of",
                type=click.DateTime(["%Y-%m-%d"]),
                help="Transform as-of date (re-transform if it differs).",
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
        )
    ):
        func = option(func)
    return func


def _load(
    projects: tuple[str, ...],
    database_url: str | None,
    clear: bool,
    bulk: bool | None,
    dry_run: bool,
    seed: int | None,
    as_of: dt.datetime | None,
    snapshots: Path,
    builds: Path,
    shift_to: Shift = None,
) -> load.LoadResult:
    day = as_of.date() if as_of else None
    folders = prepare_builds(projects, snapshots, builds, seed, day, shift_to)
    config = load.LoadConfig(
        build_dirs=folders, database_url=database_url, clear=clear, dry_run=dry_run, bulk=bulk
    )
    steps = len(folders) * len(BUILD_TABLES)
    # Only on a terminal: logs and CI output keep just the summary.
    hidden = not sys.stderr.isatty()
    with click.progressbar(
        length=steps, label="loading", file=sys.stderr, show_pos=True, hidden=hidden
    ) as bar:

        def progress(project: str, stat: load.TableStats) -> None:
            bar.label = f"loading {project}: {stat.table}"
            bar.update(1)

        result = load.run(config, progress)
    click.echo(format_summary(result))
    return result


@click.command("load")
@click.argument("projects", nargs=-1)
@_options
@click.option("--dry-run", is_flag=True, help="Load, report, then roll back.")
@click.option(
    "--shift-to",
    type=ShiftTarget(),
    help=SHIFT_HELP + " Re-transform if the build's shift differs. Default: the build as it is.",
)
def load_command(
    projects: tuple[str, ...],
    database_url: str | None,
    clear: bool,
    bulk: bool | None,
    dry_run: bool,
    seed: int | None,
    as_of: dt.datetime | None,
    snapshots: Path,
    builds: Path,
    shift_to: Shift,
) -> None:
    """Load PROJECT builds (default: every snapshot) into PostgreSQL, in one transaction."""
    with stage_errors():
        _load(projects, database_url, clear, bulk, dry_run, seed, as_of, snapshots, builds, shift_to)


@click.command("seed")
@_options
@click.option(
    "--shift-to",
    type=ShiftTarget(),
    default="today",
    show_default=True,
    help=SHIFT_HELP + " The demo's last week of data then lies in the 7 days before today.",
)
def seed_command(
    database_url: str | None,
    clear: bool,
    bulk: bool | None,
    seed: int | None,
    as_of: dt.datetime | None,
    snapshots: Path,
    builds: Path,
    shift_to: Shift,
) -> None:
    """Transform and load every snapshot (dates moved to this week), then print how to connect."""
    with stage_errors():
        result = _load((), database_url, clear, bulk, False, seed, as_of, snapshots, builds, shift_to)
    target = result.database_url if result.embedded else "$DATABASE_URL"
    click.echo(f"connect: psql '{target}'   or: prseed db psql")


def register(group: click.Group) -> None:
    """Add the command(s) to the CLI group."""
    group.add_command(load_command)
    group.add_command(seed_command)
