"""``fetch_*``: one function per GitHub REST call the extractor makes.

Each returns API objects exactly as GitHub sent them (lists flattened over pages); mapping to
rows happens in :mod:`extract.rows`. Paths are relative to the client's API base, so a GitHub
Enterprise Server base (``https://HOST/api/v3``) works unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from prseed.extract.http import Client
from prseed.extract.paginator import paginate
from prseed.extract.rows import parse_time

from prseed.errors import NotFoundError

ApiList = list[dict[str, Any]]


def _repo_path(repo: str) -> str:
    owner, _, name = repo.partition("/")
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def _all(client: Client, path: str, kind: str, what: str, items_key: str | None = None) -> ApiList:
    items: ApiList = []
    for page in paginate(client, path, kind=kind, items_key=items_key, what=what):
        items.extend(page)
    return items


def fetch_pulls(
    client: Client,
    repo: str,
    *,
    state: str = "all",
    since: date | None = None,
    until: date | None = None,
    max_prs: int | None = None,
) -> Iterator[dict[str, Any]]:
    """List a repository's PRs created in a window, newest first, page by page.

    Pages are requested newest-created first and paging stops as soon as a page reaches PRs
    created before ``since`` or ``max_prs`` PRs are kept, so old history costs nothing. PRs are
    yielded as they arrive: the caller decides what to keep, so a long list never has to be
    held in memory.

    Args:
        client: the API client.
        repo: ``owner/name``.
        state: ``all``, ``open`` or ``closed``.
        since: keep PRs created on or after this day (UTC).
        until: keep PRs created on or before this day (UTC).
        max_prs: keep at most this many (the most recently created).

    Yields:
        PR objects (list shape), newest first.
    """
    kept = 0
    params = {"state": state, "sort": "created", "direction": "desc"}
    for page in paginate(
        client,
        f"{_repo_path(repo)}/pulls",
        kind="pulls-list",
        params=params,
        what=f"repository {repo}",
    ):
        reached_start = False
        for pull in page:
            created = parse_time(pull.get("created_at"))
            day = created.date() if created is not None else None
            if until is not None and day is not None and day > until:
                continue
            if since is not None and day is not None and day < since:
                reached_start = True
                break
            yield pull
            kept += 1
            if max_prs is not None and kept >= max_prs:
                return
        if reached_start:
            break


def fetch_pr_commits(client: Client, repo: str, number: int) -> ApiList:
    """A PR's commits (GitHub lists at most 250)."""
    return _all(
        client,
        f"{_repo_path(repo)}/pulls/{number}/commits",
        "pull-commits",
        f"pull request {repo}#{number}",
    )


def fetch_pr_files(client: Client, repo: str, number: int) -> ApiList:
    """A PR's changed files (GitHub lists at most 3,000)."""
    return _all(
        client,
        f"{_repo_path(repo)}/pulls/{number}/files",
        "pull-files",
        f"pull request {repo}#{number}",
    )


def fetch_pr_reviews(client: Client, repo: str, number: int) -> ApiList:
    """A PR's reviews, oldest first."""
    return _all(
        client,
        f"{_repo_path(repo)}/pulls/{number}/reviews",
        "pull-reviews",
        f"pull request {repo}#{number}",
    )


def fetch_pull_detail(client: Client, repo: str, number: int) -> dict[str, Any]:
    """One PR in detail (true commit and file counts, additions, deletions)."""
    data: dict[str, Any] = client.get(
        client.url(f"{_repo_path(repo)}/pulls/{number}"),
        kind="pull",
        what=f"pull request {repo}#{number}",
    ).data
    return data


def fetch_check_runs(client: Client, repo: str, sha: str) -> ApiList:
    """Check runs of a commit; none when GitHub no longer knows the commit (force-pushed away)."""
    try:
        return _all(
            client,
            f"{_repo_path(repo)}/commits/{sha}/check-runs",
            "check-runs",
            f"commit {repo}@{sha}",
            items_key="check_runs",
        )
    except NotFoundError:
        return []


def fetch_commit_detail(client: Client, repo: str, sha: str) -> dict[str, Any] | None:
    """A commit with its ``stats``; None when GitHub no longer knows it."""
    try:
        data: dict[str, Any] = client.get(
            client.url(f"{_repo_path(repo)}/commits/{sha}"),
            kind="commit",
            params={"per_page": 1},
            what=f"commit {repo}@{sha}",
        ).data
    except NotFoundError:
        return None
    return data


def fetch_contributors(client: Client, repo: str) -> ApiList:
    """A repository's contributors, most commits first (none for an empty repository: 204)."""
    return _all(client, f"{_repo_path(repo)}/contributors", "contributors", f"repository {repo}")


def fetch_user(client: Client, login: str) -> dict[str, Any] | None:
    """A user's public profile; None when the account is gone."""
    try:
        data: dict[str, Any] = client.get(
            client.url(f"/users/{quote(login, safe='')}"), kind="user", what=f"user {login}"
        ).data
    except NotFoundError:
        return None
    return data


def fetch_rate_limit(client: Client, token: int) -> dict[str, Any]:
    """Ask GitHub for one token's budgets (``/rate_limit`` costs no budget).

    The answer's headers teach the governor the token's ``core`` budget before any counted
    request is sent on it, so an already spent token of a pool is never tried.
    """
    try:
        data: dict[str, Any] = client.get(
            client.url("/rate_limit"),
            kind="rate-limit",
            resource="rate_limit",
            token=token,
            what="/rate_limit",
        ).data
    except NotFoundError:
        # GitHub Enterprise Server with rate limiting disabled answers 404 here.
        return {}
    return data
