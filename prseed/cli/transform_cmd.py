"""``prseed transform PROJECT``: a snapshot folder -> the metrics tables as Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from prseed.cli.common import SHIFT_HELP, ShiftTarget, run_stage


def register(group: click.Group) -> None:
    """Add the command(s) to the CLI group."""
    group.add_command(transform_command)


@click.command("transform")
@click.argument("project")
@click.option(
    "--snapshot",
    "snapshot_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Snapshot folder to read (default: snapshots/PROJECT).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder to write, replaced atomically (default: build/PROJECT).",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of every simulated value.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Anchor date of the simulation windows (default: the snapshot's extraction date).",
)
@click.option("--shift-to", "shift_to", type=ShiftTarget(), help=SHIFT_HELP + " Default: none.")
@click.option("--dry-run", is_flag=True, help="Verify and compute, but write nothing.")
def transform_command(
    project: str,
    snapshot_dir: Path | None,
    out_dir: Path | None,
    seed: int,
    as_of: dt.datetime | None,
    shift_to: dt.date | str | None,
    dry_run: bool,
) -> None:
    """Transform snapshots/PROJECT into build/PROJECT (one Parquet file per metrics table).

    PROJECT is the snapshot folder name; it need not be in the registry.
    """
    from prseed import transform

    config = transform.TransformConfig(
        snapshot_dir=snapshot_dir or Path("snapshots") / project,
        out_dir=out_dir or Path("build") / project,
        seed=seed,
        as_of=as_of.date() if as_of else None,
        dry_run=dry_run,
        shift_to=shift_to if isinstance(shift_to, dt.date) else None,
    )
    result = run_stage(lambda: transform.run(config))
    width = max(len(name) for name in result.rows)
    for name, rows in result.rows.items():
        click.echo(f"  {name:<{width}}  {rows:>10,}")
    verb = "would write" if dry_run else "wrote"
    where = config.out_dir if not dry_run else f"{config.out_dir} (dry run: nothing written)"
    click.echo(
        f"transform {project}: {verb} {sum(result.rows.values()):,} rows in "
        f"{len(result.rows)} tables to {where} in {result.seconds:.1f}s"
    )
