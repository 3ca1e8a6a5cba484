"""Incremental refresh, the I/O shell: the old snapshot read, its kept rows copied into parts.

The old snapshot stays untouched until the new one replaces it
(:func:`prseed.contracts.replace_dir_atomically`): everything here only reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from prseed.extract.refresh import Key, PrState, RefreshPlan, Window
from prseed.extract.workdir import WorkDir

from prseed.contracts import atomic_path, write_parquet
from prseed.errors import SnapshotError
from prseed.snapshots import verify_snapshot

_INDEX_COLUMNS = ["repo", "number", "created_at", "updated_at", "head_sha", "state"]


@dataclass
class OldSnapshot:
    """The snapshot a refresh starts from.

    Attributes:
        path: its folder.
        manifest: its manifest.
        digest: sha256 (hex) of its ``manifest.json`` bytes (the manifest lists every file's
            sha256, so this names the whole snapshot).
        index: its PRs' states by ``(repo, number)``.
    """

    path: Path
    manifest: dict[str, Any]
    digest: str
    index: dict[Key, PrState]

    @property
    def window(self) -> Window:
        """The window it was extracted with."""
        return Window.from_parameters(self.manifest["parameters"])

    def repo_index(self, repo: str) -> dict[int, PrState]:
        """Its PRs of one repository, by number."""
        return {n: s for (r, n), s in self.index.items() if r == repo}


def manifest_digest(folder: Path) -> str:
    """sha256 (hex) of a snapshot's ``manifest.json`` bytes."""
    return hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()


def read_old_snapshot(folder: Path) -> OldSnapshot:
    """Verify a snapshot as ``prseed snapshot verify`` does and index its PRs.

    The whole check (checksums, schemas, key order and uniqueness, typed columns against ``raw``:
    :func:`prseed.snapshots.verify_snapshot`), not only the checksums: a refresh copies the kept
    rows forward, so a row that verify rejects would make the refreshed snapshot fail it too.

    Raises:
        SnapshotError: no snapshot there, or it fails verification.
    """
    manifest = verify_snapshot(folder)
    digest = manifest_digest(folder)
    table = pq.read_table(folder / manifest["tables"]["pull_requests"]["file"], columns=_INDEX_COLUMNS)
    index: dict[Key, PrState] = {}
    for row in table.to_pylist():
        index[(str(row["repo"]), int(row["number"]))] = PrState(
            row["created_at"], row["updated_at"], str(row["head_sha"] or ""), str(row["state"])
        )
    return OldSnapshot(folder, manifest, digest, index)


def _pr_column(table: str) -> str:
    return "number" if table == "pull_requests" else "pr_number"


def _keys_of(batch: pa.Table | pa.RecordBatch, table: str) -> pa.Array:
    """``repo#number`` per row, to match rows against a set of PR keys in one vectorised step."""
    number = pc.cast(batch.column(_pr_column(table)), pa.string())
    return pc.binary_join_element_wise(batch.column("repo"), number, "#")


def _key_text(key: Key) -> str:
    return f"{key[0]}#{key[1]}"


def _row_groups(path: Path) -> Iterator[pa.Table]:
    handle = pq.ParquetFile(path)
    for index in range(handle.metadata.num_row_groups):
        yield handle.read_row_group(index)


def write_kept_parts(
    old: OldSnapshot, keep: Iterable[Key], tables: Iterable[str], work: WorkDir
) -> list[str]:
    """Copy the kept PRs' rows of every PR table into parts of the work folder.

    One part per row group of the old file that holds kept rows (``k000000``...), so memory stays
    bounded by a row group. The rows are the old file's values, unchanged; the final merge sorts
    them in with the fetched PRs' rows.

    Returns:
        The parts written, relative to the work folder.
    """
    wanted = pa.array(sorted(_key_text(k) for k in keep), pa.string())
    written: list[str] = []
    for table in tables:
        if table == "contributors":
            continue
        entry = old.manifest["tables"].get(table)
        if entry is None or not len(wanted):
            continue
        for index, group in enumerate(_row_groups(old.path / entry["file"])):
            kept = group.filter(pc.is_in(_keys_of(group, table), value_set=wanted))
            if kept.num_rows == 0:
                continue
            path = work.part_path(table, f"k{index:06d}")
            write_parquet(kept, path, "snapshot", table)
            written.append(str(path.relative_to(work.path)))
    return written


def write_kept_contributors(old: OldSnapshot, repo: str, path: Path) -> int:
    """Copy one repository's contributors rows from the old snapshot into a part; returns the rows."""
    entry = old.manifest["tables"]["contributors"]
    table = pq.read_table(old.path / entry["file"])
    kept = table.filter(pc.equal(table.column("repo"), repo))
    if kept.num_rows:
        write_parquet(kept, path, "snapshot", "contributors")
    return int(kept.num_rows)


def kept_truncation(old: OldSnapshot, keep: Iterable[Key]) -> list[list[Any]]:
    """``[repo, number, commits_truncated, files_truncated]`` of the kept PRs whose lists were capped."""
    wanted = set(keep)
    table = pq.read_table(
        old.path / old.manifest["tables"]["pull_requests"]["file"],
        columns=["repo", "number", "commits_truncated", "files_truncated"],
    )
    return [
        [r["repo"], r["number"], r["commits_truncated"], r["files_truncated"]]
        for r in table.to_pylist()
        if (r["commits_truncated"] or r["files_truncated"]) and (r["repo"], r["number"]) in wanted
    ]


def kept_refusals(
    old: OldSnapshot, keep: Iterable[Key], contributors_kept: Iterable[str]
) -> list[dict[str, Any]]:
    """The old manifest's refusals that still hold: those of kept PRs, and of kept contributors."""
    wanted = set(keep)
    repos = set(contributors_kept)
    out = []
    for refusal in old.manifest.get("refusals", []):
        number = refusal.get("number")
        if (number is not None and (refusal["repo"], int(number)) in wanted) or (
            number is None and refusal["repo"] in repos
        ):
            out.append(dict(refusal))
    return out


def write_plan(path: Path, plan: RefreshPlan) -> None:
    """Store a plan in the work folder (atomically), so a resumed refresh keeps it."""
    data = {
        "keep": plan.keep,
        "refetch": plan.refetch,
        "add": plan.add,
        "removed": plan.removed,
    }
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


def read_plan(path: Path) -> RefreshPlan:
    """Read a plan :func:`write_plan` stored.

    Raises:
        SnapshotError: unreadable (the work folder was damaged: --fresh starts over).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))

        def keys(items: list[list[Any]]) -> list[Key]:
            return [(str(r), int(n)) for r, n in items]

        return RefreshPlan(
            keep=keys(data["keep"]),
            refetch=keys(data["refetch"]),
            add=keys(data["add"]),
            removed={reason: keys(items) for reason, items in data["removed"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(
            f"{path} is unreadable ({type(exc).__name__}); use --fresh to start over"
        ) from exc
