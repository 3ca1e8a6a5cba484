"""Durability: the lock on an output, and the work folder with its checkpoint.

``snapshots/.polar.work/`` (a hidden sibling of ``snapshots/polar``) holds the PR list
(``pulls.jsonl``, one PR a line, streamed in and out so it is never held in memory whole), one
Parquet part per finished batch and ``checkpoint.json``; a refresh adds its plan
(``refresh_plan.json``) and the parts of the rows it keeps, and every run the ETags recorded so
far (``etags/``). Every file is written atomically and the checkpoint is written after the parts
it lists, so a ``kill -9`` at any point leaves a state that ``--resume`` continues from, redoing
at most the batch that was running.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prseed.contracts import atomic_path, write_bytes_atomic
from prseed.errors import ConfigError, LockError, SnapshotError

CHECKPOINT_VERSION = 1


def work_dir(out_dir: Path) -> Path:
    """The work folder of an output folder (hidden sibling)."""
    return out_dir.parent / f".{out_dir.name}.work"


def lock_path(out_dir: Path) -> Path:
    """The lock file of an output folder (hidden sibling)."""
    return out_dir.parent / f".{out_dir.name}.lock"


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on an output folder, failing at once if another run holds it.

    The lock file is removed on exit. Because a waiting process may have opened the file just
    before it was removed, a lock is only taken as held once the locked file is still the one at
    the path (same inode); otherwise the process locks the new file instead.

    Raises:
        LockError: another process is extracting into the same folder.
    """
    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle = path.open("a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise LockError(
                f"another prseed extract is writing {out_dir} (lock {path} is held); wait for it to finish"
            ) from exc
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(handle.fileno()).st_ino:
            break
        handle.close()  # the holder removed this file as we opened it: lock the new one
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # still holding the lock, so nobody else is using this file
        handle.close()


@dataclass
class Checkpoint:
    """What an unfinished run has durably done.

    Attributes:
        params: the options that shape the data; a resume must match them.
        batch_size: PRs per batch, fixed at the first run so batches keep their numbers.
        started_at: when the first run started (ISO 8601).
        listed: the PR list is complete in ``pulls.jsonl``.
        done_batches: numbers of finished batches (batch ``i`` holds lines ``i * batch_size`` to
            ``(i + 1) * batch_size - 1`` of ``pulls.jsonl``).
        parts: part files (relative to the work folder) of finished batches and repositories.
        contributors_done: repositories whose contributors are stored.
        truncated: ``[repo, number, commits_truncated, files_truncated]`` of capped PRs.
        list_cursor: where an unfinished listing goes on: ``{"repo": index, "url": page path
            or None for the repository's first page, "bytes": size of the listed items}``.
        refusals: resources GitHub refused for good (manifest ``refusals`` entries).
        redirects: redirects followed: ``[from, to, status]``.
        unicode_repairs: strings made valid Unicode by earlier runs.
        requests: request counts of earlier runs by kind.
        by_resource: request counts of earlier runs by rate-limit resource.
        not_modified: 304 answers of earlier runs.
        retries: retries of earlier runs.
        waits: waits of earlier runs: ``{reason: [count, seconds]}``.
        graphql_page_size: with ``--api graphql``, the adaptive PRs per details query in use
            (a resumed run starts from it).
        graphql: GraphQL cost of earlier runs (queries, points, nodes, heavy, rest_file_lists).
        mode: ``full`` or ``refresh``; "" until the run decided (a new work folder).
        refresh: a refresh's state: ``digest`` (sha256 of the old manifest it started from),
            ``note``, ``listing`` (how each GraphQL repository's PR set was found), ``known``
            (numbers of the PRs the updated listing saw, per repository that fell back to the
            number listing: they exist even if not in the set), ``kept`` (rows of unchanged PRs copied),
            ``prs`` (the plan's counts), ``contributors_kept`` (repositories whose contributors
            list was unchanged).
        list_totals: with GraphQL, each repository's ``[PR total, newest PR number]`` when listed.
    """

    params: dict[str, Any]
    batch_size: int
    started_at: str
    listed: bool = False
    done_batches: list[int] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    contributors_done: list[str] = field(default_factory=list)
    truncated: list[list[Any]] = field(default_factory=list)
    list_cursor: dict[str, Any] | None = None
    refusals: list[dict[str, Any]] = field(default_factory=list)
    redirects: list[list[Any]] = field(default_factory=list)
    unicode_repairs: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    by_resource: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    retries: int = 0
    waits: dict[str, list[float]] = field(default_factory=dict)
    graphql_page_size: int | None = None
    graphql: dict[str, int] = field(default_factory=dict)
    mode: str = ""
    refresh: dict[str, Any] = field(default_factory=dict)
    list_totals: dict[str, list[Any]] = field(default_factory=dict)


class WorkDir:
    """The work folder of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        """Name the work folder of ``out_dir`` (nothing is created yet)."""
        self.out_dir = out_dir
        self.path = work_dir(out_dir)

    @property
    def checkpoint_path(self) -> Path:
        """``checkpoint.json``."""
        return self.path / "checkpoint.json"

    @property
    def pulls_path(self) -> Path:
        """``pulls.jsonl``: the PR list of the run, one ``{"repo", "pull"}`` object a line."""
        return self.path / "pulls.jsonl"

    def part_path(self, table: str, name: str) -> Path:
        """Where a part file of a table goes."""
        return self.path / "parts" / table / f"{name}.parquet"

    def prepare(
        self, params: dict[str, Any], batch_size: int, started_at: str, *, resume: bool, fresh: bool
    ) -> Checkpoint:
        """Start or continue a run.

        Args:
            params: the data-shaping options of this run.
            batch_size: PRs per batch for a new run.
            started_at: now, for a new run.
            resume: continue an existing work folder.
            fresh: discard an existing work folder.

        Returns:
            The checkpoint to continue from (empty for a new run).

        Raises:
            ConfigError: a work folder exists and neither flag was given, or its options differ.
        """
        if fresh and self.path.exists():
            shutil.rmtree(self.path)
        if self.path.exists() and not self._holds_data():
            # Killed before the first checkpoint, or stopped before anything was fetched (a bad
            # token, a typo in the repository): nothing worth keeping, so a corrected run starts.
            shutil.rmtree(self.path)
        pending = self.pending(params, resume=resume, fresh=False)
        if pending is not None:
            self._drop_unlisted_parts(pending)
            return pending
        self.path.mkdir(parents=True)
        checkpoint = Checkpoint(params=params, batch_size=batch_size, started_at=started_at)
        self.write_checkpoint(checkpoint)
        return checkpoint

    def pending(self, params: dict[str, Any], *, resume: bool, fresh: bool) -> Checkpoint | None:
        """The unfinished run a run with these options continues, None if it starts anew; reads only.

        :meth:`prepare` and ``--dry-run`` (which must refuse what the run refuses) both ask it.

        Raises:
            ConfigError: an unfinished run exists and neither flag was given, or its options differ.
            SnapshotError: its checkpoint is unreadable.
        """
        if fresh or not self.path.exists() or not self._holds_data():
            return None
        if not resume:
            raise ConfigError(
                f"an unfinished extract of {self.out_dir} is in {self.path}: "
                "use --resume to continue it or --fresh to discard it"
            )
        checkpoint = self.read_checkpoint()
        if checkpoint.params != params:
            changed = sorted(
                k for k in set(params) | set(checkpoint.params) if params.get(k) != checkpoint.params.get(k)
            )
            raise ConfigError(
                f"the unfinished extract in {self.path} used other options ({', '.join(changed)}); "
                "repeat them with --resume, or use --fresh to start over"
            )
        return checkpoint

    def _holds_data(self) -> bool:
        """Whether the work folder holds fetched data (an unreadable checkpoint counts as data)."""
        if not self.checkpoint_path.is_file():
            return False
        # Any non-empty file besides the checkpoint is fetched data (PRs listed, a part), whatever
        # the checkpoint says so far.
        if any(
            p != self.checkpoint_path and p.is_file() and p.stat().st_size > 0 for p in self.path.rglob("*")
        ):
            return True
        try:
            checkpoint = self.read_checkpoint()
        except SnapshotError:
            return True
        # A listing stopped half-way (its cursor saved page by page) is data too.
        listing = checkpoint.list_cursor is not None
        return bool(checkpoint.listed or listing or checkpoint.parts or checkpoint.contributors_done)

    def read_checkpoint(self) -> Checkpoint:
        """Read ``checkpoint.json``."""
        try:
            data = json.loads(self.checkpoint_path.read_text(encoding="utf-8"))
            if data.pop("version", None) != CHECKPOINT_VERSION:
                raise ValueError("other checkpoint version")
            return Checkpoint(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise SnapshotError(
                f"{self.checkpoint_path} is unreadable ({type(exc).__name__}); use --fresh to start over"
            ) from exc

    def write_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Write ``checkpoint.json`` atomically."""
        data = {"version": CHECKPOINT_VERSION, **asdict(checkpoint)}
        write_bytes_atomic(self.checkpoint_path, json.dumps(data, sort_keys=True).encode())

    @property
    def listed_path(self) -> Path:
        """``pulls.unsorted.jsonl``: the PR list as it arrives, page by page (appended, fsynced)."""
        return self.path / "pulls.unsorted.jsonl"

    def append_listed(self, items: Iterable[dict[str, Any]]) -> int:
        """Append listed ``{"repo", "pull"}`` items durably; returns the file's new size in bytes.

        The size goes into the checkpoint with the listing's cursor, so a resumed listing cuts
        off whatever a killed run appended after its last checkpoint (:meth:`truncate_listed`).
        """
        with self.listed_path.open("ab") as handle:
            handle.writelines(_json_line(item) for item in items)
            handle.flush()
            os.fsync(handle.fileno())
            return handle.tell()

    def truncate_listed(self, size: int) -> None:
        """Cut the listed items back to ``size`` bytes (the last checkpointed page)."""
        with self.listed_path.open("ab") as handle:
            handle.truncate(size)

    def listed_numbers(self, repo: str) -> set[int]:
        """Numbers of the PRs of a repository listed so far (to resume its listing)."""
        numbers: set[int] = set()
        if self.listed_path.is_file():
            with self.listed_path.open("rb") as handle:
                for line in handle:
                    item = json.loads(line)
                    if item["repo"] == repo:
                        numbers.add(int(item["pull"]["number"]))
        return numbers

    def finish_listing(self) -> int:
        """Store the listed PRs sorted by (repo, number) in ``pulls.jsonl``, atomically.

        Only (repo, number, offset) per PR is held while sorting; the lines are then copied in
        key order. Fetching in key order makes every batch's parts cover a key range of their
        own, so the final merge only has to concatenate them (see :mod:`extract.snapshot`). A PR
        listed twice (GitHub's pages shift when a PR is opened during the listing) is kept once:
        the later copy, which is the newer state.

        Returns:
            How many PRs were stored.
        """
        index: list[tuple[str, int, int]] = []
        if self.listed_path.is_file():
            with self.listed_path.open("rb") as handle:
                offset = 0
                for line in handle:
                    item = json.loads(line)
                    index.append((str(item["repo"]), int(item["pull"]["number"]), offset))
                    offset += len(line)
        index.sort()
        count = 0
        with atomic_path(self.pulls_path) as tmp, tmp.open("wb") as out:
            if index:
                with self.listed_path.open("rb") as source:
                    for position, (repo, number, offset) in enumerate(index):
                        following = index[position + 1] if position + 1 < len(index) else None
                        if following is not None and following[:2] == (repo, number):
                            continue  # a later copy of the same PR follows: it wins
                        source.seek(offset)
                        out.write(source.readline())
                        count += 1
        self.listed_path.unlink(missing_ok=True)
        return count

    def write_pulls(self, pulls: Iterable[dict[str, Any]]) -> int:
        """Store a whole PR list at once: :meth:`append_listed` then :meth:`finish_listing`."""
        self.listed_path.unlink(missing_ok=True)
        self.append_listed(pulls)
        return self.finish_listing()

    def drop_pulls(self, keys: Container[tuple[str, int]]) -> int:
        """Remove the PRs of ``keys`` from the stored list, atomically (a refresh keeps their rows).

        Idempotent: a resumed refresh may run it again.

        Returns:
            How many PRs the list keeps.
        """
        count = 0
        with atomic_path(self.pulls_path) as tmp, tmp.open("wb") as out, self.pulls_path.open("rb") as source:
            for line in source:
                item = json.loads(line)
                if (str(item["repo"]), int(item["pull"]["number"])) in keys:
                    continue
                out.write(line)
                count += 1
        return count

    def read_pulls(self) -> Iterator[dict[str, Any]]:
        """The stored PR list, item by item."""
        with self.pulls_path.open("rb") as handle:
            for line in handle:
                yield json.loads(line)

    def count_pulls(self) -> int:
        """How many PRs the stored list holds (read line by line)."""
        with self.pulls_path.open("rb") as handle:
            return sum(1 for _ in handle)

    def read_pull_batches(
        self, size: int, skip: Container[int] = ()
    ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """Read the stored PR list batch by batch; only one batch is in memory at a time.

        Args:
            size: PRs per batch.
            skip: batch numbers not to parse (finished ones); their lines are only counted.

        Yields:
            ``(batch number, items)``.
        """
        index, pending = 0, 0
        batch: list[dict[str, Any]] = []
        with self.pulls_path.open("rb") as handle:
            for line in handle:
                if index not in skip:
                    batch.append(json.loads(line))
                pending += 1
                if pending == size:
                    if index not in skip:
                        yield index, batch
                    index, pending, batch = index + 1, 0, []
        if pending and index not in skip:
            yield index, batch

    def discard_if_empty(self) -> bool:
        """Delete the work folder if it holds no fetched data (a run that failed before any).

        Takes the output's lock first and does nothing when another run holds it.

        Returns:
            Whether the folder was removed.
        """
        if not self.path.exists():
            return False
        try:
            with output_lock(self.out_dir):
                if self._holds_data():
                    return False
                shutil.rmtree(self.path, ignore_errors=True)
                return True
        except LockError:
            return False

    def remove(self) -> None:
        """Delete the work folder (after the snapshot is in place)."""
        shutil.rmtree(self.path, ignore_errors=True)

    def _drop_unlisted_parts(self, checkpoint: Checkpoint) -> None:
        # A part written just before a kill, with its batch not yet checkpointed, is redone.
        listed = {self.path / p for p in checkpoint.parts}
        for part in (self.path / "parts").glob("*/*.parquet"):
            if part not in listed:
                os.unlink(part)


def _json_line(item: Any) -> bytes:
    # Canonical and on one line: json.dumps escapes every control character, newlines included.
    return (json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
