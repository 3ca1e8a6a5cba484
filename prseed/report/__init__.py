"""``prseed report``: one self-contained HTML page with charts of a snapshot and its build.

The page needs no network: charts are static SVG drawn by :mod:`prseed.report.svg`, the CSS is
inlined, and there is no script and no web font. Real values are read from the snapshot, derived and
simulated ones from the transform's build of it (made here, through the transform stage's ``run``,
when missing or stale). Same snapshot and options, same bytes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from prseed.contracts import verify_dataset, write_bytes_atomic
from prseed.errors import SnapshotError

#: Every page carries this line (templates/report.html); ``--out`` replaces only files that hold it.
MARKER = b'<meta name="generator" content="prseed '


@dataclass(frozen=True)
class ReportConfig:
    """What to report on.

    Attributes:
        snapshot_dir: the snapshot folder.
        build_dir: its build folder; made by the transform only when missing, stale or damaged.
        out: the HTML file to write (atomically); None writes nothing (``ReportResult.page`` has it).
        against: an older snapshot folder to compare with (``snapshot diff`` drawn over its figures).
        seed: seed of the simulated values (the transform's ``--seed``); None: any (the build's, or 42).
        as_of: anchor of the simulation; None: any (the build's, or the transform's default).
        shift_to: the transform's ``--shift-to``; None: any (the build's, or no shift).
    """

    snapshot_dir: Path
    build_dir: Path
    out: Path | None
    against: Path | None = None
    seed: int | None = None
    as_of: date | None = None
    shift_to: date | None = None

    def transform_options(self) -> dict[str, Any]:
        """The transform options given, as :func:`prseed.seeding.build_is_current` compares them."""
        given = {"seed": self.seed, "as_of": self.as_of, "shift_to": self.shift_to}
        return {name: value for name, value in given.items() if value is not None}


@dataclass(frozen=True)
class ReportResult:
    """What ``run`` wrote.

    Attributes:
        out: the page's file (None: not written).
        page: the page's bytes.
        size: its size in bytes.
        charts: number of charts on it.
        transformed: the build folders that had to be (re)made first.
    """

    out: Path | None
    page: bytes
    size: int
    charts: int
    transformed: tuple[Path, ...]


def ensure_build(snapshot_dir: Path, build_dir: Path, options: dict[str, Any]) -> bool:
    """Make ``build_dir`` from the snapshot with the transform stage unless it is current.

    Current is the project's one rule (:func:`prseed.seeding.build_is_current`: completed, made from
    this snapshot with the options given); a current build whose files fail verification (changed
    or missing) is damaged and made again. A current build is not touched.

    Returns:
        Whether the transform ran.
    """
    from prseed.seeding import build_is_current, transform_one

    if (snapshot_dir / "manifest.json").is_file() and build_is_current(build_dir, snapshot_dir, options):
        try:
            verify_dataset(build_dir, "build")
            return False
        except SnapshotError:
            pass
    transform_one(snapshot_dir, build_dir, options)
    return True


def run(config: ReportConfig) -> ReportResult:
    """Write the report page.

    Raises:
        SnapshotError: a snapshot is missing, incomplete or corrupt (the page is not written).
        ConfigError: the output path is a folder, inside a snapshot or build, or a file that is not
            an earlier report; the build folder holds another project.
    """
    from prseed.outputs import check_output_file
    from prseed.report.charts import all_charts
    from prseed.report.figures import fetch_figures
    from prseed.report.page import render_page
    from prseed.seeding import transform_one
    from prseed.snapshots import diff_snapshots

    if config.out is not None:
        check_output_file(config.out, MARKER, "report")
    snapshot = verify_dataset(config.snapshot_dir, "snapshot")
    old_snapshot = verify_dataset(config.against, "snapshot") if config.against is not None else None
    transformed = []
    options = config.transform_options()
    if ensure_build(config.snapshot_dir, config.build_dir, options):
        transformed.append(config.build_dir)
    build = verify_dataset(config.build_dir, "build")
    new = fetch_figures(config.snapshot_dir, snapshot, config.build_dir, build)
    old = diff = None
    if config.against is not None and old_snapshot is not None:
        with tempfile.TemporaryDirectory(prefix="prseed-report-") as temp:
            old_build = Path(temp) / "build"
            # The older snapshot is simulated with the same seed; its as-of is its own default.
            old_options = {"seed": build["seed"], **{k: v for k, v in options.items() if k != "seed"}}
            transform_one(config.against, old_build, old_options)
            old = fetch_figures(config.against, old_snapshot, old_build, verify_dataset(old_build, "build"))
        diff = diff_snapshots(config.against, config.snapshot_dir)
    html = render_page(new, old, diff)
    data = html.encode("utf-8")
    if config.out is not None:
        config.out.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(config.out, data)
    charts = sum(len(c) for c in all_charts(new, old, diff).values())
    return ReportResult(
        out=config.out, page=data, size=len(data), charts=charts, transformed=tuple(transformed)
    )


__all__ = ["MARKER", "ReportConfig", "ReportResult", "run"]
