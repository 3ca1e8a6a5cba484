"""What an extract would do, described without touching the network (``prseed extract --dry-run``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from prseed.extract.config import ExtractConfig

#: A typical PR has about five commits; each costs one commit-stats request.
COMMITS_PER_PR = 5
#: Requests per PR besides commit stats: commits, files, reviews and head check-run lists.
REQUESTS_PER_PR = 4
#: Requests per PR for its comments: the review-comment and the conversation-comment lists.
COMMENT_REQUESTS_PER_PR = 2
#: GraphQL points per PR: details pages, the PR list and the review-comment queries (measured at
#: 200 PRs with comments: 0.105, fixed per-run queries included; BENCHMARKS.md).
GRAPHQL_POINTS_PER_PR = 0.105
#: Without comments: 1/18 point per PR for the details pages plus 0.01 for the list.
GRAPHQL_POINTS_PER_PR_NO_COMMENTS = 0.0725


def stored_api(folder: Path) -> str | None:
    """The API a complete snapshot in ``folder`` was extracted with, or None (no snapshot there).

    Read from its manifest without verifying it (the run verifies it before refreshing); this
    only picks the default ``--api``, so that a refresh is not turned into a full extraction by
    the default alone.
    """
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("kind") != "prseed-snapshot":
        return None
    if not manifest.get("completed"):
        return None
    api = manifest.get("api", "rest")
    return api if api in ("rest", "graphql") else None


def estimate_requests(config: ExtractConfig) -> int:
    """Requests a run of ``config`` needs, roughly (PR lists, per-PR lists, commit stats, profiles)."""
    prs = config.max_prs or 0
    per_pr = (
        REQUESTS_PER_PR
        + (COMMENT_REQUESTS_PER_PR if config.comments else 0)
        + (COMMITS_PER_PR if config.commit_stats else 0)
    )
    repos = len(config.project["repos"])
    return repos * (prs * per_pr + prs // 100 + 2 + int(config.project["max_members"]))


def estimate_points(config: ExtractConfig) -> int:
    """GraphQL points a run of ``config`` needs, roughly (``--api graphql``).

    1/18 point per PR for the details pages (18 PRs for 1 point), 0.01 for the PR list, the
    review-comment queries (with comments), and a few queries per repository for long lists and
    the profiles (see BENCHMARKS.md).
    """
    prs = config.max_prs or 0
    per_pr = GRAPHQL_POINTS_PER_PR if config.comments else GRAPHQL_POINTS_PER_PR_NO_COMMENTS
    return len(config.project["repos"]) * (math.ceil(prs * per_pr) + 3)


def mode_line(config: ExtractConfig) -> str:
    """Whether the run refreshes the snapshot in its output folder, or extracts everything and why."""
    from prseed.extract.pipeline import refresh_decision  # pyarrow: only when planning a run

    old, why = refresh_decision(config)
    if old is not None:
        window = old.manifest["window"]
        since, until = window.get("since") or "any time", window.get("until") or "then"
        return (
            f"mode: refresh of {config.out_dir} ({len(old.index)} PRs, created {since} .. {until}): "
            "only new and changed PRs are fetched (--full: everything)"
        )
    return f"mode: {why or 'full extraction'}"


def plan(config: ExtractConfig) -> str:
    """Describe the run: repositories, mode, window, output, pacing and a cost estimate (lines of text).

    The estimate is a full extraction's; a refresh costs about what its changed PRs cost.
    """
    # Imported on use: the GraphQL package pulls in requests, which `prseed --help` does not need.
    from prseed.extract.graphql.run import batch_size

    prs = config.max_prs or 0
    repos = list(config.project["repos"])
    tokens = f"{len(config.tokens)} token(s)" if config.tokens else "no token"
    if config.api_used == "graphql":
        cost = (
            f"estimated GraphQL points: ~{estimate_points(config)} (about "
            f"{GRAPHQL_POINTS_PER_PR if config.comments else GRAPHQL_POINTS_PER_PR_NO_COMMENTS} per "
            "PR; contributors and renamed files' lists through REST)"
        )
    else:
        cost = (
            f"estimated requests: ~{estimate_requests(config)} "
            f"({REQUESTS_PER_PR + (COMMENT_REQUESTS_PER_PR if config.comments else 0)} per PR"
            + (" with the 2 comment lists" if config.comments else "")
            + (f" + 1 per commit, ~{COMMITS_PER_PR} commits per PR" if config.commit_stats else "")
            + f" + lists and {config.project['max_members']} profiles per repository)"
        )
    return "\n".join(
        [
            f"project {config.project['key']}: {', '.join(repos)}",
            mode_line(config),
            f"window: created {config.since or 'any time'} .. {config.until or 'today'}, "
            f"state {config.state}, up to {prs or 'all'} PRs per repository",
            f"output: {config.out_dir}  api: {config.api_used} at {config.api_url}  ({tokens})",
            f"pacing: at most {config.points_per_minute} requests per minute, {config.max_workers} "
            f"workers, batches of {batch_size(config)} PRs",
            cost,
        ]
    )
