"""Transform stage: a verified snapshot -> the metrics tables as Parquet, via DuckDB SQL.

All data work is in ``transform/sql/*.sql``, run in file-name order on one in-memory DuckDB
database; this package only orchestrates (verify, bind parameters, run, write, swap in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TransformConfig:
    """What to transform and how.

    Attributes:
        snapshot_dir: the snapshot folder (``snapshots/<project>``).
        out_dir: the build folder (``build/<project>``); replaced atomically.
        seed: seed of every simulated value.
        as_of: anchor of the simulation windows; default: the snapshot's extraction date
            (manifest ``finished_at``, UTC date).
        threads: DuckDB threads (default 2).
        memory_limit: DuckDB memory limit (default ``"1GB"``).
        dry_run: verify the snapshot and run the SQL, but write nothing (rows are counted).
        shift_to: move every timestamp and date of the build by the largest whole number of
            weeks that keeps the as-of day on or before this day (:mod:`transform.shift`);
            None moves nothing.
    """

    snapshot_dir: Path
    out_dir: Path
    seed: int = 42
    as_of: date | None = None
    threads: int | None = None
    memory_limit: str | None = None
    dry_run: bool = False
    shift_to: date | None = None


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
