"""Read-only tools over snapshots: summary, deep verification and diff.

These back ``prseed snapshot info|verify|diff`` so that a snapshot change in a pull request can be
reviewed without opening Parquet files by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from prseed.contracts import (
    ALL_SNAPSHOT_TABLES,
    COMMENT_TABLES,
    ETAGS_DIR,
    SNAPSHOT_TABLES,
    arrow_schema,
    has_comments,
    table_key,
    verify_dataset,
)
from prseed.errors import SnapshotError
from prseed.resources import read_text


@dataclass(frozen=True)
class SnapshotInfo:
    """What ``prseed snapshot info`` shows."""

    folder: Path
    manifest: dict[str, Any]
    bytes_total: int
    etag_files: int = 0
    etag_bytes: int = 0

    @property
    def rows(self) -> dict[str, int]:
        """Row count per table."""
        return {name: entry["rows"] for name, entry in self.manifest["tables"].items()}

    @property
    def comments_note(self) -> str | None:
        """Why the snapshot has no comments (None when it has them)."""
        if has_comments(self.manifest):
            return None
        return (
            f"this snapshot has no comment tables (schema version {self.manifest['schema_version']}: "
            "extracted without comments, or by an older prseed): metrics_prcomment stays empty and "
            "total_comments NULL; re-extract with a prseed that extracts comments to fill them"
        )

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
    files, cache = _etag_cache(folder)
    return SnapshotInfo(
        folder=folder, manifest=manifest, bytes_total=size, etag_files=files, etag_bytes=cache
    )


def _etag_cache(folder: Path) -> tuple[int, int]:
    """Files and bytes of the snapshot's ETag side folder (a cache: only counted, never read)."""
    try:
        files = [p for p in (folder / ETAGS_DIR).iterdir() if p.name.endswith(".json") and p.is_file()]
        return len(files), sum(p.stat().st_size for p in files)
    except OSError:
        return 0, 0


def lineage_lines(manifest: Mapping[str, Any]) -> list[str]:
    """What a refresh did, from a manifest's ``lineage`` (no lines for a full extraction).

    Three lines: where the snapshot came from and what happened to its PRs, the cost and the
    estimated saving, and how each repository's PR set was found.
    """
    lineage = manifest.get("lineage")
    if not lineage:
        return []
    previous = lineage["previous"]
    window = previous["window"]
    prs = lineage["prs"]
    by = prs["removed_by"]
    spent = lineage["spent"]
    saved = lineage.get("saved_estimate")
    listing = ", ".join(f"{repo}: {how}" for repo, how in lineage.get("listing", {}).items())
    kept = lineage.get("contributors_kept") or []
    return [
        f"refreshed    from {previous['digest'][:12]} ({window.get('since') or '-'} .. "
        f"{window.get('until') or '-'}, {previous['prs']} PRs, finished {previous['finished_at']}): "
        f"kept {prs['kept']}, refetched {prs['refetched']}, added {prs['added']}, removed "
        f"{prs['removed']} (deleted {by['deleted']}, aged out {by['aged_out']}, "
        f"state/max-prs {by['state_or_max_prs']})",
        f"  cost       {spent['requests']:,} requests, {spent['points']:,} points; "
        + (
            f"saved about {saved['requests']:,} requests and {saved['points']:,} points against a full "
            "extraction (at the last full extraction's cost per PR)"
            if saved
            else "saving unknown (the snapshot's last full extraction cost was not recorded)"
        ),
        f"  listing    {listing}; contributors kept: {', '.join(kept) or 'none'}",
    ]


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
    for table in COMMENT_TABLES:
        if table in manifest["tables"]:
            _check_key_order(folder / manifest["tables"][table]["file"], table)
    return manifest


def _check_key_order(path: Path, table: str) -> None:
    """The same check as ``snapshot_check.sql`` for a table that not every version has."""
    key = ", ".join(table_key("snapshot", table))
    con = duckdb.connect()
    try:
        con.execute("SET VARIABLE path = ?", [str(path)])
        # key columns come from our own schema, never from data
        duplicates, misplaced = con.execute(
            f"""
            WITH placed AS (
                SELECT file_row_number AS pos, row_number() OVER (ORDER BY {key}) - 1 AS want,
                       count(*) OVER (PARTITION BY {key}) AS copies
                FROM read_parquet(getvariable('path'), file_row_number = true)
            )
            SELECT count(*) FILTER (WHERE copies > 1), count(*) FILTER (WHERE pos <> want) FROM placed
            """
        ).fetchall()[0]
    finally:
        con.close()
    if duplicates:
        raise SnapshotError(f"{path}: {duplicates} rows share their key ({key}); re-extract")
    if misplaced:
        raise SnapshotError(f"{path}: rows are not sorted by ({key}); re-extract")


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
            name: (_rows(old_manifest, name), _rows(new_manifest, name))
            for name in ALL_SNAPSHOT_TABLES
            if name in old_manifest["tables"] or name in new_manifest["tables"]
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


def _rows(manifest: dict[str, Any], table: str) -> int:
    entry = manifest["tables"].get(table)
    return int(entry["rows"]) if entry else 0


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
        for side, folder, manifest in (("old", old, old_manifest), ("new", new, new_manifest)):
            for name in COMMENT_TABLES:
                # A version-1 snapshot has no comments: an empty table of the contract's columns.
                entry = manifest["tables"].get(name)
                if entry is not None:
                    con.execute(f"SET VARIABLE {side}_{name} = ?", [str(folder / entry["file"])])
                    con.execute(
                        f"CREATE VIEW {side}_{name} AS SELECT * FROM "
                        f"read_parquet(getvariable('{side}_{name}'), file_row_number = true)"
                    )
                else:
                    con.register(f"empty_{name}", arrow_schema("snapshot", name).empty_table())
                    # file_row_number too, like the views over real files (the diff excludes it)
                    con.execute(
                        f"CREATE TABLE {side}_{name} AS SELECT *, 0::BIGINT AS file_row_number "
                        f"FROM empty_{name}"
                    )
                    con.unregister(f"empty_{name}")
        yield con
    finally:
        con.close()


#: PRs listed per project in a changes summary before "... and N more".
CHANGES_LISTED = 25
#: Characters of a changes summary at most: GitHub caps a pull request body at 65,536.
CHANGES_MAX_CHARS = 60_000


@dataclass(frozen=True)
class FolderChange:
    """How one project's snapshot folder differs between two snapshot roots.

    Attributes:
        key: the folder (project key).
        diff: the PR-level differences; for a new snapshot, against nothing (all added).
        new: the old root has no snapshot of this project.
        prs: PRs in the old and the new snapshot.
    """

    key: str
    diff: SnapshotDiff
    new: bool
    prs: tuple[int, int]


def snapshot_changes(old_root: Path, new_root: Path) -> list[FolderChange]:
    """Compare every snapshot under ``new_root`` with the same project's under ``old_root``.

    Folders of ``new_root`` without a manifest (a failed extract) are left out.

    Args:
        old_root: the folder holding the snapshots before (e.g. the repository's ``snapshots/``).
        new_root: the folder holding the refreshed snapshots (one subfolder per project).

    Returns:
        One entry per snapshot of ``new_root``, by key.
    """
    changes = []
    for folder in sorted(p for p in new_root.iterdir() if (p / "manifest.json").is_file()):
        old = old_root / folder.name
        if (old / "manifest.json").is_file():
            diff = diff_snapshots(old, folder)
            changes.append(FolderChange(folder.name, diff, False, diff.rows["pull_requests"]))
        else:
            manifest = verify_dataset(folder, "snapshot")
            prs = sorted((r["repo"], int(r["number"])) for r in _pull_keys(folder, manifest))
            people = sorted(_contributor_keys(folder, manifest))
            rows = {name: (0, entry["rows"]) for name, entry in manifest["tables"].items()}
            diff = SnapshotDiff(added=prs, contributors_added=people, rows=rows)
            changes.append(FolderChange(folder.name, diff, True, (0, len(prs))))
    return changes


def _pull_keys(folder: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    path = str(folder / manifest["tables"]["pull_requests"]["file"])
    con = duckdb.connect()
    try:
        result = con.execute("SELECT repo, number FROM read_parquet(?)", [path]).fetchall()
    finally:
        con.close()
    return [{"repo": repo, "number": number} for repo, number in result]


def _contributor_keys(folder: Path, manifest: dict[str, Any]) -> list[tuple[str, str]]:
    path = str(folder / manifest["tables"]["contributors"]["file"])
    con = duckdb.connect()
    try:
        result = con.execute("SELECT repo, login FROM read_parquet(?)", [path]).fetchall()
    finally:
        con.close()
    return [(str(repo), str(login)) for repo, login in result]


#: The statuses of a multi-project extract's outcomes (prseed/multi.py ``Outcome.status``).
OUTCOME_STATUSES = ("extracted", "skipped", "failed", "not run")


def outcomes_problem(data: Any) -> str | None:
    """What makes parsed JSON not an outcome list of ``prseed extract --json`` (several projects), or None.

    The list ``[{"project", "status", "exit_code", "error", "summary"}, ...]``; anything else
    (an object, a list of other objects) would report every project unchanged, so it is refused.
    """
    if not isinstance(data, list):
        return f"a JSON {type(data).__name__.replace('dict', 'object')}, not a list of project outcomes"
    for i, item in enumerate(data, 1):
        if not isinstance(item, Mapping):
            return f"item {i} is not an object"
        if not isinstance(item.get("project"), str):
            return f"item {i} has no project"
        if item.get("status") not in OUTCOME_STATUSES:
            return f"item {i} ({item['project']}) has no status among {', '.join(OUTCOME_STATUSES)}"
    return None


def failed_projects(outcomes: Iterable[Any]) -> dict[str, str]:
    """The projects that failed in ``prseed extract --json`` outcome lists: key -> why (one line).

    Args:
        outcomes: the ``--json`` output of a multi-project extract (``project``, ``status``,
            ``exit_code``, ``error``), one or more shards' lists concatenated.
    """
    failed = {}
    for outcome in outcomes:
        if isinstance(outcome, Mapping) and outcome.get("status") in ("failed", "not run"):
            why = str(outcome.get("error") or outcome.get("status"))
            failed[str(outcome["project"])] = f"exit {outcome.get('exit_code')}: {why}"
    return failed


def changes_markdown(
    changes: list[FolderChange],
    title: str = "Snapshot refresh",
    failed: Mapping[str, str] | None = None,
) -> str:
    """A Markdown summary of snapshot changes (the refresh workflow's pull-request body).

    The projects whose extract failed first (their folders keep the committed snapshot, so a
    diff would call them unchanged), then a table with one row per changed or new snapshot (PRs
    before and after, added, changed, removed, contributors), the unchanged ones in one line,
    then per project the PRs that changed (at most :data:`CHANGES_LISTED` each, in a collapsed
    section, while the text stays under :data:`CHANGES_MAX_CHARS`).

    Args:
        changes: :func:`snapshot_changes`.
        title: the heading.
        failed: project key -> why its extract failed (:func:`failed_projects`).
    """
    failed = dict(failed or {})
    changes = [c for c in changes if c.key not in failed]
    changed = [c for c in changes if c.new or not c.diff.empty]
    same = [c.key for c in changes if not c.new and c.diff.empty]
    lines = [f"## {title}", ""]
    if not changes and not failed:
        return "\n".join([*lines, "No snapshot was refreshed.", ""])
    lines.append(
        f"{len(changes) + len(failed)} projects: {sum(c.new for c in changes)} new, "
        f"{sum(not c.new for c in changed)} changed, {len(same)} unchanged"
        + (f", {len(failed)} failed." if failed else ".")
    )
    if failed:
        kept = "their committed snapshots stay as they are; the workflow log says more"
        lines += ["", f"**Failed** ({kept}):", ""]
        lines += [f"- {key}: {failed[key]}" for key in sorted(failed)]
    if changed:
        lines += [
            "",
            "| project | PRs | added | changed | removed | contributors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for c in changed:
            d = c.diff
            name = f"{c.key} (new)" if c.new else c.key
            people = f"+{len(d.contributors_added)} / -{len(d.contributors_removed)}"
            lines.append(
                f"| {name} | {c.prs[0]:,} → {c.prs[1]:,} | {len(d.added):,} | {len(d.changed):,} "
                f"| {len(d.removed):,} | {people} |"
            )
    if same:
        lines += ["", f"Unchanged: {', '.join(same)}."]
    tail = ["", "Review one project locally with `prseed snapshot diff OLD NEW`."]
    left_out = 0
    for c in changed:
        if c.new:
            continue
        entries = (
            [f"- added {r}#{n}" for r, n in c.diff.added]
            + [f"- changed {r}#{n}: {', '.join(parts)}" for (r, n), parts in c.diff.changed.items()]
            + [f"- removed {r}#{n}" for r, n in c.diff.removed]
        )
        if not entries:
            continue
        shown = entries[:CHANGES_LISTED]
        if len(entries) > len(shown):
            shown.append(f"- ... and {len(entries) - len(shown):,} more")
        section = ["", f"<details><summary>{c.key}: PRs that changed</summary>", "", *shown, "", "</details>"]
        if len("\n".join([*lines, *section, *tail])) > CHANGES_MAX_CHARS - 200:
            left_out += 1
            continue
        lines += section
    if left_out:
        lines += [
            "",
            f"The PR lists of {left_out} more projects are left out (pull request bodies are capped).",
        ]
    return "\n".join([*lines, *tail]) + "\n"
