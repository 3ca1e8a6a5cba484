"""Read-only tools over snapshots: summary, deep verification and diff.

These back ``prseed snapshot info|verify|diff`` so that a snapshot change in a pull request can be
reviewed without opening Parquet files by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from prseed.contracts import SNAPSHOT_TABLES, table_key, verify_dataset
from prseed.errors import SnapshotError

# Child tables whose rows belong to one PR; a change in any of them changes the PR.
_PR_CHILDREN = ("commits", "reviews", "files", "check_runs")


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
    """Verify checksums, schemas, and that every table is sorted and unique on its key.

    Returns:
        The manifest.

    Raises:
        SnapshotError: naming the first problem found.
    """
    manifest = verify_dataset(folder, "snapshot")
    con = duckdb.connect()
    try:
        for name in SNAPSHOT_TABLES:
            key = table_key("snapshot", name)
            cols = ", ".join(f'"{c}"' for c in key)
            path = str(folder / manifest["tables"][name]["file"])
            # Row order is part of the contract (byte-identical output), so check it too.
            row = con.execute(
                f"""
                WITH t AS (
                  SELECT {cols}, file_row_number + 1 AS pos
                  FROM read_parquet(?, file_row_number = true)
                ),
                o AS (SELECT pos, row_number() OVER (ORDER BY {cols}) AS want FROM t)
                SELECT
                  (SELECT count(*) - count(DISTINCT ({cols})) FROM t),
                  (SELECT count(*) FROM o WHERE pos <> want)
                """,
                [path],
            ).fetchone()
            assert row is not None
            duplicates, misplaced = row
            if duplicates:
                raise SnapshotError(
                    f"{path}: {duplicates} duplicate rows on key ({', '.join(key)}); re-extract"
                )
            if misplaced:
                raise SnapshotError(f"{path}: rows are not sorted by ({', '.join(key)}); re-extract")
    finally:
        con.close()
    return manifest


@dataclass
class SnapshotDiff:
    """PR-level differences between two snapshots (``old`` → ``new``)."""

    added: list[tuple[str, int]] = field(default_factory=list)
    removed: list[tuple[str, int]] = field(default_factory=list)
    changed: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    contributors_added: list[tuple[str, str]] = field(default_factory=list)
    contributors_removed: list[tuple[str, str]] = field(default_factory=list)
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when both snapshots hold the same data."""
        return not (
            self.added or self.removed or self.changed or self.contributors_added or self.contributors_removed
        )


def diff_snapshots(old: Path, new: Path) -> SnapshotDiff:
    """Compare two verified snapshots PR by PR.

    A PR is *changed* when its own raw object or any of its commits, reviews, files or check
    runs differ; the parts that differ are listed.

    Args:
        old: the snapshot before.
        new: the snapshot after.

    Returns:
        The differences.
    """
    manifests = {"old": verify_dataset(old, "snapshot"), "new": verify_dataset(new, "snapshot")}
    folders = {"old": old, "new": new}
    result = SnapshotDiff()
    con = duckdb.connect()
    try:
        for side in ("old", "new"):
            for name in SNAPSHOT_TABLES:
                path = str(folders[side] / manifests[side]["tables"][name]["file"])
                con.execute(f"CREATE VIEW {side}_{name} AS SELECT * FROM read_parquet('{_quote(path)}')")
        result.rows = {
            name: (manifests["old"]["tables"][name]["rows"], manifests["new"]["tables"][name]["rows"])
            for name in SNAPSHOT_TABLES
        }
        pr_sql = """
            SELECT repo, number FROM {a}_pull_requests
            ANTI JOIN {b}_pull_requests USING (repo, number) ORDER BY repo, number
        """
        result.added = [(r, n) for r, n in con.execute(pr_sql.format(a="new", b="old")).fetchall()]
        result.removed = [(r, n) for r, n in con.execute(pr_sql.format(a="old", b="new")).fetchall()]

        fingerprints = ["SELECT repo, number, 'pull request' AS part, md5(raw) AS fp FROM {s}_pull_requests"]
        for child in _PR_CHILDREN:
            order = ", ".join(table_key("snapshot", child))
            value = "raw || coalesce(patch, '')" if child == "files" else "raw"
            fingerprints.append(
                f"SELECT repo, pr_number AS number, '{child}' AS part, "
                f"md5(string_agg({value}, chr(10) ORDER BY {order})) AS fp "
                f"FROM {{s}}_{child} GROUP BY repo, pr_number"
            )
        union = " UNION ALL ".join(fingerprints)
        rows = con.execute(
            f"""
            WITH o AS ({union.format(s="old")}), n AS ({union.format(s="new")}),
            common AS (SELECT repo, number FROM old_pull_requests
                       SEMI JOIN new_pull_requests USING (repo, number))
            SELECT repo, number, part
            FROM o FULL OUTER JOIN n USING (repo, number, part)
            SEMI JOIN common USING (repo, number)
            WHERE o.fp IS DISTINCT FROM n.fp
            ORDER BY repo, number, part
            """
        ).fetchall()
        for repo, number, part in rows:
            result.changed.setdefault((repo, number), []).append(part)
        contrib_sql = """
            SELECT repo, login FROM {a}_contributors
            ANTI JOIN {b}_contributors USING (repo, login) ORDER BY repo, login
        """
        result.contributors_added = [
            (r, login) for r, login in con.execute(contrib_sql.format(a="new", b="old")).fetchall()
        ]
        result.contributors_removed = [
            (r, login) for r, login in con.execute(contrib_sql.format(a="old", b="new")).fetchall()
        ]
    finally:
        con.close()
    return result


def _quote(path: str) -> str:
    return path.replace("'", "''")
