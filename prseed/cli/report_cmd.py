"""``prseed report PROJECT``: one self-contained HTML page with charts of a snapshot."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from prseed.cli.common import detail, echo, note, stage_errors, verbosity_options
from prseed.cli.options import config_options, config_values
from prseed.contracts import read_manifest
from prseed.errors import ConfigError
from prseed.outputs import project_identity
from prseed.registry import check_key
from prseed.seeding import unknown_project
from prseed.transform import TransformConfig


def check_same_project(snapshot_dir: Path, against: Path) -> None:
    """Refuse an ``--against`` snapshot of another project (another key or other repositories).

    Raises:
        ConfigError: naming both snapshots and the fix (exit 2).
    """
    new, old = (read_manifest(folder, "snapshot")["project"] for folder in (snapshot_dir, against))
    new_id, old_id = (project_identity(p, "snapshot") for p in (new, old))
    if new_id != old_id:
        raise ConfigError(
            f"--against {against} is a snapshot of project {old_id[0]!r} ({old_id[1]}), not of "
            f"{new_id[0]!r} ({new_id[1]}) like {snapshot_dir}; pass an older snapshot of the same "
            f"project, or --any-project to compare them anyway"
        )


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
    type=click.Path(path_type=Path, allow_dash=True),
    help="HTML file to write, or - for standard output (then nothing else is printed there). "
    "Replaces only an earlier report; never a path inside a snapshot or build "
    "(default: build/PROJECT.report.html).",
)
@click.option(
    "--any-project",
    is_flag=True,
    help="Allow --against to name a snapshot of another project or other repositories.",
)
@click.option(
    "--build",
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder to read, transformed first when missing or stale (default: build/PROJECT).",
)
@config_options(TransformConfig)
@verbosity_options
def report_command(
    project: str,
    snapshot_dir: Path | None,
    against: Path | None,
    out: Path | None,
    build_dir: Path | None,
    any_project: bool,
    **options: Any,
) -> None:
    """Write one offline HTML page with charts of snapshots/PROJECT and its simulated parts.

    PROJECT is the project's key (the name of its snapshot folder), never a path: use --snapshot for
    another folder. Same snapshot and options give the same bytes, so the page can be committed
    beside the snapshot.
    """
    from prseed import report

    with stage_errors("interrupted; no page was written"):
        check_key(project)
        if snapshot_dir is None:
            snapshot_dir = Path("snapshots") / project
            if not snapshot_dir.is_dir():
                raise unknown_project(project, Path("snapshots"), Path("build"))
        elif not snapshot_dir.is_dir():
            raise ConfigError(f"--snapshot {snapshot_dir} is not a folder; pass a snapshot folder")
        if against is not None and not against.is_dir():
            raise ConfigError(f"--against {against} is not a folder; pass an older snapshot folder")
        if against is not None and not any_project:
            check_same_project(snapshot_dir, against)
        values = config_values(TransformConfig, options, given_only=True)
        to_stdout = out == Path("-")
        config = report.ReportConfig(
            snapshot_dir=snapshot_dir,
            build_dir=build_dir or Path("build") / project,
            out=None if to_stdout else out or Path("build") / f"{project}.report.html",
            against=against,
            seed=values.get("seed"),
            as_of=values.get("as_of"),
            shift_to=values.get("shift_to"),
        )
        detail(f"snapshot {config.snapshot_dir}, build {config.build_dir}, against {config.against or '-'}")
        result = report.run(config)
    for folder in result.transformed:
        note(f"transformed {folder} first (build missing, stale or damaged)")
    if result.out is None:
        try:
            stdout = sys.stdout.buffer
            stdout.write(result.page)
            stdout.flush()
        except BrokenPipeError:  # the reader went away (| head): stop quietly, as echo does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    echo(f"report {project}: wrote {result.out} ({result.size / 1024:,.0f} KB, {result.charts} charts)")
    echo(f"  open {result.out.resolve().as_uri()}")
