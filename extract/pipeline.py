"""The extract run: list PRs, fetch them batch by batch, merge, publish the snapshot.

This is the I/O shell. Fetching is in :mod:`extract.github`, row mapping in :mod:`extract.rows`,
durability in :mod:`extract.workdir`, Parquet in :mod:`extract.snapshot`.
"""

from __future__ import annotations

import copy
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prseed.extract import github, rows
from prseed.extract.config import ExtractConfig, ExtractResult, Progress, ProgressSink
from prseed.extract.governor import Governor
from prseed.extract.graphql.run import GraphQLMode, batch_size
from prseed.extract.http import Client, check_api_url, is_loopback
from prseed.extract.memory import release_free_memory
from prseed.extract.snapshot import merge_table, write_part
from prseed.extract.workdir import Checkpoint, WorkDir, output_lock

from prseed import __version__
from prseed.contracts import (
    SNAPSHOT_TABLES,
    dumps_manifest,
    replace_dir_atomically,
    snapshot_version,
    validate,
    write_bytes_atomic,
)
from prseed.errors import ConfigError

PR_TABLES = ("pull_requests", "commits", "reviews", "files", "check_runs")


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def data_params(config: ExtractConfig) -> dict[str, Any]:
    """The options that shape the data (the manifest's ``parameters``; never the token)."""
    return {
        "repos": list(config.project["repos"]),
        "max_prs": config.max_prs,
        "since": config.since.isoformat() if config.since else None,
        "until": config.until.isoformat() if config.until else None,
        "state": config.state,
        "with_patches": config.with_patches,
        "commit_stats": config.commit_stats,
        "max_members": int(config.project["max_members"]),
        "api_host": urlsplit(config.api_url).hostname or "",
        "api": config.api_used,
    }


def check_config(config: ExtractConfig) -> None:
    """Reject unusable options before anything is touched.

    Raises:
        ConfigError: naming the option and the fix.
    """
    if not config.tokens and not is_loopback(config.api_url):
        raise ConfigError(
            "no GitHub token: set GITHUB_TOKEN (or GITHUB_SEEDING_TOKENS=tok1,tok2 for a pool), e.g. in .env"
        )
    check_api_url(config.api_url, bool(config.tokens))
    if config.api_used not in ("rest", "graphql"):
        raise ConfigError(f"--api {config.api!r} must be graphql or rest")
    if config.state not in ("all", "open", "closed"):
        raise ConfigError(f"--state {config.state!r} must be all, open or closed")
    for name in ("max_workers", "batch_size"):
        if getattr(config, name) < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1")
    if config.max_retries < 0 or config.batch_delay < 0:
        raise ConfigError("--max-retries and --batch-delay must not be negative")
    if config.max_prs is not None and config.max_prs < 1:
        raise ConfigError("--max-prs must be at least 1")
    if config.since and config.until and config.since > config.until:
        raise ConfigError(f"--since {config.since} is after --until {config.until}")
    if not config.project.get("repos"):
        raise ConfigError("the project lists no repositories")


@dataclass
class _Reporter:
    """Forwards progress to the sink with the latest numbers (callable from any thread)."""

    sink: ProgressSink | None
    client: Client | None = None
    phase: str = "listing"
    done: int = 0
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def report(self, wait_reason: str = "", wait_seconds: float = 0.0) -> None:
        if self.sink is None or self.client is None:
            return
        with self.lock:
            self.sink(
                Progress(
                    phase=self.phase,
                    prs_done=self.done,
                    prs_total=self.total,
                    requests=self.client.counters.total,
                    budget_left=self.client.governor.budget_left(),
                    wait_reason=wait_reason,
                    wait_seconds=wait_seconds,
                )
            )


@dataclass
class _PrJob:
    """Everything fetched for one PR while its batch runs (API objects only until it is complete)."""

    repo: str
    pull: dict[str, Any]
    parts: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    detail_pending: int = 0
    needs_pull_detail: bool = False
    rows: dict[str, list[rows.Row]] | None = None

    @property
    def number(self) -> int:
        return int(self.pull["number"])

    @property
    def head_sha(self) -> str | None:
        sha = (self.pull.get("head") or {}).get("sha")
        return str(sha) if sha else None


class _BatchRunner:
    """Fetches the PRs of one batch with a shared thread pool, request by request.

    Work is split per request (not per PR) so the workers stay busy until the batch is done:
    each PR starts with its commits, files, reviews and check-runs lists; a finished commits
    list adds one detail request per commit (commit stats); a list that reached GitHub's cap
    adds the PR detail request for the true counts. A finished PR is turned into rows at once
    and its API objects are dropped, so a batch holds few objects at a time.
    """

    def __init__(
        self, client: Client, pool: ThreadPoolExecutor, config: ExtractConfig, on_pr_done: Callable[[], None]
    ) -> None:
        self.client = client
        self.pool = pool
        self.config = config
        self.on_pr_done = on_pr_done

    def run(self, batch: list[dict[str, Any]]) -> dict[str, list[rows.Row]]:
        jobs = [_PrJob(item["repo"], item["pull"]) for item in batch]
        pending: dict[Future[Any], tuple[_PrJob, str, str]] = {}

        def submit(job: _PrJob, kind: str, fn: Callable[..., Any], *args: Any) -> None:
            pending[self.pool.submit(fn, self.client, *args)] = (job, kind, str(args[-1]))

        for job in jobs:
            submit(job, "commits", github.fetch_pr_commits, job.repo, job.number)
            submit(job, "files", github.fetch_pr_files, job.repo, job.number)
            submit(job, "reviews", github.fetch_pr_reviews, job.repo, job.number)
            if job.head_sha:
                submit(job, "check_runs", github.fetch_check_runs, job.repo, job.head_sha)
            else:
                job.parts["check_runs"] = []
        try:
            while pending:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in finished:
                    job, kind, arg = pending.pop(future)
                    value = future.result()
                    self._store(job, kind, arg, value, submit)
                    del value
                    if self._complete(job):
                        job.rows = self._rows(job)
                        job.parts.clear()
                        job.stats.clear()
                        self.on_pr_done()
        except BaseException:
            for future in pending:
                future.cancel()
            wait(list(pending))
            raise
        out: dict[str, list[rows.Row]] = {t: [] for t in PR_TABLES}
        for job in jobs:
            assert job.rows is not None
            for table, table_rows in job.rows.items():
                out[table].extend(table_rows)
        return out

    def _store(self, job: _PrJob, kind: str, arg: str, value: Any, submit: Callable[..., None]) -> None:
        if kind == "commit":
            # Only the stats are used: the rest of a commit detail (its files) is dropped at once.
            job.stats[arg] = (value or {}).get("stats")
            job.detail_pending -= 1
            return
        if kind == "pull":
            job.parts["pull"] = value
            return
        job.parts[kind] = value
        if kind == "commits" and self.config.commit_stats:
            for commit in value:
                job.detail_pending += 1
                submit(job, "commit", github.fetch_commit_detail, job.repo, commit["sha"])
        if kind == "commits" and len(value) >= rows.COMMITS_CAP:
            job.needs_pull_detail = True
        if kind == "files" and len(value) >= rows.FILES_CAP:
            job.needs_pull_detail = True
        if (
            job.needs_pull_detail
            and "pull" not in job.parts
            and "commits" in job.parts
            and "files" in job.parts
        ):
            job.parts["pull"] = None
            submit(job, "pull", github.fetch_pull_detail, job.repo, job.number)

    @staticmethod
    def _complete(job: _PrJob) -> bool:
        if job.rows is not None:
            return False
        lists = all(k in job.parts for k in ("commits", "files", "reviews", "check_runs"))
        detail_done = not job.needs_pull_detail or job.parts.get("pull") is not None
        return lists and job.detail_pending == 0 and detail_done

    def _rows(self, job: _PrJob) -> dict[str, list[rows.Row]]:
        repo, number = job.repo, job.number
        commits, files = job.parts["commits"], job.parts["files"]
        with_stats = self.config.commit_stats
        sha = job.head_sha or ""
        return {
            "pull_requests": [rows.pull_request_row(repo, job.pull, files, commits, job.parts.get("pull"))],
            "commits": [
                rows.commit_row(repo, number, c, job.stats.get(c["sha"]) if with_stats else None)
                for c in commits
            ],
            "reviews": [rows.review_row(repo, number, r) for r in job.parts["reviews"]],
            "files": [rows.file_row(repo, number, f, self.config.with_patches) for f in files],
            "check_runs": [rows.check_run_row(repo, number, sha, run) for run in job.parts["check_runs"]],
        }


def _merge_counts(into: dict[str, int], add: dict[str, int]) -> dict[str, int]:
    merged = dict(into)
    for key, value in add.items():
        merged[key] = merged.get(key, 0) + value
    return merged


def new_governor(config: ExtractConfig) -> Governor:
    """The governor for ``config``'s token pool, pacing and concurrency (shareable by several runs)."""
    return Governor(
        max(1, len(config.tokens)),
        points_per_minute=config.points_per_minute,
        secondary_min_wait=config.secondary_min_wait,
        max_concurrency=config.max_workers,
    )


def extract(
    config: ExtractConfig, progress: ProgressSink | None = None, governor: Governor | None = None
) -> ExtractResult:
    """Run the extract stage (see :func:`extract.run`)."""
    check_config(config)
    started = time.monotonic()
    out_dir = Path(config.out_dir)
    reporter = _Reporter(progress)
    governor = new_governor(config) if governor is None else governor
    governor.start_run(lambda reason, seconds: reporter.report(reason, seconds))
    client = Client(
        config.api_url,
        config.tokens,
        governor,
        max_retries=config.max_retries,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        backoff_base=config.backoff_base,
    )
    reporter.client = client
    with output_lock(out_dir):
        work = WorkDir(out_dir)
        checkpoint = work.prepare(
            data_params(config),
            batch_size(config),
            _iso_now(),
            resume=config.resume,
            fresh=config.fresh,
        )
        with ThreadPoolExecutor(max_workers=config.max_workers, thread_name_prefix="prseed-extract") as pool:
            manifest = _run(config, client, pool, work, checkpoint, reporter)
        replace_dir_atomically(work.path / "staging", out_dir)
        work.remove()
    reporter.phase = "done"
    reporter.report()
    counts = {name: int(manifest["tables"][name]["rows"]) for name in SNAPSHOT_TABLES}
    return ExtractResult(
        out_dir=out_dir,
        counts=counts,
        prs=counts["pull_requests"],
        requests=int(manifest["requests"]["total"]),
        requests_by_kind=dict(manifest["requests"]["by_kind"]),
        retries=int(manifest["retries"]),
        waits=int(manifest["waits"]["count"]),
        wait_seconds=float(manifest["waits"]["seconds"]),
        truncated_prs=[(t["repo"], int(t["number"])) for t in manifest["truncated_prs"]],
        seconds=time.monotonic() - started,
        manifest=manifest,
    )


def _save(
    work: WorkDir, checkpoint: Checkpoint, client: Client, base: Checkpoint, gql: GraphQLMode | None = None
) -> None:
    """Fold this run's statistics into the checkpoint and write it."""
    if gql is not None:
        checkpoint.graphql = gql.totals()
        checkpoint.graphql_page_size = gql.sizer.size
    counters = client.counters
    with counters.lock:
        checkpoint.requests = _merge_counts(base.requests, counters.by_kind)
        checkpoint.by_resource = _merge_counts(base.by_resource, counters.by_resource)
        checkpoint.not_modified = base.not_modified + counters.not_modified
        checkpoint.retries = base.retries + counters.retries
    waits = {k: list(v) for k, v in base.waits.items()}
    for reason, (count, seconds) in list(client.governor.waits.by_reason.items()):
        entry = waits.setdefault(reason, [0, 0.0])
        entry[0] += count
        entry[1] += seconds
    checkpoint.waits = waits
    work.write_checkpoint(checkpoint)


def _run(
    config: ExtractConfig,
    client: Client,
    pool: ThreadPoolExecutor,
    work: WorkDir,
    checkpoint: Checkpoint,
    reporter: _Reporter,
) -> dict[str, Any]:
    base = copy.deepcopy(checkpoint)  # statistics of earlier runs
    repos: list[str] = list(config.project["repos"])
    gql = None
    if config.api_used == "graphql":
        gql = GraphQLMode(config, client, checkpoint.graphql_page_size, base.graphql)

    # A governor shared with earlier runs already knows the budgets: no need to ask again.
    resources = ("core", "graphql") if gql is not None else ("core",)
    limits = [
        {} if client.governor.knows(token, resources) else github.fetch_rate_limit(client, token)
        for token in range(max(1, len(config.tokens)))
    ]
    if gql is not None:
        gql.learn_budgets(limits)

    if not checkpoint.listed:
        reporter.phase = "listing"

        def listed() -> Iterator[dict[str, Any]]:
            for repo in repos:
                pulls = (
                    gql.list_pulls(repo)
                    if gql is not None
                    else github.fetch_pulls(
                        client,
                        repo,
                        state=config.state,
                        since=config.since,
                        until=config.until,
                        max_prs=config.max_prs,
                    )
                )
                # Hypermedia links are half of a PR object and never used (raw_json strips them
                # anyway, so rows are unchanged): drop them before the list goes to disk.
                yield from ({"repo": repo, "pull": rows.strip_hypermedia(pull)} for pull in pulls)
                reporter.report()

        work.write_pulls(listed())
        checkpoint.listed = True
        _save(work, checkpoint, client, base, gql)

    size = checkpoint.batch_size
    total = work.count_pulls()
    done = set(checkpoint.done_batches)
    last = (total - 1) // size  # the only batch that may be shorter
    reporter.phase = "pulls"
    reporter.total = total
    reporter.done = sum(total - last * size if i == last else size for i in done if i <= last)
    reporter.report()

    def pr_done() -> None:
        reporter.done += 1
        reporter.report()

    runner = (
        gql.batch_runner(pool, pr_done) if gql is not None else _BatchRunner(client, pool, config, pr_done)
    )
    first = True
    # The PR list stays on disk: only the running batch's PRs and rows are in memory.
    for index, batch in work.read_pull_batches(size, skip=done):
        if not first and config.batch_delay > 0:
            time.sleep(config.batch_delay)
        first = False
        batch_rows = runner.run(batch)
        del batch
        name = f"b{index:06d}"
        for table, table_rows in batch_rows.items():
            if table_rows:
                write_part(table_rows, table, work.part_path(table, name))
                checkpoint.parts.append(str(work.part_path(table, name).relative_to(work.path)))
        checkpoint.truncated.extend(
            [r["repo"], r["number"], r["commits_truncated"], r["files_truncated"]]
            for r in batch_rows["pull_requests"]
            if r["commits_truncated"] or r["files_truncated"]
        )
        del batch_rows
        checkpoint.done_batches.append(index)
        _save(work, checkpoint, client, base, gql)
        release_free_memory()

    reporter.phase = "contributors"
    reporter.report()
    for number, repo in enumerate(repos):
        if repo in checkpoint.contributors_done:
            continue
        contributors = github.fetch_contributors(client, repo)
        targets = rows.profile_targets(contributors, int(config.project["max_members"]))
        if gql is not None:
            profiles = gql.profiles(targets)
        else:
            profiles = dict(
                zip(targets, pool.map(lambda login: github.fetch_user(client, login), targets), strict=True)
            )
        contributor_rows = rows.contributor_rows(repo, contributors, profiles)
        if contributor_rows:
            path = work.part_path("contributors", f"r{number:04d}")
            write_part(contributor_rows, "contributors", path)
            checkpoint.parts.append(str(path.relative_to(work.path)))
        checkpoint.contributors_done.append(repo)
        _save(work, checkpoint, client, base, gql)

    reporter.phase = "writing"
    reporter.report()
    staging = work.path / "staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    entries: dict[str, Any] = {}
    for table in SNAPSHOT_TABLES:
        parts = sorted(work.path / p for p in checkpoint.parts if p.startswith(f"parts/{table}/"))
        release_free_memory()
        entries[table] = merge_table(parts, table, staging / f"{table}.parquet", work.path / "spill")
    manifest = _manifest(config, checkpoint, entries)
    manifest["api"] = config.api_used
    if gql is not None:
        manifest["graphql"] = {**checkpoint.graphql, "page_size": gql.sizer.size}
    validate(manifest, "snapshot/manifest.schema.json", str(staging / "manifest.json"))
    write_bytes_atomic(staging / "manifest.json", dumps_manifest(manifest))
    return manifest


def _manifest(config: ExtractConfig, checkpoint: Checkpoint, tables: dict[str, Any]) -> dict[str, Any]:
    requests = checkpoint.requests
    waits = checkpoint.waits
    not_pacing = {k: v for k, v in waits.items() if k != "pacing"}
    return {
        "kind": "prseed-snapshot",
        "schema_version": snapshot_version(tables),
        "tool_version": __version__,
        "project": dict(config.project),
        "parameters": data_params(config),
        "window": {
            "since": config.since.isoformat() if config.since else None,
            "until": config.until.isoformat() if config.until else None,
        },
        "started_at": checkpoint.started_at,
        "finished_at": _iso_now(),
        "completed": True,
        "synthetic": config.synthetic,
        "tables": tables,
        "requests": {
            "total": sum(requests.values()),
            "by_kind": dict(sorted(requests.items())),
            "by_resource": dict(sorted(checkpoint.by_resource.items())),
            "not_modified": checkpoint.not_modified,
        },
        "retries": checkpoint.retries,
        "waits": {
            "count": int(sum(v[0] for v in not_pacing.values())),
            "seconds": round(sum(v[1] for v in not_pacing.values()), 3),
            "by_reason": {
                k: {"count": int(v[0]), "seconds": round(v[1], 3)} for k, v in sorted(waits.items())
            },
        },
        "truncated_prs": [
            {"repo": r, "number": n, "commits": bool(c), "files": bool(f)}
            for r, n, c, f in sorted(checkpoint.truncated)
        ],
    }
