"""``prseed report``: one self-contained HTML page with charts of a snapshot and its build.

The page needs no network: charts are static SVG drawn by :mod:`prseed.report.svg`, the CSS is
inlined, and there is no script and no web font. Real values are read from the snapshot, derived and
simulated ones from the transform's build of it (made here, through the transform stage's ``run``,
when missing or stale). Same snapshot and options, same bytes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prseed.contracts import dataset_digest, read_manifest, verify_dataset, write_bytes_atomic
from prseed.errors import ConfigError, SnapshotError


@dataclass(frozen=True)
class ReportConfig:
    """What to report on.

    Attributes:
        snapshot_dir: the snapshot folder.
        build_dir: its build folder; (re)made by the transform when missing or stale.
        out: the HTML file to write (atomically).
        against: an older snapshot folder to compare with (``snapshot diff`` drawn over its figures).
        seed: seed of the simulated values (the transform's ``--seed``).
        as_of: anchor of the simulation (default: each snapshot's extraction date, as the transform).
    """

    snapshot_dir: Path
    build_dir: Path
    out: Path
    against: Path | None = None
    seed: int = 42
    as_of: date | None = None


@dataclass(frozen=True)
class ReportResult:
    """What ``run`` wrote.

    Attributes:
        out: the page.
        size: its size in bytes.
        charts: number of charts on it.
        transformed: the build folders that had to be (re)made first.
    """

    out: Path
    size: int
    charts: int
    transformed: tuple[Path, ...]


def expected_as_of(snapshot: dict[str, Any], as_of: date | None) -> str:
    """The as-of date a build made with these options carries.

    The transform's default is the UTC date of the snapshot's ``finished_at``
    (``TransformConfig.as_of``).
    """
    if as_of is not None:
        return as_of.isoformat()
    stamp = datetime.fromisoformat(str(snapshot["finished_at"]).replace("Z", "+00:00"))
    return (stamp.astimezone(UTC) if stamp.tzinfo else stamp).date().isoformat()


def build_matches(build_dir: Path, snapshot: dict[str, Any], seed: int, as_of: date | None) -> bool:
    """Whether ``build_dir`` holds a completed, intact build of this snapshot with this seed and as-of.

    A build that fails verification (a file changed or missing) does not match: it is made again.
    """
    try:
        build = read_manifest(build_dir, "build")
        if build.get("completed") and build["snapshot"]["digest"] == dataset_digest(snapshot):
            verify_dataset(build_dir, "build")
    except SnapshotError:
        return False
    return bool(
        build.get("completed")
        and build["snapshot"]["digest"] == dataset_digest(snapshot)
        and build["seed"] == seed
        and build["as_of"] == expected_as_of(snapshot, as_of)
    )


def ensure_build(
    snapshot_dir: Path, snapshot: dict[str, Any], build_dir: Path, seed: int, as_of: date | None
) -> bool:
    """Make ``build_dir`` from the snapshot with the transform stage unless it is current.

    Returns:
        Whether the transform ran.
    """
    if build_matches(build_dir, snapshot, seed, as_of):
        return False
    # Imported on demand: a current build needs no transform.
    from prseed import transform

    transform.run(
        transform.TransformConfig(snapshot_dir=snapshot_dir, out_dir=build_dir, seed=seed, as_of=as_of)
    )
    return True


def run(config: ReportConfig) -> ReportResult:
    """Write the report page.

    Raises:
        SnapshotError: a snapshot is missing, incomplete or corrupt (the page is not written).
        ConfigError: the output path is a folder.
    """
    from prseed.report.charts import all_charts
    from prseed.report.figures import fetch_figures
    from prseed.report.page import render_page
    from prseed.snapshots import diff_snapshots

    if config.out.is_dir():
        raise ConfigError(f"--out {config.out} is a folder; give a file name such as report.html")
    snapshot = verify_dataset(config.snapshot_dir, "snapshot")
    old_snapshot = verify_dataset(config.against, "snapshot") if config.against is not None else None
    transformed = []
    if ensure_build(config.snapshot_dir, snapshot, config.build_dir, config.seed, config.as_of):
        transformed.append(config.build_dir)
    new = fetch_figures(
        config.snapshot_dir, snapshot, config.build_dir, verify_dataset(config.build_dir, "build")
    )
    old = diff = None
    if config.against is not None and old_snapshot is not None:
        with tempfile.TemporaryDirectory(prefix="prseed-report-") as temp:
            old_build = Path(temp) / "build"
            ensure_build(config.against, old_snapshot, old_build, config.seed, config.as_of)
            old = fetch_figures(config.against, old_snapshot, old_build, verify_dataset(old_build, "build"))
        diff = diff_snapshots(config.against, config.snapshot_dir)
    html = render_page(new, old, diff)
    data = html.encode("utf-8")
    config.out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(config.out, data)
    charts = sum(len(c) for c in all_charts(new, old, diff).values())
    return ReportResult(out=config.out, size=len(data), charts=charts, transformed=tuple(transformed))


__all__ = ["ReportConfig", "ReportResult", "run"]
