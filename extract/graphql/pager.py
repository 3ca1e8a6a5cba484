"""Paging PRs through GraphQL: the PR list, pages of PR detail, every connection continued.

* :func:`fetch_pull_list` lists a repository's PR numbers newest created first, 100 a query
  (1 point), stopping as the REST listing does (``--since/--until``, ``--max-prs``, ``--state``).
* :class:`GraphQLBatchRunner` turns a durable batch of listed PRs into rows: one details query
  per page of PRs (:class:`PageSizer` decides how many), then continuation queries for every
  connection that has a next page - each with its own cursor, many PRs per query - until none
  has; commits are fetched whole, files up to GitHub's 3,000 (then flagged). PRs with renamed
  or copied files (or all, with ``--with-patches``) get one REST files list for the fields
  GraphQL lacks, fetched in the worker pool while the batch's queries go on (the queries,
  sent one at a time so each answer's budget figure is exact, have precedence for the
  in-flight slots: :class:`SlotGate`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

from prseed.extract import github
from prseed.extract.github import PR_GONE, Refusal
from prseed.extract.graphql import query as q
from prseed.extract.graphql import rows as grows
from prseed.extract.graphql.client import Answer, GraphQLClient, HeavyQueryError
from prseed.extract.http import Client
from prseed.extract.rows import Row

from prseed.errors import NotFoundError

# Default PRs per details query. GitHub rounds a query's score to the nearest point (1.49 -> 1):
# with comments a PR has 8 connections, so 18 PRs need 144 requests, 1 point (0.056 per PR),
# where 56 PRs need 448 requests, 4 points (0.071 per PR) and 64 need 512, 5 points. 18 PRs with
# their first pages are about 7,000 nodes, far inside the 500,000-node limit.
DEFAULT_PAGE = 18
MAX_PAGE = 100
GROW_AFTER = 3  # successful pages before a halved page size doubles again
CONTINUE_PER_QUERY = 50  # continuation aliases per query (each asks for up to 100 nodes)
PR_TABLES = github.PR_TABLES


# The REST files list of a PR is refused (422: diff too large): its GraphQL files are kept.
GRAPHQL_FILES = "files stored from GraphQL (no patches, no previous file names)"
_FILES = next(spec for spec in github.PR_LISTS if spec.table == "files")
Node = dict[str, Any]
FilesFuture = Future[list[Node] | Refusal]  # a REST files list being fetched


def _path(error: Mapping[str, Any]) -> list[str]:
    path = error.get("path")
    return [str(p) for p in path] if isinstance(path, list) else []


def not_found(error: Mapping[str, Any]) -> bool:
    """A NOT_FOUND error: its object is null in ``data`` and the caller decides.

    A gone user's profile is None (as REST's 404); a missing repository or PR raises NotFoundError.
    """
    return str(error.get("type")) == "NOT_FOUND"


def refused_checks(error: Mapping[str, Any]) -> bool:
    """A FORBIDDEN error on a PR's check runs (they are then unavailable), or a NOT_FOUND."""
    forbidden = str(error.get("type")) == "FORBIDDEN" and "statusCheckRollup" in _path(error)
    return forbidden or not_found(error)


class PageSizer:
    """The adaptive page size: halved on a too-heavy answer, doubled back after successes.

    Thread-safe. ``size`` is what the checkpoint stores, so a resumed run starts where the
    interrupted one was.
    """

    def __init__(self, size: int = DEFAULT_PAGE, ceiling: int = DEFAULT_PAGE) -> None:
        """Start at ``size`` (clamped to 1..``ceiling``); growth stops at ``ceiling``."""
        self.ceiling = max(1, min(ceiling, MAX_PAGE))
        self.size = max(1, min(size, self.ceiling))
        self._good = 0
        self._lock = threading.Lock()

    def too_heavy(self) -> int:
        """Halve after a timeout, 502/504 or resource-limit answer; returns the new size."""
        with self._lock:
            self.size = max(1, self.size // 2)
            self._good = 0
            return self.size

    def succeeded(self) -> int:
        """Count a successful page; after GROW_AFTER in a row double the size (up to ceiling)."""
        with self._lock:
            self._good += 1
            if self._good >= GROW_AFTER and self.size < self.ceiling:
                self.size = min(self.ceiling, self.size * 2)
                self._good = 0
            return self.size


def _owner_name(repo: str) -> dict[str, str]:
    owner, _, name = repo.partition("/")
    return {"owner": owner, "name": name}


def _repository(data: Mapping[str, Any], repo: str) -> Mapping[str, Any]:
    found = data.get("repository")
    if not isinstance(found, Mapping):
        raise NotFoundError(f"repository {repo} not found through GraphQL (check the name and the token)")
    return found


def fetch_pull_list(
    gql: GraphQLClient,
    repo: str,
    *,
    state: str = "all",
    since: date | None = None,
    until: date | None = None,
    max_prs: int | None = None,
    on_totals: Callable[[Mapping[str, Any]], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """List a repository's PRs of a window, newest created first (as REST's listing does).

    With ``on_totals`` the first page also asks for :data:`query.LIST_TOTALS` (same cost) and
    hands the answer's ``repository`` object to it.

    A page with a PR that comes back null (NOT_FOUND in a partial answer) is asked again up to
    the client's ``max_retries`` times; a PR still null then cannot even be named, and is
    counted in the manifest (``graphql.unavailable_prs``).

    Yields:
        ``{"number", "node_id", "created_at"}`` per PR.

    Raises:
        NotFoundError: the repository does not exist.
    """
    text = q.list_query(state)
    first = q.list_query(state, totals=True) if on_totals is not None else text
    after: str | None = None
    kept = 0
    # A PR can come twice when the list moves while it is paged (a new PR pushes the others
    # down): the later copy wins in the work folder, and it is not counted again for max_prs.
    seen: set[int] = set()
    tries = 0
    while True:
        answer = gql.execute(
            first if after is None else text,
            {**_owner_name(gql.names.get(repo, repo)), "after": after},
            kind="graphql-list",
            what=f"repository {repo}",
            tolerate=not_found,
        )
        repository = _repository(answer.data, repo)
        if after is None and on_totals is not None:
            on_totals(repository)
        connection = repository.get("pullRequests") or {}
        nodes = list(connection.get("nodes") or [])
        nulls = sum(1 for node in nodes if not node)
        if nulls and tries < gql.max_retries:
            # A PR GitHub could not resolve this time: ask for the same page again.
            tries += 1
            gql.governor.backoff(tries, gql.backoff_base, key=f"list:{repo}:{after}")
            continue
        # Still null after the retries (e.g. a PR of a hidden account): unknowable, counted.
        gql.stats.unavailable_prs(nulls)
        tries = 0
        for node in nodes:
            if not node:
                continue
            position = github.window_position(node.get("createdAt"), since, until)
            if position > 0:
                continue
            if position < 0:
                return
            number = int(node["number"])
            yield {"number": number, "node_id": node.get("id"), "created_at": node.get("createdAt")}
            if number in seen:
                continue
            seen.add(number)
            kept += 1
            if max_prs is not None and kept >= max_prs:
                return
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return
        after = str(info["endCursor"])


def _absorb(pr: dict[str, Any], key: str, connection: Mapping[str, Any] | None) -> str | None:
    """Append a connection page's nodes to the PR; return the cursor when it has a next page."""
    if connection is None:
        pr.setdefault(f"_{key}", [])
        return None
    pr.setdefault(f"_{key}", []).extend(n for n in connection.get("nodes") or [] if n is not None)
    info = connection.get("pageInfo") or {}
    if info.get("hasNextPage") and info.get("endCursor"):
        return str(info["endCursor"])
    return None


def _connection_in(obj: Mapping[str, Any] | None, conn: q.Connection) -> Mapping[str, Any] | None:
    current: Any = obj
    for part in [p for p in conn.parent.split(".") if p] + [conn.field]:
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current if isinstance(current, Mapping) else None


def _review_comment_count(pr: Mapping[str, Any]) -> int | None:
    """How many review comments a PR has (None when GitHub did not give its total).

    ``totalCommentsCount`` counts conversation and review comments; minus the conversation
    comments' ``totalCount``.
    """
    total = pr.get("totalCommentsCount")
    if not isinstance(total, int):
        return None
    return max(0, total - _get_count(pr.get("comments")))


def _misses_review_comments(pr: Mapping[str, Any]) -> bool:
    """Whether a PR has review comments its reviews did not give.

    A review comment without a review (GitHub's null ``pull_request_review_id``) has no review
    to ask for it: only its thread has it.
    """
    expected = _review_comment_count(pr)
    if pr.get("_gone") or expected is None:
        return False
    found = len({str(c.get("fullDatabaseId")) for c in pr.get("_review_comments") or []})
    return expected > found


def _get_count(connection: Any) -> int:
    return int(connection.get("totalCount") or 0) if isinstance(connection, Mapping) else 0


class SlotGate:
    """Gives a batch's queries precedence over its REST files lists for the in-flight slots.

    The governor lets ``--max-workers`` requests per token be in flight, first come first
    served. The queries are the batch's critical path (each answer says what to ask next); the
    REST lists only have to be done by the batch's end. A list therefore starts only while
    fewer than ``slots`` minus the queries in flight are running (always at least one), so it
    never holds the slot a query is about to need.
    """

    def __init__(self, slots: int) -> None:
        """Gate ``slots`` in-flight requests (``--max-workers``)."""
        self.slots = max(1, slots)
        self._cond = threading.Condition()
        self._queries = 0
        self._lists = 0

    @contextmanager
    def query(self) -> Iterator[None]:
        """Hold while a query is being sent."""
        with self._cond:
            self._queries += 1
        try:
            yield
        finally:
            with self._cond:
                self._queries -= 1
                self._cond.notify_all()

    @contextmanager
    def rest_list(self) -> Iterator[None]:
        """Hold while a REST list is being fetched; waits while the queries need the slots."""
        with self._cond:
            while self._lists >= max(1, self.slots - self._queries):
                self._cond.wait(timeout=1.0)
            self._lists += 1
        try:
            yield
        finally:
            with self._cond:
                self._lists -= 1
                self._cond.notify_all()


class GraphQLBatchRunner:
    """Fetches a batch of listed PRs through GraphQL and maps them to rows."""

    def __init__(
        self,
        gql: GraphQLClient,
        rest: Client,
        pool: ThreadPoolExecutor,
        sizer: PageSizer,
        *,
        stats: bool,
        with_patches: bool,
        comments: bool = True,
        on_pr_done: Callable[[], None] = lambda: None,
        slots: int = 3,
    ) -> None:
        """Create a runner.

        Args:
            gql: the GraphQL client.
            rest: the REST client (for the targeted files lists).
            pool: worker threads for those REST calls.
            sizer: the run's page sizer.
            stats: fetch per-commit additions/deletions.
            with_patches: keep file patches (needs the REST files list of every PR).
            comments: fetch the PRs' conversation and review comments.
            on_pr_done: called once per finished PR.
            slots: requests in flight at once (``--max-workers``), shared by the queries and
                the REST lists through a :class:`SlotGate`.
        """
        self.gql = gql
        self.rest = rest
        self.pool = pool
        self.sizer = sizer
        self.stats = stats
        self.with_patches = with_patches
        self.comments = comments
        self.on_pr_done = on_pr_done
        self.gate = SlotGate(slots)
        self.conns = {c.key: c for c in q.connections(stats, comments)}
        self.rest_file_lists = 0
        # Resources refused for good while the current batch runs (see :meth:`run`).
        self.refusals: list[Refusal] = []

    def run(self, batch: list[dict[str, Any]]) -> tuple[dict[str, list[Row]], list[Refusal]]:
        """Rows of a batch of ``{"repo", "pull"}`` items: ``({table: rows}, refusals)``.

        A PR GitHub no longer has (deleted or hidden after the listing) is left out and recorded
        as a refusal, as with REST (:data:`extract.github.PR_GONE`).
        """
        self.refusals = []
        out: dict[str, list[Row]] = {t: [] for t in PR_TABLES}
        by_repo: dict[str, list[int]] = {}
        for item in batch:
            by_repo.setdefault(str(item["repo"]), []).append(int(item["pull"]["number"]))
        for repo, numbers in by_repo.items():
            prs, rest_files = self.fetch_prs(repo, numbers)
            for pr in prs:
                number = int(pr["number"])
                if pr.get("_gone"):
                    self.on_pr_done()
                    continue
                for table, table_rows in grows.pr_rows(
                    repo, pr, rest_files.get(number), stats=self.stats, with_patches=self.with_patches
                ).items():
                    out[table].extend(table_rows)
                self.on_pr_done()
        return out, self.refusals

    def fetch_prs(self, repo: str, numbers: list[int]) -> tuple[list[dict[str, Any]], dict[int, list[Node]]]:
        """Some PRs of one repository, complete: ``(PR nodes, {number: REST files list})``.

        The REST files lists run in the pool while the queries go on (the governor bounds what
        is in flight, REST and GraphQL together): a PR's list starts as soon as its GraphQL
        files say it needs one.
        """
        lists: dict[int, FilesFuture] = {}
        try:
            prs = self.fetch_details(repo, numbers, lambda page: self.start_rest_files(repo, page, lists))
            self.fetch_continuations(repo, prs)
            self.start_rest_files(repo, prs, lists)
            if self.comments:
                self.fetch_review_comments(repo, prs)
            return prs, self.collect_rest_files(prs, lists)
        finally:
            for future in lists.values():
                future.cancel()  # after a failure: lists not begun are not sent

    def _execute(self, query: str, variables: Mapping[str, Any], **kw: Any) -> Answer:
        """:meth:`GraphQLClient.execute`, counted by the slot gate."""
        with self.gate.query():
            return self.gql.execute(query, variables, **kw)

    def _fetch_rest_files(self, repo: str, number: int) -> list[Node] | Refusal:
        """One PR's REST files list (in a pool thread), when the slot gate lets it start."""
        with self.gate.rest_list():
            return github.fetch_pr_list(self.rest, _FILES, repo, {"number": number})

    def _checks_refused(
        self, repo: str, kind: str, errors: list[dict[str, Any]], by_alias: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Record check runs GitHub refused (FORBIDDEN on ``statusCheckRollup``), once per PR.

        Their PR keeps no check runs, as REST's refused check-run list (:data:`github.EMPTY`).
        """
        seen = {(r.number, r.endpoint) for r in self.refusals}
        for error in errors:
            path = _path(error)
            if str(error.get("type")) != "FORBIDDEN" or "statusCheckRollup" not in path:
                continue
            pr = next((by_alias[p] for p in path if p in by_alias), None)
            if pr is None or (int(pr["number"]), kind) in seen:
                continue
            number = int(pr["number"])
            seen.add((number, kind))
            target = f"{github.repo_path(repo)}/commits/{pr.get('headRefOid') or ''}/check-runs"
            reason = str(error.get("message") or "FORBIDDEN")[:300]
            self.refusals.append(Refusal(repo, number, kind, target, 403, reason, github.EMPTY))

    def _gone(self, repo: str, number: int, kind: str, reason: str) -> None:
        target = f"{github.repo_path(repo)}/pulls/{number}"
        self.refusals.append(Refusal(repo, number, kind, target, 404, reason, PR_GONE))

    def fetch_details(
        self,
        repo: str,
        numbers: list[int],
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """The PR nodes of some PRs (in the given order) with each connection's first page absorbed.

        Pages are as large as the sizer says; a too-heavy answer halves the size and the same
        PRs are asked again in smaller pages. A PR that comes back null (NOT_FOUND in a partial
        answer) is asked again in a later page, up to the client's ``max_retries`` times; one
        still missing then is left out of the list returned and recorded in :attr:`refusals`.
        ``on_page`` is called with the PRs of each answered page as it comes.
        """
        found: dict[int, dict[str, Any]] = {}
        misses: dict[int, int] = {}
        todo = list(numbers)
        while todo:
            page, todo = todo[: self.sizer.size], todo[self.sizer.size :]
            try:
                answer = self._execute(
                    q.details_query(page, self.stats, self.comments),
                    _owner_name(self.gql.names.get(repo, repo)),
                    kind="graphql-details",
                    what=f"pull requests {repo}#{page[0]}..#{page[-1]}",
                    split_on_heavy=len(page) > 1,
                    tolerate=refused_checks,
                )
            except HeavyQueryError:
                self.sizer.too_heavy()
                self.gql.governor.backoff(1, self.gql.backoff_base, key=f"heavy:{repo}:{page[0]}")
                todo = page + todo
                continue
            self.sizer.succeeded()
            repository = _repository(answer.data, repo)
            missing = []
            by_alias: dict[str, dict[str, Any]] = {}
            for i, number in enumerate(page):
                node = repository.get(f"p{i}")
                if not isinstance(node, Mapping):
                    missing.append(number)
                    continue
                pr = dict(node)
                for conn in self.conns.values():
                    cursor = _absorb(pr, conn.key, _connection_in(pr, conn))
                    if cursor is not None:
                        pr.setdefault("_more", {})[conn.key] = cursor
                found[number] = pr
                by_alias[f"p{i}"] = pr
            self._checks_refused(repo, "graphql-details", answer.errors, by_alias)
            if on_page is not None:
                on_page(list(by_alias.values()))
            for number in missing:
                misses[number] = misses.get(number, 0) + 1
            gone = [n for n in missing if misses[n] > self.gql.max_retries]
            for number in gone:
                reason = f"not found through GraphQL ({misses[number]} tries)"
                self._gone(repo, number, "graphql-details", reason)
            missing = [n for n in missing if misses[n] <= self.gql.max_retries]
            if missing:
                self.gql.governor.backoff(
                    max(misses[n] for n in missing), self.gql.backoff_base, key=f"missing:{repo}"
                )
                todo.extend(missing)
        return [found[n] for n in numbers if n in found]

    def _next(self, pr: Mapping[str, Any], key: str, cursor: str) -> q.Continuation | None:
        conn = self.conns[key]
        first = q.LIST_PAGE
        if conn.cap is not None:
            first = min(first, conn.cap - len(pr.get(f"_{key}") or []))
            if first <= 0:
                return None  # GitHub's cap reached: the row says truncated
        return q.Continuation(str(pr["id"]), key, cursor, first)

    def fetch_continuations(self, repo: str, prs: list[dict[str, Any]]) -> None:
        """Follow every connection with a next page until none has one (or its cap is reached)."""
        by_id = {str(pr["id"]): pr for pr in prs}
        while True:
            pending: list[q.Continuation] = []
            for pr in prs:
                if pr.get("_gone"):
                    continue
                for key, cursor in sorted((pr.pop("_more", None) or {}).items()):
                    item = self._next(pr, key, cursor)
                    if item is not None:
                        pending.append(item)
            if not pending:
                return
            for start in range(0, len(pending), CONTINUE_PER_QUERY):
                chunk = pending[start : start + CONTINUE_PER_QUERY]
                text, variables = q.continuation_query(chunk, self.stats)
                answer = self._execute(
                    text,
                    variables,
                    kind="graphql-more",
                    what=f"more of pull requests of {repo}",
                    tolerate=refused_checks,
                )
                aliases = {f"c{i}": by_id[item.pr_id] for i, item in enumerate(chunk)}
                self._checks_refused(repo, "graphql-more", answer.errors, aliases)
                for i, item in enumerate(chunk):
                    pr = by_id[item.pr_id]
                    node = answer.data.get(f"c{i}")
                    if not isinstance(node, Mapping):
                        if not pr.get("_gone"):
                            pr["_gone"] = True
                            pr.pop("_more", None)
                            self._gone(repo, int(pr["number"]), "graphql-more", "vanished while paging")
                        continue
                    if pr.get("_gone"):
                        continue
                    cursor = _absorb(pr, item.key, _connection_in(node, self.conns[item.key]))
                    if cursor is not None:
                        pr.setdefault("_more", {})[item.key] = cursor

    def fetch_review_comments(self, repo: str, prs: list[dict[str, Any]]) -> None:
        """Every review comment of the PRs, asked for review by review (after the reviews are complete).

        One ``node(id:)`` alias per review, up to :data:`query.REVIEW_COMMENTS_PER_QUERY` a query
        (1 point), each continued with its own cursor while it has a next page. The comments are
        stored on their PR under ``_review_comments``. A review gone since (null, NOT_FOUND) took
        its comments with it: REST would no longer list them either.
        """
        owner: dict[str, dict[str, Any]] = {}
        pending: list[q.Continuation] = []
        first = q.REVIEW_COMMENTS.first
        for pr in prs:
            if pr.get("_gone"):
                continue
            pr.setdefault("_review_comments", [])
            if _review_comment_count(pr) == 0:
                continue  # no review comment to ask any review for: saves one alias per review
            for review in grows.nodes_of(pr, "reviews"):
                if review.get("id"):
                    owner[str(review["id"])] = pr
                    pending.append(q.Continuation(str(review["id"]), "review_comments", None, first))
        per_query = q.REVIEW_COMMENTS_PER_QUERY
        while pending:
            chunk, pending = pending[:per_query], pending[per_query:]
            text, variables = q.continuation_query(chunk, self.stats)
            try:
                answer = self._execute(
                    text,
                    variables,
                    kind="graphql-comments",
                    what=f"review comments of pull requests of {repo}",
                    split_on_heavy=len(chunk) > 1,
                    tolerate=not_found,
                )
            except HeavyQueryError:
                # Too heavy for GitHub this time: the same reviews again, fewer per query.
                per_query = max(1, len(chunk) // 2)
                self.gql.governor.backoff(1, self.gql.backoff_base, key=f"heavy-comments:{repo}")
                pending = chunk + pending
                continue
            for i, item in enumerate(chunk):
                node = answer.data.get(f"c{i}")
                if not isinstance(node, Mapping):
                    continue
                cursor = _absorb(owner[item.pr_id], item.key, _connection_in(node, q.REVIEW_COMMENTS))
                if cursor is not None:
                    pending.append(replace(item, after=cursor, first=q.LIST_PAGE))
        self._fetch_review_threads(repo, [pr for pr in prs if _misses_review_comments(pr)])

    def _fetch_review_threads(self, repo: str, prs: list[dict[str, Any]]) -> None:
        """Add the comments of every review thread of ``prs`` (those with comments no review gave)."""
        by_id = {str(pr["id"]): pr for pr in prs}
        pending = [q.Continuation(pr_id, "review_threads", None, q.REVIEW_THREADS.first) for pr_id in by_id]
        while pending:
            chunk, pending = pending[: q.REVIEW_THREADS_PER_QUERY], pending[q.REVIEW_THREADS_PER_QUERY :]
            text, variables = q.continuation_query(chunk, self.stats)
            answer = self._execute(
                text,
                variables,
                kind="graphql-comments",
                what=f"review threads of pull requests of {repo}",
                tolerate=not_found,
            )
            for i, item in enumerate(chunk):
                node = answer.data.get(f"c{i}")
                if not isinstance(node, Mapping):
                    continue
                cursor = _absorb(by_id[item.pr_id], item.key, _connection_in(node, q.REVIEW_THREADS))
                if cursor is not None:
                    pending.append(replace(item, after=cursor))
        for pr in prs:
            for thread in pr.pop("_review_threads", []):
                comments = (thread.get("comments") or {}).get("nodes") or []
                pr["_review_comments"].extend(c for c in comments if c)

    def start_rest_files(self, repo: str, prs: list[dict[str, Any]], lists: dict[int, FilesFuture]) -> None:
        """Start in the pool the REST files list of each PR whose rows need fields GraphQL lacks.

        A PR's list starts once: as soon as the files it has so far show a renamed or copied
        one (more files cannot take that back), else after its files are complete.
        """
        for pr in prs:
            number = int(pr["number"])
            if number in lists or pr.get("_gone") or not grows.needs_rest_files(pr, self.with_patches):
                continue
            # The worker gets only the number: the PR node goes on growing in this thread.
            lists[number] = self.pool.submit(self._fetch_rest_files, repo, number)

    def collect_rest_files(
        self, prs: list[dict[str, Any]], lists: Mapping[int, FilesFuture]
    ) -> dict[int, list[dict[str, Any]]]:
        """Wait for the started REST files lists; ``{number: files}`` of the PRs still there.

        A list GitHub refused is recorded in :attr:`refusals` (a PR gone: left out; else its
        GraphQL files are kept, :data:`GRAPHQL_FILES`). The list of a PR that vanished from
        GraphQL since it was started is dropped.
        """
        out: dict[int, list[dict[str, Any]]] = {}
        for pr in prs:
            number = int(pr["number"])
            if number not in lists or pr.get("_gone"):
                continue
            files = lists[number].result()
            self.rest_file_lists += 1
            if isinstance(files, Refusal):
                if files.effect == PR_GONE:
                    pr["_gone"] = True
                    self.refusals.append(files)
                else:
                    self.refusals.append(replace(files, effect=GRAPHQL_FILES))
                continue
            out[number] = files
        return out


def fetch_profiles(gql: GraphQLClient, logins: list[str]) -> dict[str, dict[str, Any] | None]:
    """Public profiles of users, up to 100 a query, as ``{login: {"name", "email"} or None}``.

    A user GitHub no longer knows is None (its alias is null, with a NOT_FOUND error). An empty
    name or email is None, as in REST's ``/users/{login}``.
    """
    profiles: dict[str, dict[str, Any] | None] = {}
    for start in range(0, len(logins), q.LIST_PAGE):
        chunk = logins[start : start + q.LIST_PAGE]
        text, variables = q.users_query(chunk)
        answer = gql.execute(text, variables, kind="graphql-users", what="user profiles", tolerate=not_found)
        for i, login in enumerate(chunk):
            node = answer.data.get(f"u{i}")
            if not isinstance(node, Mapping):
                profiles[login] = None
                continue
            # GraphQL's User.email is non-null: "" where REST's profile says null (not public).
            profiles[login] = {**node, "name": node.get("name") or None, "email": node.get("email") or None}
    return profiles
