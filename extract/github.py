"""The GitHub REST operations the extractor calls, described once, and ``fetch_*`` over them.

Each :class:`Endpoint` names its operation (the key of GitHub's description in
``shared/github-api/operations.json``, also the request kind in statistics), its path, how to
tell two items of its list apart, and which answers refuse *this one resource* for good, with
what the snapshot then holds instead. The refusals follow the response codes GitHub documents for
the operation (plus 404 where a pull request deleted after the listing takes its lists with it).

The per-pull-request lists (:data:`PR_LISTS`) add the snapshot table and the row mapper: the
batch runner, the table list and the fetching all follow from that tuple, so a new per-PR
endpoint is one entry plus its mapper in :mod:`extract.rows`.

Fetch functions return API objects exactly as GitHub sent them (lists flattened over pages, a
repeated item kept once: the later copy wins). Paths are relative to the client's API base, so a
GitHub Enterprise Server base (``https://HOST/api/v3``) works unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from prseed.extract import rows
from prseed.extract.http import Client
from prseed.extract.paginator import paginate
from prseed.extract.rows import ApiObject, Row, parse_time

from prseed.contracts import COMMENT_TABLES
from prseed.errors import NotFoundError, RefusedError

ApiList = list[dict[str, Any]]

# What the snapshot holds for a refused resource (the manifest's refusals[].effect).
PR_GONE = "pull request left out (deleted or hidden after the listing)"
EMPTY = "stored as an empty list"
NO_STATS = "commit additions/deletions stored as NULL"
NO_FILES = "no files stored; the PR's additions, deletions and changed files come from its detail"
NO_CONTRIBUTORS = "no contributors stored; the transform derives the team from PR authors"
NO_PROFILE = "profile fields stored as NULL"
NO_COMMENTS = "no conversation comments stored for this PR (issues disabled or gone)"


@dataclass(frozen=True)
class Endpoint:
    """One GitHub REST operation.

    Attributes:
        kind: the operation key (``pull-files``), the request kind in statistics.
        path: the path under ``/repos/{owner}/{repo}`` (or from the root for ``user``), with
            ``{number}``, ``{head_sha}``, ``{sha}`` or ``{login}`` fields.
        key: the identity of a list item; a later copy of the same key wins (None: not a list,
            or items without identity).
        items_key: the list's key in an envelope answer (``check_runs``), None for arrays.
        unavailable: ``{status: effect}`` of answers that refuse this resource for good; any
            other refusal stops the run.
        repo_path: the path is under the repository.
    """

    kind: str
    path: str
    key: Callable[[ApiObject], Any] | None = None
    items_key: str | None = None
    unavailable: Mapping[int, str] = field(default_factory=dict)
    repo_path: bool = True


@dataclass(frozen=True)
class PrContext:
    """What a row mapper knows of the pull request a list item belongs to."""

    repo: str
    number: int
    head_sha: str
    with_patches: bool
    stats: Mapping[str, Mapping[str, Any] | None]
    with_stats: bool


@dataclass(frozen=True)
class PrList:
    """A per-pull-request list: where it comes from and which table its rows go to.

    Attributes:
        table: the snapshot table (schemas/snapshot/<table>.schema.json).
        endpoint: the operation.
        row: maps one item to a row of ``table``.
        needs: PR fields the path needs; a PR without one gets an empty list (no request).
        counts: the PR's counts are summed from this list (additions from files, commits from
            commits): when it is capped or refused, the PR detail gives the true figures.
        cap: GitHub lists at most this many items (a list this long may hide more).
    """

    table: str
    endpoint: Endpoint
    row: Callable[[PrContext, ApiObject], Row]
    needs: tuple[str, ...] = ("number",)
    counts: bool = False
    cap: int | None = None


@dataclass(frozen=True)
class Refusal:
    """A resource GitHub refused for good, recorded in the manifest instead of failing the run.

    Attributes:
        repo: ``owner/name``.
        number: the pull request it belongs to, if any.
        endpoint: the operation key.
        target: the path asked for (no host, no query).
        status: the HTTP status.
        reason: GitHub's message.
        effect: what the snapshot holds instead.
    """

    repo: str
    number: int | None
    endpoint: str
    target: str
    status: int
    reason: str
    effect: str

    def as_dict(self) -> dict[str, Any]:
        """The manifest entry."""
        return asdict(self)


def _by(name: str) -> Callable[[ApiObject], Any]:
    return lambda item: item.get(name)


PULLS = Endpoint("pulls-list", "/pulls", key=_by("number"))
PULL = Endpoint("pull", "/pulls/{number}", unavailable={404: PR_GONE})
COMMIT = Endpoint("commit", "/commits/{sha}", unavailable={404: NO_STATS, 409: NO_STATS, 422: NO_STATS})
CONTRIBUTORS = Endpoint(
    "contributors",
    "/contributors",
    key=_by("login"),
    unavailable={403: NO_CONTRIBUTORS, 404: NO_CONTRIBUTORS},
)
USER = Endpoint("user", "/users/{login}", unavailable={404: NO_PROFILE}, repo_path=False)
RATE_LIMIT = Endpoint("rate-limit", "/rate_limit", repo_path=False)

PR_LISTS: tuple[PrList, ...] = (
    PrList(
        "commits",
        Endpoint("pull-commits", "/pulls/{number}/commits", key=_by("sha"), unavailable={404: PR_GONE}),
        lambda pr, item: rows.commit_row(
            pr.repo, pr.number, item, pr.stats.get(item["sha"]) if pr.with_stats else None
        ),
        counts=True,
        cap=rows.COMMITS_CAP,
    ),
    PrList(
        "files",
        Endpoint(
            "pull-files",
            "/pulls/{number}/files",
            key=_by("filename"),
            unavailable={404: PR_GONE, 422: NO_FILES},
        ),
        lambda pr, item: rows.file_row(pr.repo, pr.number, item, pr.with_patches),
        counts=True,
        cap=rows.FILES_CAP,
    ),
    PrList(
        "reviews",
        Endpoint("pull-reviews", "/pulls/{number}/reviews", key=_by("id"), unavailable={404: PR_GONE}),
        lambda pr, item: rows.review_row(pr.repo, pr.number, item),
    ),
    PrList(
        "check_runs",
        Endpoint(
            "check-runs",
            "/commits/{head_sha}/check-runs",
            key=_by("id"),
            items_key="check_runs",
            unavailable={404: EMPTY, 422: EMPTY},
        ),
        lambda pr, item: rows.check_run_row(pr.repo, pr.number, pr.head_sha, item),
        needs=("head_sha",),
    ),
    # GitHub documents only 200 for review comments; a PR deleted after the listing answers 404.
    PrList(
        "review_comments",
        Endpoint(
            "pull-review-comments", "/pulls/{number}/comments", key=_by("id"), unavailable={404: PR_GONE}
        ),
        lambda pr, item: rows.review_comment_row(pr.repo, pr.number, item),
    ),
    # "List issue comments" documents 404 (the issue, here the PR, is gone) and 410 (Gone: the
    # repository's issues were disabled or the issue removed): the PR stays, without its comments.
    PrList(
        "issue_comments",
        Endpoint(
            "issue-comments",
            "/issues/{number}/comments",
            key=_by("id"),
            unavailable={404: PR_GONE, 410: NO_COMMENTS},
        ),
        lambda pr, item: rows.issue_comment_row(pr.repo, pr.number, item),
    ),
)
PR_TABLES: tuple[str, ...] = ("pull_requests", *(spec.table for spec in PR_LISTS))


def pr_lists(comments: bool) -> tuple[PrList, ...]:
    """The per-PR lists a run fetches: all of :data:`PR_LISTS`, or those without comments."""
    if comments:
        return PR_LISTS
    return tuple(spec for spec in PR_LISTS if spec.table not in COMMENT_TABLES)


ENDPOINTS: tuple[Endpoint, ...] = (
    PULLS,
    PULL,
    COMMIT,
    CONTRIBUTORS,
    USER,
    RATE_LIMIT,
    *(spec.endpoint for spec in PR_LISTS),
)


def repo_path(repo: str) -> str:
    """``/repos/{owner}/{name}`` of ``owner/name``, each part escaped."""
    owner, _, name = repo.partition("/")
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def path_of(endpoint: Endpoint, repo: str, **fields: Any) -> str:
    """The API path of an endpoint for a repository and the path's fields."""
    path = endpoint.path.format(**{k: quote(str(v), safe="") for k, v in fields.items()})
    return repo_path(repo) + path if endpoint.repo_path else path


def later_copy_wins(items: ApiList, key: Callable[[ApiObject], Any] | None) -> ApiList:
    """Keep one item per key, the last one seen, at its place (lists shift while being paged).

    Items without a key (anonymous contributors) are all kept.
    """
    if key is None:
        return items
    last: dict[Any, int] = {}
    for index, item in enumerate(items):
        k = key(item)
        if k is not None:
            last[k] = index
    if len(last) == sum(1 for item in items if key(item) is not None):
        return items
    return [item for index, item in enumerate(items) if (k := key(item)) is None or last[k] == index]


def refusal(
    endpoint: Endpoint, exc: NotFoundError | RefusedError, repo: str, number: int | None, target: str
) -> Refusal:
    """The record of a refusal the endpoint allows; re-raises any other.

    Raises:
        NotFoundError: or RefusedError: ``exc`` itself when its status is not in the endpoint's
            ``unavailable``.
    """
    effect = endpoint.unavailable.get(exc.status)
    if effect is None:
        raise exc
    return Refusal(repo, number, endpoint.kind, target, exc.status, exc.reason, effect)


def fetch_list(client: Client, endpoint: Endpoint, repo: str, what: str, **fields: Any) -> ApiList:
    """Every item of a paged list endpoint (later copy of a repeated key wins)."""
    items: ApiList = []
    for page in paginate(
        client, path_of(endpoint, repo, **fields), kind=endpoint.kind, items_key=endpoint.items_key, what=what
    ):
        items.extend(page.items)
    return later_copy_wins(items, endpoint.key)


def fetch_pr_list(client: Client, spec: PrList, repo: str, pull: ApiObject) -> ApiList | Refusal:
    """One per-PR list, or the refusal that stands for it.

    Raises:
        NotFoundError: or RefusedError: a refusal the endpoint does not allow.
    """
    fields = {
        name: (pull.get("head") or {}).get("sha") if name == "head_sha" else pull.get(name)
        for name in spec.needs
    }
    if any(value is None for value in fields.values()):
        return []
    number = int(pull["number"])
    try:
        return fetch_list(client, spec.endpoint, repo, f"pull request {repo}#{number}", **fields)
    except (NotFoundError, RefusedError) as exc:
        return refusal(spec.endpoint, exc, repo, number, path_of(spec.endpoint, repo, **fields))


@dataclass(frozen=True)
class ListedPage:
    """A page of the PR listing.

    Attributes:
        pulls: the PRs of the page to keep (a PR seen before is here again: the later copy wins).
        next_url: where the listing goes on; None when it is finished for this repository.
    """

    pulls: list[dict[str, Any]]
    next_url: str | None


def window_position(created_at: str | None, since: date | None, until: date | None) -> int:
    """Where a PR created at ``created_at`` stands against a window of creation days (UTC).

    The PR listings (REST and GraphQL) go newest created first, so a PR before ``since`` ends
    the listing and a PR after ``until`` is skipped; a PR without a creation time is kept.

    Returns:
        -1 before ``since`` (stop listing), 1 after ``until`` (skip), 0 inside (keep).
    """
    created = parse_time(created_at)
    day = created.date() if created is not None else None
    if day is None:
        return 0
    if until is not None and day > until:
        return 1
    if since is not None and day < since:
        return -1
    return 0


def fetch_pull_detail(client: Client, repo: str, number: int) -> dict[str, Any] | Refusal:
    """One PR in detail (true commit and file counts, additions, deletions), or its refusal."""
    path = path_of(PULL, repo, number=number)
    try:
        data: dict[str, Any] = client.get(
            client.url(path), kind=PULL.kind, what=f"pull request {repo}#{number}"
        ).data
    except (NotFoundError, RefusedError) as exc:
        return refusal(PULL, exc, repo, number, path)
    return data


def fetch_commit_detail(client: Client, repo: str, number: int, sha: str) -> dict[str, Any] | Refusal:
    """A commit with its ``stats``, or the refusal (gone, empty repository, diff not available)."""
    path = path_of(COMMIT, repo, sha=sha)
    try:
        data: dict[str, Any] = client.get(
            client.url(path), kind=COMMIT.kind, params={"per_page": 1}, what=f"commit {repo}@{sha}"
        ).data
    except (NotFoundError, RefusedError) as exc:
        return refusal(COMMIT, exc, repo, number, path)
    return data


def fetch_contributors(client: Client, repo: str) -> ApiList | Refusal:
    """A repository's contributors, most commits first (none for an empty repository: 204)."""
    try:
        return fetch_list(client, CONTRIBUTORS, repo, f"repository {repo}")
    except (NotFoundError, RefusedError) as exc:
        return refusal(CONTRIBUTORS, exc, repo, None, path_of(CONTRIBUTORS, repo))


def fetch_user(client: Client, repo: str, login: str) -> dict[str, Any] | Refusal:
    """A user's public profile, or the refusal when the account is gone."""
    path = path_of(USER, repo, login=login)
    try:
        data: dict[str, Any] = client.get(client.url(path), kind=USER.kind, what=f"user {login}").data
    except (NotFoundError, RefusedError) as exc:
        return refusal(USER, exc, repo, None, path)
    return data


def fetch_rate_limit(client: Client, token: int) -> dict[str, Any]:
    """Ask GitHub for one token's budgets (``/rate_limit`` costs no budget).

    The answer's headers teach the governor the token's ``core`` budget before any counted
    request is sent on it, so an already spent token of a pool is never tried.
    """
    try:
        data: dict[str, Any] = client.get(
            client.url(RATE_LIMIT.path),
            kind=RATE_LIMIT.kind,
            resource="rate_limit",
            token=token,
            what="/rate_limit",
        ).data
    except NotFoundError:
        # GitHub Enterprise Server with rate limiting disabled answers 404 here.
        return {}
    return data
