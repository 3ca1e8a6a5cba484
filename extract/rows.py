"""Pure mapping from GitHub API objects to snapshot rows (schemas/snapshot/*.schema.json).

Nothing here does I/O. Every function takes API-shaped dicts and returns plain dicts whose keys
are the contracted columns, in contract order. ``raw`` keeps the API object itself, canonical and
without hypermedia links or patches, so later stages never need GitHub again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

Row = dict[str, Any]
ApiObject = Mapping[str, Any]

# GitHub caps these lists; a list of exactly this length may hide more items.
COMMITS_CAP = 250
FILES_CAP = 3000


def strip_hypermedia(value: Any) -> Any:
    """Drop ``url``, ``*_url``, ``_links`` and ``patch`` keys, recursively.

    Args:
        value: any JSON value.

    Returns:
        A copy without those keys (lists and nested objects included).
    """
    if isinstance(value, Mapping):
        return {
            key: strip_hypermedia(item)
            for key, item in value.items()
            if not (key == "url" or key.endswith("_url") or key in ("_links", "patch"))
        }
    if isinstance(value, list):
        return [strip_hypermedia(item) for item in value]
    return value


# Fields of the stored API objects that GitHub changes without the owning PR's ``updated_at`` or
# head SHA changing: left out of ``raw``, so the rows of an unchanged PR stay what a full
# extraction would write (a refresh copies them; README, "What a refresh cannot see"). Paths from
# the object's root; ``*`` is every item of a list. A GitHub App object (a check run's ``app``, a
# comment's ``performed_via_github_app``) keeps its identity (id, slug, name, owner) and loses what
# its owner edits (description, permissions, events, its updated_at).
_APP_VOLATILE = ("updated_at", "description", "permissions", "events", "installations_count")
VOLATILE: dict[str, tuple[tuple[str, ...], ...]] = {
    "pull_requests": (
        # The whole repository objects: star, fork, watcher and issue counters, size, pushed_at,
        # the repository's own updated_at, settings, description, topics, a fork deleted (null)...
        ("base", "repo"),
        ("head", "repo"),
        # The milestone's counters and state follow every other issue in it.
        *(
            ("milestone", k)
            for k in (
                "open_issues",
                "closed_issues",
                "updated_at",
                "state",
                "closed_at",
                "due_on",
                "description",
            )
        ),
        # A label's colour and description are edited on the label, not on the PR.
        *(("labels", "*", k) for k in ("color", "description", "default")),
    ),
    # Commit comments (on the commit, not the PR) and a signature's verification (re-checked when
    # keys change) move on their own.
    "commits": (("commit", "comment_count"), ("commit", "verification")),
    # The check run's PR references name the repositories (renamed with them).
    "check_runs": (
        *(("app", k) for k in _APP_VOLATILE),
        ("pull_requests", "*", "base", "repo"),
        ("pull_requests", "*", "head", "repo"),
    ),
    # Reactions change neither the comment's nor the PR's updated_at.
    "issue_comments": (("reactions",), *(("performed_via_github_app", k) for k in _APP_VOLATILE)),
    "review_comments": (("reactions",), *(("performed_via_github_app", k) for k in _APP_VOLATILE)),
}


def without(value: Any, paths: tuple[tuple[str, ...], ...]) -> Any:
    """A copy of ``value`` without the keys at ``paths`` (``*`` steps into every list item)."""
    if not paths:
        return value
    if isinstance(value, list):
        inner = tuple(p[1:] for p in paths if p and p[0] == "*")
        return [without(item, inner) for item in value]
    if not isinstance(value, Mapping):
        return value
    drop = {p[0] for p in paths if len(p) == 1}
    out = {}
    for key, item in value.items():
        if key in drop:
            continue
        inner = tuple(p[1:] for p in paths if len(p) > 1 and p[0] == key)
        out[key] = without(item, inner) if inner else item
    return out


def canonical_json(value: Any) -> str:
    """Serialise JSON the one canonical way: sorted keys, compact, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def raw_json(obj: ApiObject, table: str = "") -> str:
    """The ``raw`` column: the API object as canonical JSON, without what is not data.

    Hypermedia links and patches go everywhere; for a REST object of ``table`` also the
    :data:`VOLATILE` fields.
    """
    return canonical_json(strip_hypermedia(without(obj, VOLATILE.get(table, ()))))


def parse_time(value: str | None) -> datetime | None:
    """Parse a GitHub ISO-8601 timestamp (``Z`` or an offset) into an aware UTC datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _get(obj: ApiObject | None, *path: str) -> Any:
    """Follow keys through nested objects, returning None at the first missing or null step."""
    current: Any = obj
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def is_bot(user: ApiObject | None) -> bool:
    """Whether a user object is a bot (type Bot, or a ``[bot]`` login)."""
    if not user:
        return False
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def pull_request_row(
    repo: str,
    pull: ApiObject,
    files: Sequence[ApiObject],
    commits: Sequence[ApiObject],
    detail: ApiObject | None = None,
) -> Row:
    """Map a pull request (list shape) to a ``pull_requests`` row.

    Additions, deletions and counts come from the files and commits lists, which is what the
    PR detail call would say as long as neither list hit GitHub's cap. When one did, ``detail``
    (the PR detail object) gives the true figures and the row is flagged truncated.

    Args:
        repo: ``owner/name`` as written in the registry.
        pull: the PR object from ``GET /repos/{o}/{r}/pulls``.
        files: the PR's files list.
        commits: the PR's commits list.
        detail: the ``GET .../pulls/{n}`` object, fetched only when a list hit its cap.

    Returns:
        The row.
    """
    additions = sum(int(f.get("additions") or 0) for f in files)
    deletions = sum(int(f.get("deletions") or 0) for f in files)
    changed_files = len(files)
    commits_count = len(commits)
    if detail is not None:
        additions = int(detail.get("additions", additions))
        deletions = int(detail.get("deletions", deletions))
        changed_files = int(detail.get("changed_files", changed_files))
        commits_count = int(detail.get("commits", commits_count))
    user = pull.get("user")
    return {
        "repo": repo,
        "number": int(pull["number"]),
        "id": int(pull["id"]),
        "node_id": pull.get("node_id") or "",
        "title": pull.get("title") or "",
        "body": pull.get("body"),
        "state": pull["state"],
        "draft": bool(pull.get("draft")),
        "author_login": _get(user, "login"),
        "author_id": _get(user, "id"),
        "author_type": _get(user, "type"),
        "author_association": pull.get("author_association"),
        "created_at": parse_time(pull["created_at"]),
        "updated_at": parse_time(pull.get("updated_at")),
        "closed_at": parse_time(pull.get("closed_at")),
        "merged_at": parse_time(pull.get("merged_at")),
        "head_ref": _get(pull, "head", "ref"),
        "base_ref": _get(pull, "base", "ref"),
        "head_sha": _get(pull, "head", "sha"),
        "merge_commit_sha": pull.get("merge_commit_sha"),
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed_files,
        "commits_count": commits_count,
        "labels": [str(label.get("name")) for label in pull.get("labels") or []],
        "milestone": _get(pull, "milestone", "title"),
        "assignees": [str(a.get("login")) for a in pull.get("assignees") or [] if a],
        "requested_reviewers": [str(r.get("login")) for r in pull.get("requested_reviewers") or [] if r],
        "commits_truncated": commits_count > len(commits),
        "files_truncated": changed_files > len(files),
        "raw": raw_json(pull, "pull_requests"),
    }


def commit_row(repo: str, pr_number: int, commit: ApiObject, stats: ApiObject | None) -> Row:
    """Map a PR commit (``GET .../pulls/{n}/commits`` item) to a ``commits`` row.

    Args:
        repo: ``owner/name``.
        pr_number: the PR number.
        commit: the list item.
        stats: the ``stats`` object of the commit detail, or None without commit stats.

    Returns:
        The row.
    """
    git = commit.get("commit") or {}
    return {
        "repo": repo,
        "pr_number": pr_number,
        "sha": commit["sha"],
        "author_login": _get(commit, "author", "login"),
        "author_id": _get(commit, "author", "id"),
        "author_name": _get(git, "author", "name"),
        "author_email": _get(git, "author", "email"),
        "committer_login": _get(commit, "committer", "login"),
        "authored_at": parse_time(_get(git, "author", "date")),
        "committed_at": parse_time(_get(git, "committer", "date")),
        "message": git.get("message") or "",
        "parents_count": len(commit.get("parents") or []),
        "additions": None if stats is None else int(stats.get("additions") or 0),
        "deletions": None if stats is None else int(stats.get("deletions") or 0),
        "raw": raw_json(commit, "commits"),
    }


def review_row(repo: str, pr_number: int, review: ApiObject) -> Row:
    """Map a PR review to a ``reviews`` row."""
    user = review.get("user")
    return {
        "repo": repo,
        "pr_number": pr_number,
        "id": int(review["id"]),
        "reviewer_login": _get(user, "login"),
        "reviewer_id": _get(user, "id"),
        "reviewer_type": _get(user, "type"),
        "state": review["state"],
        "submitted_at": parse_time(review.get("submitted_at")),
        "body": review.get("body"),
        "commit_id": review.get("commit_id"),
        "author_association": review.get("author_association"),
        "raw": raw_json(review),
    }


def review_comment_row(repo: str, pr_number: int, comment: ApiObject) -> Row:
    """Map a review comment (``GET .../pulls/{n}/comments`` item) to a ``review_comments`` row.

    ``line`` is GitHub's line in the diff's latest version (null once the comment is outdated);
    ``original_line`` the line first commented on.
    """
    user = comment.get("user")
    return {
        "repo": repo,
        "pr_number": pr_number,
        "id": int(comment["id"]),
        "review_id": comment.get("pull_request_review_id"),
        "author_login": _get(user, "login"),
        "author_id": _get(user, "id"),
        "author_type": _get(user, "type"),
        "body": comment.get("body"),
        "path": comment.get("path"),
        "line": comment.get("line"),
        "original_line": comment.get("original_line"),
        "in_reply_to_id": comment.get("in_reply_to_id"),
        "commit_id": comment.get("commit_id"),
        "created_at": parse_time(comment["created_at"]),
        "updated_at": parse_time(comment.get("updated_at")),
        "author_association": comment.get("author_association"),
        "raw": raw_json(comment, "review_comments"),
    }


def issue_comment_row(repo: str, pr_number: int, comment: ApiObject) -> Row:
    """Map a conversation comment (``GET .../issues/{n}/comments`` item) to an ``issue_comments`` row."""
    user = comment.get("user")
    return {
        "repo": repo,
        "pr_number": pr_number,
        "id": int(comment["id"]),
        "author_login": _get(user, "login"),
        "author_id": _get(user, "id"),
        "author_type": _get(user, "type"),
        "body": comment.get("body"),
        "created_at": parse_time(comment["created_at"]),
        "updated_at": parse_time(comment.get("updated_at")),
        "author_association": comment.get("author_association"),
        "raw": raw_json(comment, "issue_comments"),
    }


def file_row(repo: str, pr_number: int, item: ApiObject, with_patches: bool) -> Row:
    """Map a PR file to a ``files`` row; the patch is kept only ``with_patches``."""
    return {
        "repo": repo,
        "pr_number": pr_number,
        "filename": item["filename"],
        "status": item["status"],
        "additions": int(item.get("additions") or 0),
        "deletions": int(item.get("deletions") or 0),
        "changes": int(item.get("changes") or 0),
        "previous_filename": item.get("previous_filename"),
        "patch": item.get("patch") if with_patches else None,
        "raw": raw_json(item),
    }


def check_run_row(repo: str, pr_number: int, head_sha: str, run: ApiObject) -> Row:
    """Map a check run of a PR's head commit to a ``check_runs`` row."""
    return {
        "repo": repo,
        "pr_number": pr_number,
        "head_sha": head_sha,
        "id": int(run["id"]),
        "name": run.get("name") or "",
        "status": run.get("status") or "",
        "conclusion": run.get("conclusion"),
        "started_at": parse_time(run.get("started_at")),
        "completed_at": parse_time(run.get("completed_at")),
        "app_slug": _get(run, "app", "slug"),
        "raw": raw_json(run, "check_runs"),
    }


def profile_targets(contributors: Sequence[ApiObject], max_members: int) -> list[str]:
    """Logins whose profile is fetched: the top ``max_members`` non-bot contributors, in rank order."""
    logins = [str(c["login"]) for c in contributors if c.get("login") and not is_bot(c)]
    return logins[:max_members]


def contributor_rows(
    repo: str,
    contributors: Sequence[ApiObject],
    profiles: Mapping[str, ApiObject | None],
) -> list[Row]:
    """Map the contributors list (already in GitHub's rank order) to ``contributors`` rows.

    Args:
        repo: ``owner/name``.
        contributors: ``GET /repos/{o}/{r}/contributors`` items, most contributions first.
        profiles: ``/users/{login}`` objects by login for the fetched profiles; None when the
            profile was requested but the user no longer exists.

    Returns:
        One row per contributor with a login (anonymous entries have none and are skipped).
    """
    rows = []
    rank = 0
    for item in contributors:
        login = item.get("login")
        if not login:
            continue
        rank += 1
        fetched = login in profiles
        profile = profiles.get(login) or {}
        rows.append(
            {
                "repo": repo,
                "login": login,
                "id": int(item["id"]),
                "type": item.get("type") or "User",
                "contributions": int(item.get("contributions") or 0),
                "rank": rank,
                "name": profile.get("name"),
                "email": profile.get("email"),
                "profile_fetched": fetched,
                "raw": raw_json(item),
            }
        )
    return rows


def sort_rows(rows: list[Row], key: Sequence[str]) -> list[Row]:
    """Sort rows by a table key (the contract's ``x-key``)."""
    return sorted(rows, key=lambda row: tuple(row[k] for k in key))
