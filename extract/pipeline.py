"""The extract run: list PRs, fetch them batch by batch, merge, publish the snapshot.

Over a complete snapshot the run is a refresh: the listed PRs are split against it
(:mod:`extract.refresh`), unchanged PRs' rows copied (:mod:`extract.refresh_io`), the REST lists
asked conditionally (:mod:`extract.conditional`).

This is the I/O shell. Fetching is in :mod:`extract.github`, row mapping in :mod:`extract.rows`,
durability in :mod:`extract.workdir`, Parquet in :mod:`extract.snapshot`.
"""

from __future__ import annotations

import copy
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prseed.extract import github, rows
from prseed.extract.conditional import fetch_contributors_conditional, fetch_pulls_replay
from prseed.extract.config import ExtractConfig, ExtractResult, Progress, ProgressSink
from prseed.extract.etags import EtagStore
from prseed.extract.github import PR_TABLES, Refusal
from prseed.extract.governor import Governor
from prseed.extract.graphql.run import GraphQLMode, batch_size
from prseed.extract.graphql.updated import fetch_updated_pulls, list_totals
from prseed.extract.http import Client, check_api_url, is_loopback
from prseed.extract.memory import release_free_memory
from prseed.extract.paginator import cursor as page_cursor
from prseed.extract.paginator import from_cursor
from prseed.extract.refresh import (
    ROW_LAYOUT,
    PrState,
    Window,
    estimate_saved,
    full_cost,
    incompatibility,
    plan_refresh,
    select_updated_set,
    stop_time,
)
from prseed.extract.refresh_io import (
    OldSnapshot,
    kept_refusals,
    kept_truncation,
    read_old_snapshot,
    read_plan,
    write_kept_contributors,
    write_kept_parts,
    write_plan,
)
from prseed.extract.snapshot import merge_table, write_part
from prseed.extract.workdir import Checkpoint, WorkDir, output_lock

from prseed import __version__
from prseed.contracts import (
    ALL_SNAPSHOT_TABLES,
    SNAPSHOT_TABLES,
    dataset_digest,
    dumps_manifest,
    replace_dir_atomically,
    snapshot_version,
    validate,
    write_bytes_atomic,
)
from prseed.errors import ConfigError, SnapshotError


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
        "comments": config.comments,
        "max_members": int(config.project["max_members"]),
        "api_host": urlsplit(config.api_url).hostname or "",
        "api": config.api_used,
    }


def snapshot_tables(config: ExtractConfig) -> tuple[str, ...]:
    """The tables a run of ``config`` writes: the core six, plus the comment tables with comments."""
    return ALL_SNAPSHOT_TABLES if config.comments else SNAPSHOT_TABLES


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
    """Everything fetched for one PR while it is in flight (API objects only until it is complete)."""

    batch: int
    repo: str
    pull: dict[str, Any]
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stats: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    pending: int = 0  # requests submitted and not yet handled
    needs_detail: bool = False
    detail_asked: bool = False
    detail: dict[str, Any] | None = None
    gone: bool = False
    done_rows: dict[str, list[rows.Row]] | None = None

    @property
    def number(self) -> int:
        return int(self.pull["number"])

    @property
    def head_sha(self) -> str:
        return str((self.pull.get("head") or {}).get("sha") or "")


@dataclass
class _Batch:
    """The PRs of one durable batch and how many are still running."""

    index: int
    jobs: list[_PrJob]
    running: int


# Batches fetched at once at most: a new batch opens only when a worker would otherwise idle
# (its last requests are slow, or waiting for a retry), so one slow answer holds one worker,
# not the whole run, while memory and a kill's lost work stay bounded by two batches.
WINDOW = 2
WAIT_SLICE = 0.5  # seconds the main thread waits for workers at a time
STORE_EVERY = 20  # listing pages between writes of the ETag store to the work folder


class _Fetcher:
    """Fetches PRs batch after batch with a shared thread pool, request by request.

    Work is split per request (not per PR) so the workers stay busy: each PR starts with its
    lists (:data:`extract.github.PR_LISTS`); a finished commits list adds one detail request per
    commit (commit stats); a counted list that reached GitHub's cap or was refused adds the PR
    detail request for the true counts. A finished PR is turned into rows at once and its API
    objects are dropped. A batch is handed to ``finish`` (which writes and checkpoints it) as
    soon as its last PR is done, in whatever order batches finish; the next batch starts while
    the previous one waits for its last answers.
    """

    def __init__(
        self, client: Client, pool: ThreadPoolExecutor, config: ExtractConfig, on_pr_done: Callable[[], None]
    ) -> None:
        self.client = client
        self.pool = pool
        self.config = config
        self.on_pr_done = on_pr_done
        self.lists = github.pr_lists(config.comments)
        self.pending: dict[Future[Any], tuple[_PrJob, str, str]] = {}

    def run(
        self,
        batches: Iterator[tuple[int, list[dict[str, Any]]]],
        finish: Callable[[int, dict[str, list[rows.Row]], list[Refusal]], None],
    ) -> None:
        """Fetch every batch; call ``finish(index, rows by table, refusals)`` per finished batch."""
        open_batches: dict[int, _Batch] = {}
        exhausted = False
        next_open = 0.0
        try:
            while True:
                while (
                    not exhausted
                    and len(open_batches) < WINDOW
                    and len(self.pending) < self.config.max_workers
                ):
                    delay = next_open - time.monotonic()
                    if open_batches and delay > 0:
                        break
                    if delay > 0:
                        time.sleep(delay)
                    item = next(batches, None)
                    if item is None:
                        exhausted = True
                        break
                    index, items = item
                    batch = _Batch(index, [_PrJob(index, it["repo"], it["pull"]) for it in items], len(items))
                    open_batches[index] = batch
                    for job in batch.jobs:
                        self._start(job)
                    next_open = time.monotonic() + self.config.batch_delay
                if not self.pending:
                    if exhausted:
                        return
                    continue
                timeout = max(0.0, next_open - time.monotonic()) if not exhausted else WAIT_SLICE
                # In slices: Ctrl-C reaches the main thread between them on any platform.
                timeout = min(timeout or WAIT_SLICE, WAIT_SLICE)
                finished, _ = wait(list(self.pending), timeout=timeout, return_when=FIRST_COMPLETED)
                for future in finished:
                    job, kind, arg = self.pending.pop(future)
                    self._store(job, kind, arg, future.result())
                    job.pending -= 1
                    if job.pending == 0:
                        job.done_rows = self._rows(job)
                        job.lists.clear()
                        job.stats.clear()
                        batch = open_batches[job.batch]
                        batch.running -= 1
                        self.on_pr_done()
                        if batch.running == 0:
                            del open_batches[batch.index]
                            finish(batch.index, *self._batch_rows(batch))
        except BaseException:
            # Workers resting for a limit end their rest now, not a minute later.
            self.client.governor.stop()
            for future in self.pending:
                future.cancel()
            wait(list(self.pending))
            raise

    def _submit(self, job: _PrJob, kind: str, fn: Callable[..., Any], *args: Any) -> None:
        job.pending += 1
        self.pending[self.pool.submit(fn, self.client, *args)] = (job, kind, str(args[-1]))

    def _start(self, job: _PrJob) -> None:
        for spec in self.lists:
            self._submit(job, spec.table, github.fetch_pr_list, spec, job.repo, job.pull)

    def _store(self, job: _PrJob, kind: str, arg: str, value: Any) -> None:
        if isinstance(value, Refusal):
            if value.effect == github.PR_GONE:
                if not job.gone:
                    job.refusals.append(value)
                job.gone = True
            else:
                job.refusals.append(value)
        if kind == "commit":
            # Only the stats are used: the rest of a commit detail (its files) is dropped at once.
            job.stats[arg] = None if isinstance(value, Refusal) else (value or {}).get("stats")
            return
        if kind == "pull":
            job.detail = None if isinstance(value, Refusal) else value
            return
        spec = _SPECS[kind]
        items: list[dict[str, Any]] = [] if isinstance(value, Refusal) else value
        job.lists[kind] = items
        if spec.counts and (isinstance(value, Refusal) or (spec.cap is not None and len(items) >= spec.cap)):
            job.needs_detail = True
        if kind == "commits" and self.config.commit_stats and not job.gone:
            for commit in items:
                self._submit(job, "commit", github.fetch_commit_detail, job.repo, job.number, commit["sha"])
        counted = all(s.table in job.lists for s in self.lists if s.counts)
        if job.needs_detail and counted and not job.detail_asked and not job.gone:
            job.detail_asked = True
            self._submit(job, "pull", github.fetch_pull_detail, job.repo, job.number)

    def _rows(self, job: _PrJob) -> dict[str, list[rows.Row]]:
        if job.gone:
            return {}
        context = github.PrContext(
            job.repo, job.number, job.head_sha, self.config.with_patches, job.stats, self.config.commit_stats
        )
        out = {
            "pull_requests": [
                rows.pull_request_row(
                    job.repo, job.pull, job.lists["files"], job.lists["commits"], job.detail
                )
            ]
        }
        for spec in self.lists:
            out[spec.table] = [spec.row(context, item) for item in job.lists[spec.table]]
        return out

    def _batch_rows(self, batch: _Batch) -> tuple[dict[str, list[rows.Row]], list[Refusal]]:
        out: dict[str, list[rows.Row]] = {t: [] for t in PR_TABLES}
        refusals: list[Refusal] = []
        for job in batch.jobs:
            for table, table_rows in (job.done_rows or {}).items():
                out[table].extend(table_rows)
            # A PR left out is one refusal: what else of it was refused no longer matters.
            refusals.extend(r for r in job.refusals if not job.gone or r.effect == github.PR_GONE)
        return out, refusals


_SPECS = {spec.table: spec for spec in github.PR_LISTS}


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
        old = _refresh_source(config, work, checkpoint)
        # The side store of ETags: the old snapshot's for a refresh (a full run only records), plus
        # what an interrupted run of this one recorded already.
        # Only files written with the old snapshot's tables count: a payload describes them.
        store = EtagStore.load(out_dir, dataset_digest(old.manifest)) if old is not None else EtagStore()
        store.merge(EtagStore.load(work.path))
        with ThreadPoolExecutor(max_workers=config.max_workers, thread_name_prefix="prseed-extract") as pool:
            try:
                manifest = _run(config, client, pool, work, checkpoint, reporter, old, store)
            except BaseException:
                # Before the pool waits for its workers: their rests and backoffs end at once.
                governor.stop()
                raise
        replace_dir_atomically(work.path / "staging", out_dir)
        work.remove()
    reporter.phase = "done"
    reporter.report()
    counts = {name: int(entry["rows"]) for name, entry in manifest["tables"].items()}
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
        refusals=list(manifest["refusals"]),
        redirects=list(manifest["redirects"]),
        unicode_repairs=int(manifest["unicode_repairs"]),
        mode=checkpoint.mode,
        mode_note=str(checkpoint.refresh.get("note", "")),
        warnings=list(store.warnings),
    )


def refresh_decision(config: ExtractConfig) -> tuple[OldSnapshot | None, str]:
    """Whether a run of ``config`` refreshes the snapshot in its output folder, and why not.

    Returns:
        ``(old snapshot, "")`` for a refresh; ``(None, reason)`` for a full extraction, the
        reason one line ("" when there is no snapshot to refresh, nothing to explain).
    """
    out_dir = Path(config.out_dir)
    if not (out_dir / "manifest.json").is_file():
        return None, ""
    if config.full:
        return None, "full extraction (--full)"
    try:
        old = read_old_snapshot(out_dir)
    except SnapshotError as exc:
        return None, f"full extraction: the snapshot in {out_dir} cannot be refreshed ({exc})"
    why = incompatibility(old.manifest, data_params(config), snapshot_version(snapshot_tables(config)))
    if why is not None:
        return None, f"full extraction: the snapshot in {out_dir} cannot be refreshed: {why}"
    return old, ""


def _refresh_source(config: ExtractConfig, work: WorkDir, checkpoint: Checkpoint) -> OldSnapshot | None:
    """Decide a new run's mode (stored in the checkpoint), or reload a resumed refresh's old snapshot.

    Raises:
        ConfigError: a resumed refresh finds another snapshot than the one it started from.
    """
    if not checkpoint.mode:
        started = checkpoint.listed or checkpoint.list_cursor is not None or checkpoint.parts
        if started:  # a work folder of a prseed that did not refresh: a full extraction
            checkpoint.mode = "full"
        else:
            old, note = refresh_decision(config)
            checkpoint.mode = "full" if old is None else "refresh"
            checkpoint.refresh = {"note": note} if old is None else {"digest": old.digest, "note": ""}
            work.write_checkpoint(checkpoint)
            return old
    return resumed_source(config, work, checkpoint)


def resumed_source(config: ExtractConfig, work: WorkDir, checkpoint: Checkpoint) -> OldSnapshot | None:
    """The old snapshot a resumed run continues to refresh (None: it is a full extraction); reads only.

    ``--dry-run`` asks it too, so a plan is never shown for a resume the run would refuse.

    Raises:
        ConfigError: ``--full`` given to a resumed refresh, or its snapshot is gone or changed.
    """
    if checkpoint.mode != "refresh":
        return None
    if config.full:
        # --full decides the mode when a run starts; an unfinished refresh cannot become full.
        raise ConfigError(
            f"the unfinished extract in {work.path} is a refresh, --full does not apply to it: "
            "continue it with --resume without --full, or use --fresh --full to extract everything"
        )
    try:
        old = read_old_snapshot(Path(config.out_dir))
    except SnapshotError as exc:
        # The error's own fix ("run prseed extract first") would send the user to this command.
        gone = not (Path(config.out_dir) / "manifest.json").is_file()
        why = "is gone" if gone else f"fails verification: {str(exc).split('; ')[0]}"
        raise ConfigError(
            f"the snapshot in {config.out_dir} that the unfinished refresh in {work.path} started from "
            f"{why}; use --fresh to start over (a full extraction if no snapshot is left)"
        ) from exc
    if old.digest != checkpoint.refresh.get("digest"):
        raise ConfigError(
            f"the snapshot in {config.out_dir} changed since the unfinished refresh in {work.path} started; "
            "use --fresh to start over"
        )
    return old


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
        checkpoint.unicode_repairs = base.unicode_repairs + counters.unicode_repairs
        redirects = {(r[0], r[1]): r[2] for r in base.redirects}
        for (source, target), status in counters.redirects.items():
            redirects.setdefault((source, target), status)
    checkpoint.redirects = [[s, t, status] for (s, t), status in sorted(redirects.items())]
    waits = {k: list(v) for k, v in base.waits.items()}
    for reason, (count, seconds) in list(client.governor.waits.by_reason.items()):
        entry = waits.setdefault(reason, [0, 0.0])
        entry[0] += count
        entry[1] += seconds
    checkpoint.waits = waits
    work.write_checkpoint(checkpoint)


def _list_pulls(
    config: ExtractConfig,
    client: Client,
    work: WorkDir,
    checkpoint: Checkpoint,
    save: Callable[[], None],
    reporter: _Reporter,
    store: EtagStore | None = None,
    old: OldSnapshot | None = None,
) -> None:
    """List every repository's PRs into the work folder, checkpointing the cursor page by page.

    A resumed listing goes on at the saved page (with the page size that worked) and cuts off
    what a killed run appended after its last checkpoint. Pages are conditional
    (:func:`extract.conditional.fetch_pulls_replay`): a refresh (``old``) sends the stored ETags,
    and a 304 page's PRs are the compact records of the old snapshot's unchanged PRs.
    """
    store = EtagStore() if store is None else store

    def unchanged(pull: dict[str, Any]) -> bool:
        if old is None:
            return False
        before = old.index.get((repo, int(pull["number"])))
        return before is not None and before.same_version(PrState.from_rest(pull))

    repos: list[str] = list(config.project["repos"])
    pages = 0
    cursor = checkpoint.list_cursor or {"repo": 0, "url": None, "bytes": 0}
    work.truncate_listed(int(cursor["bytes"]))
    for index in range(int(cursor["repo"]), len(repos)):
        repo = repos[index]
        # {"repo": i, "url": None} means repository i is not begun: a repository's last page
        # moves the cursor to the next one.
        resumed = index == cursor["repo"] and bool(cursor["url"])
        start = from_cursor(client, cursor["url"]) if resumed else None
        seen = work.listed_numbers(repo) if resumed else set()
        for page in fetch_pulls_replay(
            client,
            repo,
            store,
            ask=old is not None,
            usable=unchanged,
            state=config.state,
            since=config.since,
            until=config.until,
            max_prs=config.max_prs,
            start=start,
            seen=seen,
        ):
            # Hypermedia links are half of a PR object and never used (raw_json strips them
            # anyway, so rows are unchanged): drop them before the list goes to disk.
            size = work.append_listed({"repo": repo, "pull": rows.strip_hypermedia(p)} for p in page.pulls)
            url = page_cursor(page.next_url) if page.next_url else None
            checkpoint.list_cursor = {"repo": index if url else index + 1, "url": url, "bytes": size}
            pages += 1
            if pages % STORE_EVERY == 0 or url is None:
                # The whole store is rewritten each time: not every page. A kill loses at most
                # the ETags of the pages since (asked again without condition next time).
                store.write(work.path)
            save()
            reporter.report()
        size = work.listed_path.stat().st_size if work.listed_path.is_file() else 0
        checkpoint.list_cursor = {"repo": index + 1, "url": None, "bytes": size}
        cursor = checkpoint.list_cursor
    work.finish_listing()
    checkpoint.listed = True
    checkpoint.list_cursor = None
    save()


def _list_pulls_graphql(
    config: ExtractConfig,
    gql: GraphQLMode,
    work: WorkDir,
    checkpoint: Checkpoint,
    save: Callable[[], None],
    reporter: _Reporter,
) -> None:
    """List every repository's PRs through GraphQL into the work folder (one checkpoint at the end).

    A PR listed twice (the list moved while it was paged) is kept once, the later copy
    (:meth:`extract.workdir.WorkDir.finish_listing`). Each repository's list totals (PR count and
    newest number, asked with the first page) go into the manifest, so a later refresh can see
    deletions.
    """

    def listed() -> Iterator[dict[str, Any]]:
        for repo in config.project["repos"]:

            def totals(repository: Mapping[str, Any], repo: str = repo) -> None:
                checkpoint.list_totals[repo] = list_totals(repository).as_list()

            pulls = gql.list_pulls(repo, on_totals=totals)
            yield from ({"repo": repo, "pull": rows.strip_hypermedia(pull)} for pull in pulls)
            reporter.report()

    work.write_pulls(listed())
    checkpoint.listed = True
    checkpoint.list_cursor = None
    save()


def _compact(repo: str, number: int, state: PrState) -> dict[str, Any]:
    """A listed PR as the refresh's plan reads it (REST field names; GraphQL fetches by number)."""
    return {
        "repo": repo,
        "pull": {
            "number": number,
            "created_at": state.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": state.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ") if state.updated_at else None,
            "head": {"sha": state.head_sha},
            "state": state.state,
        },
    }


def _list_refresh_graphql(
    config: ExtractConfig,
    gql: GraphQLMode,
    old: OldSnapshot,
    work: WorkDir,
    checkpoint: Checkpoint,
    save: Callable[[], None],
    reporter: _Reporter,
) -> None:
    """Find each repository's new PR set through GraphQL for a refresh (one checkpoint at the end).

    Lists the PRs updated since the old snapshot's high-water mark minus the overlap
    (:func:`extract.graphql.updated.fetch_updated_pulls`, 1 point per 100) and derives the set
    from them and the old snapshot (:func:`extract.refresh.select_updated_set`). When PRs were
    deleted since (the list total says so), the old snapshot has no list totals, or the window
    reaches PRs it never held, the full number listing gives the set instead; either way only
    changed and new PRs are fetched afterwards.
    """
    window = Window(config.since, config.until, config.max_prs, config.state)
    previous = old.window
    lists_before = (old.manifest.get("graphql") or {}).get("lists") or {}
    started = rows.parse_time(old.manifest.get("started_at"))
    listing_how: dict[str, str] = {}
    known: dict[str, list[int]] = {}  # repositories of the number listing: PRs seen updated
    items: list[dict[str, Any]] = []
    for repo in config.project["repos"]:
        before = old.repo_index(repo)
        marks = [s.updated_at for s in before.values() if s.updated_at is not None]
        chosen: list[tuple[int, PrState]] | None = None
        updated: dict[int, PrState] = {}
        if marks:
            listing = fetch_updated_pulls(gql.gql, repo, stop_time(max(marks), started, config.overlap))
            checkpoint.list_totals[repo] = listing.totals.as_list()
            updated = {n: PrState.from_graphql(node) for n, node in listing.nodes.items()}
            totals = lists_before.get(repo)
            if totals is not None and not listing.unavailable:
                total, newest = int(totals[0]), totals[1]
                added = sum(1 for n in updated if newest is None or n > int(newest))
                if total + added == listing.totals.total:  # nothing deleted since
                    truncated = previous.max_prs is not None and len(before) >= previous.max_prs
                    chosen = select_updated_set(before, updated, window, previous, old_truncated=truncated)
        if chosen is not None:
            listing_how[repo] = "updated"
            # Nothing was deleted: every old PR left out still exists (see _keep_unchanged).
        else:
            listing_how[repo] = "numbers"
            chosen = []
            seen: set[int] = set()

            def totals(repository: Mapping[str, Any], repo: str = repo) -> None:
                checkpoint.list_totals[repo] = list_totals(repository).as_list()

            for pull in gql.list_pulls(repo, on_totals=totals):
                number = int(pull["number"])
                if number in seen:
                    continue
                seen.add(number)
                state = updated.get(number) or before.get(number)
                if state is None:  # neither changed lately nor held: fetched as new
                    created = rows.parse_time(pull.get("created_at"))
                    if created is None:
                        raise ValueError(f"{repo}#{number} has no createdAt")
                    state = PrState(created, None, "", "unknown")
                chosen.append((number, state))
            known[repo] = sorted(updated)
        items.extend(_compact(repo, n, s) for n, s in chosen)
        reporter.report()
    work.write_pulls(items)
    checkpoint.refresh["listing"] = listing_how
    checkpoint.refresh["known"] = known
    checkpoint.listed = True
    checkpoint.list_cursor = None
    save()


def _keep_unchanged(
    config: ExtractConfig, old: OldSnapshot, work: WorkDir, checkpoint: Checkpoint, save: Callable[[], None]
) -> None:
    """Plan the refresh from the listed PRs, copy the unchanged PRs' rows, list only the others.

    Durable in steps: the plan is stored first (a resumed run reuses it), then the PR list loses
    the kept PRs (idempotent), then the kept rows become parts, listed in the checkpoint with the
    kept PRs' truncation flags and refusals carried over from the old manifest.
    """
    plan_path = work.path / "refresh_plan.json"
    if plan_path.is_file():
        plan = read_plan(plan_path)
    else:
        window = Window(config.since, config.until, config.max_prs, config.state)
        listed = (
            ((str(item["repo"]), int(item["pull"]["number"])), PrState.from_rest(item["pull"]))
            for item in work.read_pulls()
        )
        known = None
        if checkpoint.refresh.get("listing"):  # GraphQL: PRs known to exist are not "deleted"
            how = checkpoint.refresh["listing"]
            numbers = checkpoint.refresh.get("known", {})
            known = {k for k in old.index if how.get(k[0]) == "updated"}
            known |= {(repo, int(n)) for repo, ns in numbers.items() for n in ns}
        plan = plan_refresh(old.index, listed, window, known)
        write_plan(plan_path, plan)
    work.drop_pulls(set(plan.keep))
    # A 304 page's compact records stand only for kept PRs (extract.conditional): none may be fetched.
    if any(item["pull"].get("_compact") for item in work.read_pulls()):
        raise SnapshotError(f"{work.path}: a PR to fetch has only its compact listing record; use --fresh")
    checkpoint.parts.extend(write_kept_parts(old, plan.keep, snapshot_tables(config), work))
    checkpoint.truncated.extend(kept_truncation(old, plan.keep))
    checkpoint.refusals.extend(kept_refusals(old, plan.keep, ()))
    checkpoint.refresh["prs"] = plan.counts()
    checkpoint.refresh["kept"] = True
    save()


def _lineage(
    config: ExtractConfig, checkpoint: Checkpoint, old: OldSnapshot, manifest: dict[str, Any]
) -> dict[str, Any]:
    """The manifest's ``lineage`` of a refresh (schemas/snapshot/manifest.schema.json)."""
    before = old.manifest
    requests = manifest["requests"]
    if config.api_used == "graphql":
        points = int(checkpoint.graphql.get("points", 0))
    else:
        points = (
            int(requests["total"])
            - int(requests["not_modified"])
            - int(requests["by_kind"].get("rate-limit", 0))
        )
    prs = int(manifest["tables"]["pull_requests"]["rows"])
    cost = full_cost(before)
    saved = estimate_saved(cost, prs, int(requests["total"]), points)
    return {
        "mode": "refresh",
        "previous": {
            "digest": old.digest,
            "finished_at": before["finished_at"],
            "window": dict(before["window"]),
            "max_prs": before["parameters"].get("max_prs"),
            "prs": int(before["tables"]["pull_requests"]["rows"]),
        },
        "window": dict(manifest["window"]),
        "max_prs": config.max_prs,
        "listing": dict(sorted(checkpoint.refresh.get("listing", {}).items()))
        or {repo: "replay" for repo in config.project["repos"]},
        "prs": checkpoint.refresh["prs"],
        "contributors_kept": sorted(checkpoint.refresh.get("contributors_kept", [])),
        "spent": {"requests": int(requests["total"]), "points": points},
        **({"full_cost": cost} if cost is not None else {}),
        **({"saved_estimate": saved} if saved is not None else {}),
    }


def _run(
    config: ExtractConfig,
    client: Client,
    pool: ThreadPoolExecutor,
    work: WorkDir,
    checkpoint: Checkpoint,
    reporter: _Reporter,
    old: OldSnapshot | None = None,
    store: EtagStore | None = None,
) -> dict[str, Any]:
    base = copy.deepcopy(checkpoint)  # statistics of earlier runs
    store = EtagStore() if store is None else store
    gql = None
    if config.api_used == "graphql":
        gql = GraphQLMode(config, client, checkpoint.graphql_page_size, base.graphql)

    def save() -> None:
        _save(work, checkpoint, client, base, gql)

    try:
        _fetch(config, client, pool, work, checkpoint, reporter, save, gql, old, store)
    except BaseException:
        # A failed run's requests, retries and waits count toward the snapshot's statistics;
        # its data counts only for the batches it finished (already in the checkpoint).
        save()
        raise

    reporter.phase = "writing"
    reporter.report()
    staging = work.path / "staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    entries: dict[str, Any] = {}
    # The comment tables make the snapshot version 2 (contracts.snapshot_version); without
    # --comments the snapshot stays version 1, as before comments existed.
    for table in snapshot_tables(config):
        parts = sorted(work.path / p for p in checkpoint.parts if p.startswith(f"parts/{table}/"))
        release_free_memory()
        entries[table] = merge_table(parts, table, staging / f"{table}.parquet", work.path / "spill")
    manifest = _manifest(config, checkpoint, entries)
    manifest["api"] = config.api_used
    if gql is not None:
        manifest["graphql"] = {**checkpoint.graphql, "page_size": gql.sizer.size}
        if checkpoint.list_totals:
            manifest["graphql"]["lists"] = dict(sorted(checkpoint.list_totals.items()))
    if old is not None:
        manifest["lineage"] = _lineage(config, checkpoint, old, manifest)
    validate(manifest, "snapshot/manifest.schema.json", str(staging / "manifest.json"))
    write_bytes_atomic(staging / "manifest.json", dumps_manifest(manifest))
    store.write(staging, dataset_digest(manifest))
    return manifest


def _fetch(
    config: ExtractConfig,
    client: Client,
    pool: ThreadPoolExecutor,
    work: WorkDir,
    checkpoint: Checkpoint,
    reporter: _Reporter,
    save: Callable[[], None],
    gql: GraphQLMode | None = None,
    old: OldSnapshot | None = None,
    store: EtagStore | None = None,
) -> None:
    """List the PRs, fetch them batch by batch, then the contributors (all checkpointed).

    With ``gql`` the PR list, the PRs and the profiles come through GraphQL (see
    :mod:`extract.graphql.run`); the contributors list stays REST. With ``old`` (a refresh) the
    listed PRs are split against the old snapshot (:mod:`extract.refresh`): unchanged PRs' rows
    are copied from it, only the others are fetched. REST lists (the PR listing, the
    contributors) are asked conditionally from ``store`` (:mod:`extract.conditional`) and record
    their ETags in it.
    """
    store = EtagStore() if store is None else store
    repos: list[str] = list(config.project["repos"])
    # A governor shared with earlier runs (prseed extract --all) already knows the budgets.
    resources = ("core", "graphql") if gql is not None else ("core",)
    limits = [
        {} if client.governor.knows(token, resources) else github.fetch_rate_limit(client, token)
        for token in range(max(1, len(config.tokens)))
    ]
    if gql is not None:
        gql.learn_budgets(limits)
        for repo in repos:
            # GraphQL answers NOT_FOUND for a renamed or transferred repository's old name.
            gql.resolve(repo)

    if not checkpoint.listed:
        reporter.phase = "listing"
        if gql is not None and old is not None:
            _list_refresh_graphql(config, gql, old, work, checkpoint, save, reporter)
        elif gql is not None:
            _list_pulls_graphql(config, gql, work, checkpoint, save, reporter)
        else:
            # A REST refresh replays the full extraction's listing: the same PR set by construction.
            _list_pulls(config, client, work, checkpoint, save, reporter, store, old)
    if old is not None and not checkpoint.refresh.get("kept"):
        _keep_unchanged(config, old, work, checkpoint, save)

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

    def finish(index: int, batch_rows: dict[str, list[rows.Row]], refusals: list[Refusal]) -> None:
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
        checkpoint.refusals.extend(r.as_dict() for r in refusals)
        checkpoint.done_batches.append(index)
        save()
        release_free_memory()

    # The PR list stays on disk: only the running batches' PRs and rows are in memory.
    if gql is not None:
        runner = gql.batch_runner(pool, pr_done)
        first = True
        for index, batch in work.read_pull_batches(size, skip=done):
            if not first and config.batch_delay > 0:
                time.sleep(config.batch_delay)
            first = False
            finish(index, *runner.run(batch))
            del batch
    else:
        _Fetcher(client, pool, config, pr_done).run(work.read_pull_batches(size, skip=done), finish)

    reporter.phase = "contributors"
    reporter.report()
    for number, repo in enumerate(repos):
        if repo in checkpoint.contributors_done:
            continue
        refused: list[Refusal] = []
        ask = old is not None and "contributors" in old.manifest["tables"]
        listed, unchanged = fetch_contributors_conditional(client, repo, store, ask=ask)
        if unchanged and old is not None:
            # Every page 304: the old rows (with their profiles) and refusals stand.
            path = work.part_path("contributors", f"r{number:04d}")
            if write_kept_contributors(old, repo, path):
                checkpoint.parts.append(str(path.relative_to(work.path)))
            checkpoint.refusals.extend(kept_refusals(old, (), [repo]))
            checkpoint.refresh.setdefault("contributors_kept", []).append(repo)
            checkpoint.contributors_done.append(repo)
            store.write(work.path)
            save()
            continue
        if isinstance(listed, Refusal):
            refused.append(listed)
            listed = []
        targets = rows.profile_targets(listed, int(config.project["max_members"]))
        profiles: dict[str, dict[str, Any] | None] = {}
        if gql is not None:
            profiles = gql.profiles(targets)
        else:
            fetched = pool.map(github.fetch_user, repeat(client), repeat(repo), targets)
            for login, profile in zip(targets, fetched, strict=True):
                if isinstance(profile, Refusal):
                    refused.append(profile)
                    profiles[login] = None
                else:
                    profiles[login] = profile
        contributor_rows = rows.contributor_rows(repo, listed, profiles)
        if contributor_rows:
            path = work.part_path("contributors", f"r{number:04d}")
            write_part(contributor_rows, "contributors", path)
            checkpoint.parts.append(str(path.relative_to(work.path)))
        checkpoint.refusals.extend(r.as_dict() for r in refused)
        checkpoint.contributors_done.append(repo)
        store.write(work.path)
        save()


def _refusal_key(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (
        entry["repo"],
        entry["number"] if entry["number"] is not None else -1,
        entry["endpoint"],
        entry["target"],
    )


def _manifest(config: ExtractConfig, checkpoint: Checkpoint, tables: dict[str, Any]) -> dict[str, Any]:
    requests = checkpoint.requests
    waits = checkpoint.waits
    not_pacing = {k: v for k, v in waits.items() if k != "pacing"}
    return {
        "kind": "prseed-snapshot",
        "schema_version": snapshot_version(tables),
        "tool_version": __version__,
        "row_layout": ROW_LAYOUT,
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
        "refusals": sorted(checkpoint.refusals, key=_refusal_key),
        "redirects": [{"from": s, "to": t, "status": status} for s, t, status in checkpoint.redirects],
        "unicode_repairs": checkpoint.unicode_repairs,
    }
