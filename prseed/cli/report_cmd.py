"""``prseed report PROJECT``: one self-contained HTML page with charts of a snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from prseed.cli.common import stage_errors


def register(group: click.Group) -> None:
    """Add the command to the CLI group."""
    group.add_command(report_command)


@click.command("report")
@click.argument("project")
@click.option(
    "--snapshot",
    "snapshot_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Snapshot folder to report on (default: snapshots/PROJECT).",
)
@click.option(
    "--against",
    "against",
    type=click.Path(path_type=Path, file_okay=False),
    help="Older snapshot folder: draw what `snapshot diff` finds over its figures.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="HTML file to write (default: build/PROJECT.report.html).",
)
@click.option(
    "--build",
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder to read, transformed first when missing or stale (default: build/PROJECT).",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the simulated values.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Anchor date of the simulation (default: the snapshot's extraction date).",
)
def report_command(
    project: str,
    snapshot_dir: Path | None,
    against: Path | None,
    out: Path | None,
    build_dir: Path | None,
    seed: int,
    as_of: dt.datetime | None,
) -> None:
    """Write one offline HTML page with charts of snapshots/PROJECT and its simulated parts.

    Same snapshot and options give the same bytes, so the page can be committed beside the snapshot.
    """
    from prseed import report

    config = report.ReportConfig(
        snapshot_dir=snapshot_dir or Path("snapshots") / project,
        build_dir=build_dir or Path("build") / project,
        out=out or Path("build") / f"{project}.report.html",
        against=Path(against) if against else None,
        seed=seed,
        as_of=as_of.date() if as_of else None,
    )
    with stage_errors():
        result = report.run(config)
    for folder in result.transformed:
        click.echo(f"transformed {folder} (build missing or stale)", err=True)
    click.echo(f"report {project}: wrote {result.out} ({result.size / 1024:,.0f} KB, {result.charts} charts)")
    click.echo(f"  open {result.out.resolve().as_uri()}")
