"""The extract stage's configuration, result and progress types (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class ExtractConfig:
    """Everything one extract run needs; built by the CLI, never read from the environment here.

    Attributes:
        project: the project block (``Project.manifest_block()``): key, repos, team, max_members...
        out_dir: the snapshot folder itself, e.g. ``snapshots/polar``.
        tokens: GitHub tokens (a pool when several); never logged or written.
        api_url: REST base; GitHub Enterprise Server: ``https://HOST/api/v3``.
        max_prs: keep at most this many PRs per repository (the most recently created).
        since: keep PRs created on or after this day (UTC); the CLI computes it once.
        until: keep PRs created on or before this day (UTC).
        state: ``all``, ``open`` or ``closed``.
        resume: continue the unfinished run in the work folder.
        fresh: discard an unfinished run's work folder first.
        with_patches: keep file patches in ``files.patch``.
        commit_stats: fetch each commit's additions/deletions (one request per commit).
        max_workers: requests in flight at once.
        batch_size: PRs per durable batch.
        batch_delay: seconds of pause between batches.
        max_retries: retries of one request after transient failures before giving up.
        points_per_minute: pacing ceiling for REST requests.
        secondary_min_wait: minimum wait after a secondary limit without ``retry-after``.
        connect_timeout: seconds to connect.
        read_timeout: seconds between received bytes.
        backoff_base: first backoff after a transient failure (doubles per attempt).
        synthetic: the data comes from the fake GitHub (recorded in the manifest).
    """

    project: dict[str, Any]
    out_dir: Path
    tokens: tuple[str, ...] = ()
    api_url: str = "https://api.github.com"
    max_prs: int | None = None
    since: date | None = None
    until: date | None = None
    state: str = "all"
    resume: bool = False
    fresh: bool = False
    with_patches: bool = False
    commit_stats: bool = True
    max_workers: int = 3
    batch_size: int = 10
    batch_delay: float = 1.0
    max_retries: int = 6
    points_per_minute: int = 900
    secondary_min_wait: float = 60.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    backoff_base: float = 0.5
    synthetic: bool = False

    def __repr__(self) -> str:
        # Tokens must never show up in a traceback or a log line.
        return f"ExtractConfig(project={self.project.get('key')!r}, out_dir={self.out_dir!s}, ...)"


@dataclass(frozen=True)
class Progress:
    """One progress report.

    Attributes:
        phase: ``listing``, ``pulls``, ``contributors``, ``writing`` or ``done``.
        prs_done: PRs fully fetched (including earlier runs when resuming).
        prs_total: PRs to fetch (0 while listing).
        requests: requests sent by this run so far.
        budget_left: known primary budget left over all tokens (None before any answer).
        wait_reason: why the run is waiting now (``primary``, ``secondary``, ``backoff``), or "".
        wait_seconds: how long that wait lasts.
    """

    phase: str
    prs_done: int
    prs_total: int
    requests: int
    budget_left: int | None
    wait_reason: str = ""
    wait_seconds: float = 0.0


class ProgressSink(Protocol):
    """Receives progress reports (the CLI draws them; may be called from worker threads)."""

    def __call__(self, progress: Progress) -> None:
        """Report progress."""


@dataclass(frozen=True)
class ExtractResult:
    """What a finished run did, for the CLI's end summary.

    Attributes:
        out_dir: the snapshot folder written.
        counts: rows per snapshot table.
        prs: pull requests in the snapshot.
        requests: requests sent (all runs of a resumed extract together).
        requests_by_kind: the same by kind.
        retries: retried requests.
        waits: rate-limit and backoff waits (without routine pacing).
        wait_seconds: their total duration.
        truncated_prs: ``(repo, number)`` of PRs whose commit or file list GitHub capped.
        seconds: wall time of this run.
        manifest: the manifest written.
        refusals: resources GitHub refused for good, as the manifest lists them (repo, number,
            endpoint, target, status, reason, effect).
        redirects: redirects followed (from, to, status).
        unicode_repairs: strings made valid Unicode before they were stored.
    """

    out_dir: Path
    counts: dict[str, int]
    prs: int
    requests: int
    requests_by_kind: dict[str, int]
    retries: int
    waits: int
    wait_seconds: float
    truncated_prs: list[tuple[str, int]]
    seconds: float
    manifest: dict[str, Any] = field(repr=False)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    redirects: list[dict[str, Any]] = field(default_factory=list)
    unicode_repairs: int = 0

    @property
    def requests_per_pr(self) -> float:
        """Requests per PR, without the per-commit stats calls and free /rate_limit calls."""
        other = self.requests_by_kind.get("commit", 0) + self.requests_by_kind.get("rate-limit", 0)
        return (self.requests - other) / self.prs if self.prs else 0.0
