"""GraphQL nodes -> the snapshot contract's rows (the same rows as the REST path; no I/O).

Every row keeps its GraphQL node in ``raw``. Fields GraphQL names or shapes differently are
mapped to REST's meaning field by field:

* ids: REST ``id`` is GraphQL ``fullDatabaseId`` (``databaseId`` for actors), ``node_id`` is ``id``;
* PR ``state``: ``MERGED`` is REST ``closed``; ``body``: GraphQL's "" is REST's null;
* enums (review state aside) are lower-cased: ``changeType`` RENAMED -> ``renamed``, DELETED ->
  ``removed``; check ``status``/``conclusion`` likewise;
* a Bot's GraphQL ``login`` lacks REST's ``[bot]`` suffix, which is added back;
* a commit's ``GitActor.user`` is a User only: a bot's commit (e.g. Dependabot's) has none,
  where REST links the account. GitHub links a ``ID+LOGIN@users.noreply.github.com`` address to
  that account, so the login and id are read from such an address (GitHub's docs, "Setting your
  commit email address"), as REST reports them;
* ``merge_commit_sha``: ``mergeCommit``, null unless merged (REST also gives an unmerged PR's
  test merge commit);
* what GraphQL cannot give cheaply is documented in README.md ("GraphQL and REST"):
  ``commits.parents_count`` is null (a parents connection under every commit would cost
  1 point per 100 commits), ``files.previous_filename`` and ``files.patch`` come from a
  targeted REST files call for just the PRs that need them (see :func:`needs_rest_files`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from prseed.extract.rows import Row, parse_time, raw_json

Node = Mapping[str, Any]

CHANGE_TYPES = {
    "ADDED": "added",
    "DELETED": "removed",
    "MODIFIED": "modified",
    "RENAMED": "renamed",
    "COPIED": "copied",
    "CHANGED": "changed",
}
# The change types whose REST row has a previous_filename GraphQL does not give.
RENAMING = frozenset({"RENAMED", "COPIED"})
ACTOR_TYPES = {"User": "User", "Bot": "Bot", "Organization": "Organization", "Mannequin": "Mannequin"}


def _get(obj: Any, *path: str) -> Any:
    current = obj
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _int(value: Any) -> int | None:
    """An id as an int (``fullDatabaseId`` is a BigInt serialised as a string)."""
    if value is None or value == "":
        return None
    return int(value)


NOREPLY = re.compile(r"^(\d+)\+([^@\s]+)@users\.noreply\.github\.com$", re.IGNORECASE)


def noreply_account(email: Any) -> tuple[str, int] | None:
    """``(login, id)`` of a GitHub noreply commit address ``ID+LOGIN@users.noreply.github.com``."""
    match = NOREPLY.match(str(email or ""))
    return (match.group(2), int(match.group(1))) if match else None


def git_account(actor: Node | None) -> tuple[str | None, int | None]:
    """The GitHub account (login, id) REST links to a commit's git author or committer."""
    user = _get(actor, "user")
    if isinstance(user, Mapping) and user.get("login") is not None:
        return str(user["login"]), _int(user.get("databaseId"))
    found = noreply_account(_get(actor, "email"))
    return found if found is not None else (None, None)


def actor_login(actor: Node | None) -> str | None:
    """REST's login of an actor: a Bot gets back its ``[bot]`` suffix."""
    if not actor or actor.get("login") is None:
        return None
    login = str(actor["login"])
    if actor.get("__typename") == "Bot" and not login.endswith("[bot]"):
        login += "[bot]"
    return login


def actor_type(actor: Node | None) -> str | None:
    """REST's ``user.type`` of an actor (its GraphQL type name)."""
    if not actor:
        return None
    name = actor.get("__typename")
    return ACTOR_TYPES.get(str(name), str(name)) if name else None


def lower(value: Any) -> str | None:
    """A GraphQL enum value in REST's spelling (lower case); None stays None."""
    return None if value is None else str(value).lower()


def nodes_of(pr: Node, key: str) -> list[Node]:
    """The collected nodes of a PR connection (the pager stores them under ``key``)."""
    return list(pr.get(f"_{key}") or [])


def _without_connections(pr: Node) -> dict[str, Any]:
    """The PR node for ``raw``: connections that became rows of other tables are left out."""
    dropped = {"commits", "reviews", "files", "statusCheckRollup", "comments"}
    out = {k: v for k, v in pr.items() if k not in dropped and not k.startswith("_")}
    lists = (("labels", "labels"), ("assignees", "assignees"), ("review_requests", "reviewRequests"))
    for key, field in lists:
        if field in out:
            out[field] = {"totalCount": _get(pr, field, "totalCount"), "nodes": nodes_of(pr, key)}
    return out


def pull_request_row(repo: str, pr: Node) -> Row:
    """Map a PR node (with its connections collected by the pager) to a ``pull_requests`` row."""
    files = nodes_of(pr, "files")
    commits = nodes_of(pr, "commits")
    author = pr.get("author")
    state = str(pr["state"])
    requested = [
        actor_login(r.get("requestedReviewer"))
        for r in nodes_of(pr, "review_requests")
        if r.get("requestedReviewer") and _get(r, "requestedReviewer", "login") is not None
    ]
    changed_files = int(pr.get("changedFiles") or 0)
    commits_count = int(_get(pr, "commits", "totalCount") or len(commits))
    return {
        "repo": repo,
        "number": int(pr["number"]),
        "id": _int(pr.get("fullDatabaseId")),
        "node_id": pr.get("id") or "",
        "title": pr.get("title") or "",
        "body": pr.get("body") or None,
        "state": "open" if state == "OPEN" else "closed",
        "draft": bool(pr.get("isDraft")),
        "author_login": actor_login(author),
        "author_id": _int(_get(author, "databaseId")),
        "author_type": actor_type(author),
        "author_association": pr.get("authorAssociation"),
        "created_at": parse_time(pr["createdAt"]),
        "updated_at": parse_time(pr.get("updatedAt")),
        "closed_at": parse_time(pr.get("closedAt")),
        "merged_at": parse_time(pr.get("mergedAt")),
        "head_ref": pr.get("headRefName"),
        "base_ref": pr.get("baseRefName"),
        "head_sha": pr.get("headRefOid"),
        "merge_commit_sha": _get(pr, "mergeCommit", "oid"),
        "additions": int(pr.get("additions") or 0),
        "deletions": int(pr.get("deletions") or 0),
        "changed_files": changed_files,
        "commits_count": commits_count,
        "labels": [str(n.get("name")) for n in nodes_of(pr, "labels")],
        "milestone": _get(pr, "milestone", "title"),
        "assignees": [str(a.get("login")) for a in nodes_of(pr, "assignees") if a],
        "requested_reviewers": [str(r) for r in requested],
        "commits_truncated": commits_count > len(commits),
        "files_truncated": changed_files > len(files),
        "raw": raw_json(_without_connections(pr)),
    }


def commit_row(repo: str, pr_number: int, node: Node, stats: bool) -> Row:
    """Map a ``PullRequestCommit`` node to a ``commits`` row (``parents_count`` is null)."""
    commit = node.get("commit") or {}
    author = commit.get("author") or {}
    author_login, author_id = git_account(author)
    committer_login, _ = git_account(commit.get("committer"))
    return {
        "repo": repo,
        "pr_number": pr_number,
        "sha": commit["oid"],
        "author_login": author_login,
        "author_id": author_id,
        "author_name": author.get("name"),
        "author_email": author.get("email"),
        "committer_login": committer_login,
        "authored_at": parse_time(commit.get("authoredDate")),
        "committed_at": parse_time(commit.get("committedDate")),
        "message": commit.get("message") or "",
        "parents_count": None,
        "additions": int(commit.get("additions") or 0) if stats else None,
        "deletions": int(commit.get("deletions") or 0) if stats else None,
        "raw": raw_json(node),
    }


def review_row(repo: str, pr_number: int, node: Node) -> Row:
    """Map a ``PullRequestReview`` node to a ``reviews`` row."""
    author = node.get("author")
    return {
        "repo": repo,
        "pr_number": pr_number,
        "id": _int(node.get("fullDatabaseId")),
        "reviewer_login": actor_login(author),
        "reviewer_id": _int(_get(author, "databaseId")),
        "reviewer_type": actor_type(author),
        "state": node["state"],
        "submitted_at": parse_time(node.get("submittedAt")),
        "body": node.get("body"),
        "commit_id": _get(node, "commit", "oid"),
        "author_association": node.get("authorAssociation"),
        "raw": raw_json(node),
    }


def review_comment_row(repo: str, pr_number: int, node: Node) -> Row:
    """Map a ``PullRequestReviewComment`` node to a ``review_comments`` row.

    REST's ``pull_request_review_id`` is the review's ``fullDatabaseId``, ``in_reply_to_id`` the
    ``replyTo`` comment's; ``line``/``original_line`` are ``line``/``originalLine``.
    """
    author = node.get("author")
    return {
        "repo": repo,
        "pr_number": pr_number,
        "id": _int(node.get("fullDatabaseId")),
        "review_id": _int(_get(node, "pullRequestReview", "fullDatabaseId")),
        "author_login": actor_login(author),
        "author_id": _int(_get(author, "databaseId")),
        "author_type": actor_type(author),
        "body": node.get("body"),
        "path": node.get("path"),
        "line": node.get("line"),
        "original_line": node.get("originalLine"),
        "in_reply_to_id": _int(_get(node, "replyTo", "fullDatabaseId")),
        "commit_id": _get(node, "commit", "oid"),
        "created_at": parse_time(node["createdAt"]),
        "updated_at": parse_time(node.get("updatedAt")),
        "author_association": node.get("authorAssociation"),
        "raw": raw_json(node),
    }


def issue_comment_row(repo: str, pr_number: int, node: Node) -> Row:
    """Map an ``IssueComment`` node to an ``issue_comments`` row."""
    author = node.get("author")
    return {
        "repo": repo,
        "pr_number": pr_number,
        "id": _int(node.get("fullDatabaseId")),
        "author_login": actor_login(author),
        "author_id": _int(_get(author, "databaseId")),
        "author_type": actor_type(author),
        "body": node.get("body"),
        "created_at": parse_time(node["createdAt"]),
        "updated_at": parse_time(node.get("updatedAt")),
        "author_association": node.get("authorAssociation"),
        "raw": raw_json(node),
    }


def _latest_by_id(nodes: Sequence[Node]) -> list[Node]:
    """One node per ``fullDatabaseId``, the later copy (a list that moved while it was paged)."""
    return list({str(n.get("fullDatabaseId")): n for n in nodes}.values())


def file_row(repo: str, pr_number: int, node: Node, rest: Node | None, with_patches: bool) -> Row:
    """Map a ``PullRequestChangedFile`` node to a ``files`` row.

    Args:
        repo: ``owner/name``.
        pr_number: the PR number.
        node: the GraphQL node.
        rest: the same file from the REST files list, when it was fetched for this PR (gives
            ``previous_filename`` and ``patch``); None otherwise.
        with_patches: keep the patch.
    """
    additions = int(node.get("additions") or 0)
    deletions = int(node.get("deletions") or 0)
    return {
        "repo": repo,
        "pr_number": pr_number,
        "filename": node["path"],
        "status": CHANGE_TYPES.get(str(node.get("changeType")), lower(node.get("changeType")) or ""),
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "previous_filename": (rest or {}).get("previous_filename"),
        "patch": (rest or {}).get("patch") if with_patches else None,
        "raw": raw_json(node),
    }


def check_run_row(repo: str, pr_number: int, head_sha: str, node: Node) -> Row:
    """Map a ``CheckRun`` context of the head commit to a ``check_runs`` row."""
    return {
        "repo": repo,
        "pr_number": pr_number,
        "head_sha": head_sha,
        "id": int(node["databaseId"]),
        "name": node.get("name") or "",
        "status": lower(node.get("status")) or "",
        "conclusion": lower(node.get("conclusion")),
        "started_at": parse_time(node.get("startedAt")),
        "completed_at": parse_time(node.get("completedAt")),
        "app_slug": _get(node, "checkSuite", "app", "slug"),
        "raw": raw_json(node),
    }


def needs_rest_files(pr: Node, with_patches: bool) -> bool:
    """Whether a PR's files need the REST list too (patches, or a renamed/copied file's old name)."""
    files = nodes_of(pr, "files")
    if not files:
        return False
    return with_patches or any(str(f.get("changeType")) in RENAMING for f in files)


def pr_rows(
    repo: str,
    pr: Node,
    rest_files: Sequence[Node] | None,
    *,
    stats: bool,
    with_patches: bool,
) -> dict[str, list[Row]]:
    """All rows of one PR: ``{table: rows}`` for the PR tables (comments: when they were fetched)."""
    number = int(pr["number"])
    by_name = {str(f.get("filename")): f for f in rest_files or ()}
    head = str(pr.get("headRefOid") or "")
    checks = [c for c in nodes_of(pr, "checks") if c.get("__typename") == "CheckRun"]
    return {
        "pull_requests": [pull_request_row(repo, pr)],
        "commits": [commit_row(repo, number, c, stats) for c in nodes_of(pr, "commits")],
        "reviews": [review_row(repo, number, r) for r in nodes_of(pr, "reviews")],
        "files": [
            file_row(repo, number, f, by_name.get(str(f["path"])), with_patches)
            for f in nodes_of(pr, "files")
        ],
        "check_runs": [check_run_row(repo, number, head, c) for c in checks],
        "review_comments": [
            review_comment_row(repo, number, c) for c in _latest_by_id(nodes_of(pr, "review_comments"))
        ],
        "issue_comments": [
            issue_comment_row(repo, number, c) for c in _latest_by_id(nodes_of(pr, "issue_comments"))
        ],
    }
