"""Transform stage: a verified snapshot -> the metrics tables as Parquet, via DuckDB SQL.

All data work is in ``transform/sql/*.sql``, run in file-name order on one in-memory DuckDB
database; this package only orchestrates (verify, bind parameters, run, write, swap in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from prseed.declare import cli


@dataclass(frozen=True)
class TransformConfig:
    """What to transform and how.

    Attributes:
        snapshot_dir: the snapshot folder (``snapshots/<project>``).
        out_dir: the build folder (``build/<project>``); replaced atomically.
        seed: seed of every simulated value.
        as_of: anchor of the simulation windows; default: the snapshot's extraction date
            (manifest ``finished_at``, UTC date), or its window's end (``until``) when earlier.
        shift_to: move every timestamp and date of the build by the largest whole number of
            weeks that keeps the as-of day on or before this day (:mod:`transform.shift`);
            None moves nothing. Recorded in the build manifest (``shift``).
        threads: DuckDB threads (default 2).
        memory_limit: DuckDB memory limit (default ``"1GB"``).
        dry_run: verify the snapshot and run the SQL, but write nothing (rows are counted).
    """

    snapshot_dir: Path
    out_dir: Path
    seed: int = field(default=42, metadata=cli("Seed of every simulated value."))
    as_of: date | None = field(
        default=None,
        metadata=cli(
            "Anchor date of the simulation windows, YYYY-MM-DD (default: the snapshot's extraction "
            "date, or its window's end when that is earlier)."
        ),
    )
    shift_to: date | None = field(
        default=None,
        metadata=cli(
            "Move every timestamp and date of the build by the largest whole number of weeks that "
            "keeps the as-of day on or before this day (YYYY-MM-DD, 'today' or 'none': no shift).",
            words=("today", "none"),
        ),
    )
    threads: int | None = None
    memory_limit: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class TransformResult:
    """What a transform produced.

    Attributes:
        manifest: the build manifest written (empty for a dry run).
        rows: rows per build table.
        seconds: wall time of the run.
    """

    manifest: dict[str, Any]
    rows: dict[str, int]
    seconds: float


def run(config: TransformConfig) -> TransformResult:
    """Transform one snapshot into a build folder; see :mod:`transform.pipeline`."""
    from prseed.transform.pipeline import transform

    return transform(config)


__all__ = ["TransformConfig", "TransformResult", "run"]
