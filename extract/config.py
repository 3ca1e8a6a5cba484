"""The extract stage's configuration, result and progress types (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from prseed.declare import cli

DEFAULT_API_URL = "https://api.github.com"


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
        full: never refresh: extract everything even over a refreshable snapshot.
        overlap: days of overlap below the old snapshot's high-water mark (GraphQL refresh).
        with_patches: keep file patches in ``files.patch``.
        commit_stats: fetch each commit's additions/deletions (one request per commit).
        comments: fetch review and conversation comments (tables review_comments, issue_comments).
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
        api: ``graphql`` (PR detail through GraphQL; contributors stay REST) or ``rest``; None
            (not given) is ``rest`` here, while the CLI makes GraphQL the default with a token.
    """

    project: dict[str, Any]
    out_dir: Path = field(
        metadata=cli(
            "The snapshot folder (default snapshots/<project>); with several projects the folder "
            "that holds one per project (default snapshots).",
            flag="--out",
            metavar="DIR",
        )
    )
    tokens: tuple[str, ...] = ()
    api_url: str = field(
        default=DEFAULT_API_URL,
        metadata=cli(
            "REST base; GitHub Enterprise Server: https://HOST/api/v3 (env GITHUB_API_URL).",
            envvar="GITHUB_API_URL",
        ),
    )
    max_prs: int | None = field(
        default=None,
        metadata=cli(
            "Keep the N most recently created PRs of the window (per repository). "
            "Default: the project's max_prs.",
            min=1,
        ),
    )
    since: date | None = field(
        default=None,
        metadata=cli("First day of the window (created_at, UTC). Default: today - the project's days_back."),
    )
    until: date | None = field(default=None, metadata=cli("Last day of the window (created_at, UTC)."))
    state: str = field(
        default="all", metadata=cli("Which PRs to keep, by state.", choices=("all", "open", "closed"))
    )
    resume: bool = field(default=False, metadata=cli("Continue an interrupted extract."))
    fresh: bool = field(default=False, metadata=cli("Discard an interrupted extract and start over."))
    full: bool = field(
        default=False,
        metadata=cli(
            "Extract everything again even when the output folder holds a snapshot that could be "
            "refreshed (by default only new and changed PRs are fetched; README, Refreshing a snapshot)."
        ),
    )
    overlap: float = field(
        default=1.0,
        metadata=cli(
            "GraphQL refresh: also list PRs updated up to this many days before the old snapshot's "
            "newest update (covers changes made while the old run was fetching).",
            min=0,
            metavar="DAYS",
        ),
    )
    with_patches: bool = field(default=False, metadata=cli("Keep file diffs (files.patch)."))
    commit_stats: bool = field(
        default=True,
        metadata=cli(
            "Fetch additions/deletions of every commit (one request per commit).",
            flag="--commit-stats/--no-commit-stats",
        ),
    )
    comments: bool = field(
        default=True,
        metadata=cli(
            "Fetch each PR's review and conversation comments (snapshot version 2; two more "
            "requests per PR in REST).",
            flag="--comments/--no-comments",
        ),
    )
    max_workers: int = field(default=3, metadata=cli("Requests in flight at once.", min=1))
    batch_size: int = field(
        default=10, metadata=cli("PRs per durable batch (what --resume redoes at most).", min=1)
    )
    batch_delay: float = field(default=1.0, metadata=cli("Seconds of pause between batches.", min=0))
    max_retries: int = field(
        default=6, metadata=cli("Retries of one request after transient failures before giving up.", min=0)
    )
    points_per_minute: int = field(
        default=900,
        metadata=cli(
            "Pacing ceiling: at most N REST requests per minute over all workers and tokens "
            "(GitHub's secondary rate limit allows 900 points per minute). Lower it to share the budget "
            "with other tools; raise it only for a GitHub Enterprise Server with other limits or a "
            "local fake server.",
            min=1,
        ),
    )
    api: str | None = field(
        default=None,
        metadata=cli(
            "GitHub API for the PR data: graphql (about 0.1 rate-limit points per PR) or rest. "
            "Default: the API of the snapshot being refreshed (a refresh keeps it); else graphql "
            "with a token, rest without (README, GraphQL and REST).",
            choices=("graphql", "rest"),
        ),
    )
    secondary_min_wait: float = 60.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    backoff_base: float = 0.5
    synthetic: bool = False

    @property
    def api_used(self) -> str:
        """The API the PR data comes from: ``api``, or ``rest`` when not given (the CLI gives it)."""
        return self.api or "rest"

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
        mode: ``full`` (everything fetched) or ``refresh`` (an old snapshot brought up to date).
        mode_note: one line on why a run that could have been a refresh was a full one ("" if none).
        warnings: one line per thing the run ignored and went on without, e.g. a damaged or
            mismatched file of the snapshot's ETag store (``etags/``: a cache, refetched).
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
    mode: str = "full"
    mode_note: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def requests_per_pr(self) -> float:
        """Requests per PR, without the per-commit stats calls and free /rate_limit calls."""
        other = self.requests_by_kind.get("commit", 0) + self.requests_by_kind.get("rate-limit", 0)
        return (self.requests - other) / self.prs if self.prs else 0.0
