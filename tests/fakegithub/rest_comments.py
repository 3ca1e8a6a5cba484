"""REST answers for a PR's comments: review comments and conversation (issue) comments.

Endpoints (GitHub REST reference, "Pull request review comments" and "Issue comments"):
  * GET /repos/{o}/{r}/pulls/{n}/comments: ascending by id. `sort` (created | updated) with
    `direction` (asc | desc; GitHub documents none as default when `sort` is given, and its
    other sorted lists default to desc, so the fake does), `since` (updated at or after),
    `per_page` (max 100, default 30), `page`.
  * GET /repos/{o}/{r}/issues/{n}/comments: ascending by id; `since`, `per_page`, `page`.
  * GET /repos/{o}/{r}/pulls/comments/{id} and /issues/comments/{id}: one comment.
A `since` that is not an ISO 8601 time answers 422. The server adds what every endpoint gets:
ETags and 304s, rate-limit headers, faults, Link headers (built by `paginate`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.fakegithub.generate import GeneratedRepo

DOCS = "https://docs.github.com/rest"

JsonDict = dict[str, Any]
# (status, body object, Link header or None); status 404 comes with a None body.
Answer = tuple[int, Any, str | None]
Paginate = Callable[[list[Any], list[tuple[str, str]], str], tuple[list[Any], str | None]]

KINDS = frozenset({"pull-review-comments", "issue-comments", "pull-review-comment", "issue-comment"})


def _since(value: str) -> datetime | None:
    """Parse `since` ("YYYY-MM-DDTHH:MM:SSZ", a date, or an offset time); None if invalid."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _invalid(resource: str, name: str, value: str) -> Answer:
    body = {
        "message": "Validation Failed",
        "errors": [{"resource": resource, "field": name, "code": "invalid", "value": value}],
        "documentation_url": DOCS,
        "status": "422",
    }
    return 422, body, None


def answer_comments(
    repo: GeneratedRepo,
    kind: str,
    params: dict[str, str],
    query_pairs: list[tuple[str, str]],
    base: str,
    paginate: Paginate,
) -> Answer:
    """The answer to one comments request.

    Args:
        repo: the repository addressed.
        kind: one of KINDS (the server's route name).
        params: path parameters ("n" or "cid").
        query_pairs: the request's query, in order.
        base: scheme://host + path of the request, for Link headers.
        paginate: tests.fakegithub.server.paginate.

    Returns:
        (status, body, Link header): 200 with a list page or one comment, 404, or 422.
    """
    if kind in ("pull-review-comment", "issue-comment"):
        lists = repo.review_comments if kind == "pull-review-comment" else repo.issue_comments
        cid = int(params["cid"])
        for comments in lists.values():
            for c in comments:
                if c["id"] == cid:
                    return 200, c, None
        return 404, None, None
    number = int(params["n"])
    if number not in repo.pull_details:
        return 404, None, None
    query = dict(query_pairs)
    items: list[JsonDict] = list(
        repo.review_comments.get(number, [])
        if kind == "pull-review-comments"
        else repo.issue_comments.get(number, [])
    )
    if "since" in query:
        since = _since(query["since"])
        if since is None:
            resource = "PullRequestReviewComment" if kind == "pull-review-comments" else "IssueComment"
            return _invalid(resource, "since", query["since"])
        items = [c for c in items if _ts(c["updated_at"]) >= since]
    if kind == "pull-review-comments" and query.get("sort") in ("created", "updated"):
        key = "created_at" if query["sort"] == "created" else "updated_at"
        desc = query.get("direction", "desc") != "asc"
        items.sort(key=lambda c: (c[key], c["id"]), reverse=desc)
    page, link = paginate(items, query_pairs, base)
    return 200, page, link
