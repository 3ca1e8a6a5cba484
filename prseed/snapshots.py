"""Read-only tools over snapshots: summary, deep verification and diff.

These back ``prseed snapshot info|verify|diff`` so that a snapshot change in a pull request can be
reviewed without opening Parquet files by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from prseed.contracts import SNAPSHOT_TABLES, table_key, verify_dataset
from prseed.errors import SnapshotError
from prseed.resources import read_text


@dataclass(frozen=True)
class SnapshotInfo:
    """What ``prseed snapshot info`` shows."""

    folder: Path
    manifest: dict[str, Any]
    bytes_total: int

    @property
    def rows(self) -> dict[str, int]:
        """Row count per table."""
        return {name: entry["rows"] for name, entry in self.manifest["tables"].items()}

    @property
    def bytes_per_pr(self) -> float:
        """Parquet bytes (all tables) per pull request."""
        prs = self.rows.get("pull_requests", 0)
        return self.bytes_total / prs if prs else 0.0


def snapshot_info(folder: Path) -> SnapshotInfo:
    """Summarise a verified snapshot.

    Args:
        folder: the snapshot folder.

    Returns:
        The manifest and sizes.
    """
    manifest = verify_dataset(folder, "snapshot")
    size = sum((folder / e["file"]).stat().st_size for e in manifest["tables"].values())
    return SnapshotInfo(folder=folder, manifest=manifest, bytes_total=size)


def verify_snapshot(folder: Path) -> dict[str, Any]:
    """Verify checksums, schemas, key order and uniqueness, and typed columns against ``raw``.

    The typed-column check (``prseed/sql/snapshot_raw_check.sql``) runs where raw carries the
    field: PR number/title/created_at/merged_at, review state/submitted_at, commit sha/dates, check
    run start/end. The transform reads the typed columns; the extract derives them from raw.

    Returns:
        The manifest.

    Raises:
        SnapshotError: naming the first problem found.
    """
    manifest = verify_dataset(folder, "snapshot")
    with _connect(folder, manifest, folder, manifest) as con:
        for table, duplicates, misplaced in con.execute(_sql("snapshot_check.sql")).fetchall():
            path = folder / manifest["tables"][table]["file"]
            key = ", ".join(table_key("snapshot", table))
            if duplicates:
                raise SnapshotError(f"{path}: {duplicates} rows share their key ({key}); re-extract")
            if misplaced:
                raise SnapshotError(f"{path}: rows are not sorted by ({key}); re-extract")
        for table, column, disagree in con.execute(_sql("snapshot_raw_check.sql")).fetchall():
            if disagree:
                path = folder / manifest["tables"][table]["file"]
                raise SnapshotError(
                    f"{path}: {disagree} rows have a {column} that disagrees with their raw API object "
                    "(typed columns derive from raw); re-extract"
                )
    return manifest


@dataclass
class SnapshotDiff:
    """PR-level differences between two snapshots (``old`` → ``new``)."""

    added: list[tuple[str, int]] = field(default_factory=list)
    removed: list[tuple[str, int]] = field(default_factory=list)
    changed: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    contributors_added: list[tuple[str, str]] = field(default_factory=list)
    contributors_removed: list[tuple[str, str]] = field(default_factory=list)
    contributors_changed: list[tuple[str, str]] = field(default_factory=list)
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when both snapshots hold the same data."""
        return not (
            self.added
            or self.removed
            or self.changed
            or self.contributors_added
            or self.contributors_removed
            or self.contributors_changed
        )


def diff_snapshots(old: Path, new: Path) -> SnapshotDiff:
    """Compare two verified snapshots PR by PR.

    A PR is *changed* when its own row or any of its commits, reviews, files or check runs
    differ in any column, typed or ``raw`` (the transform reads the typed columns); the parts that
    differ are listed. A contributor is *changed* when any of its columns differs.

    Args:
        old: the snapshot before.
        new: the snapshot after.

    Returns:
        The differences.
    """
    old_manifest = verify_dataset(old, "snapshot")
    new_manifest = verify_dataset(new, "snapshot")
    result = SnapshotDiff(
        rows={
            name: (old_manifest["tables"][name]["rows"], new_manifest["tables"][name]["rows"])
            for name in SNAPSHOT_TABLES
        }
    )
    with _connect(old, old_manifest, new, new_manifest) as con:
        for change, repo, number, part in con.execute(_sql("snapshot_diff.sql")).fetchall():
            if change == "added":
                result.added.append((repo, number))
            elif change == "removed":
                result.removed.append((repo, number))
            else:
                result.changed.setdefault((repo, number), []).append(part)
        sides = {
            "added": result.contributors_added,
            "removed": result.contributors_removed,
            "changed": result.contributors_changed,
        }
        for change, repo, login in con.execute(_sql("contributor_diff.sql")).fetchall():
            sides[change].append((repo, login))
    return result


def _sql(name: str) -> str:
    return read_text("prseed", "sql", name)


@contextmanager
def _connect(
    old: Path, old_manifest: dict[str, Any], new: Path, new_manifest: dict[str, Any]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with ``old_*`` and ``new_*`` views over two snapshots."""
    con = duckdb.connect()
    try:
        for side, folder, manifest in (("old", old, old_manifest), ("new", new, new_manifest)):
            for name in SNAPSHOT_TABLES:
                path = str(folder / manifest["tables"][name]["file"])
                con.execute(f"SET VARIABLE {side}_{name} = ?", [path])
        con.execute(_sql("snapshot_views.sql"))
        yield con
    finally:
        con.close()
