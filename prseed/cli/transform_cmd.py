"""``prseed transform PROJECT``: a snapshot folder -> the metrics tables as Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from prseed.cli.common import detail, echo, stage_errors, verbosity_options
from prseed.cli.options import config_options, config_values
from prseed.errors import ConfigError
from prseed.registry import check_key
from prseed.seeding import unknown_project
from prseed.transform import TransformConfig


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
    help="Build folder to write, replaced atomically (default: build/PROJECT); must be new, empty "
    "or an earlier build.",
)
@config_options(TransformConfig)
@click.option("--dry-run", is_flag=True, help="Verify and compute, but write nothing.")
@verbosity_options
def transform_command(
    project: str, snapshot_dir: Path | None, out_dir: Path | None, dry_run: bool, **options: Any
) -> None:
    """Transform snapshots/PROJECT into build/PROJECT (one Parquet file per metrics table).

    PROJECT is the project's key, the name of its snapshot folder (a registry key, or the
    OWNER--NAME key of an ad-hoc extract); it is a name, never a path: use --snapshot and
    --out for other folders.
    """
    from prseed import transform

    with stage_errors("interrupted; the previous build, if any, is untouched"):
        check_key(project)
        if snapshot_dir is None:
            snapshot_dir = Path("snapshots") / project
            if not (snapshot_dir / "manifest.json").is_file() and not snapshot_dir.is_dir():
                raise unknown_project(project, Path("snapshots"), Path("build"))
        elif not snapshot_dir.is_dir():
            raise ConfigError(f"--snapshot {snapshot_dir} is not a folder; pass a snapshot folder")
        config = TransformConfig(
            snapshot_dir=snapshot_dir,
            out_dir=out_dir or Path("build") / project,
            dry_run=dry_run,
            **config_values(TransformConfig, options),
        )
        detail(
            f"snapshot {config.snapshot_dir} -> {config.out_dir}, seed {config.seed}, "
            f"as-of {config.as_of or 'the snapshot date'}, shift to {config.shift_to or 'none'}"
        )
        result = transform.run(config)
    width = max(len(name) for name in result.rows)
    for name, rows in result.rows.items():
        echo(f"  {name:<{width}}  {rows:>10,}")
    verb = "would write" if dry_run else "wrote"
    where = config.out_dir if not dry_run else f"{config.out_dir} (dry run: nothing written)"
    echo(
        f"transform {project}: {verb} {sum(result.rows.values()):,} rows in "
        f"{len(result.rows)} tables to {where} in {result.seconds:.1f}s"
    )
