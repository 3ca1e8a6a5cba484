"""What an extract would do, described without touching the network (``prseed extract --dry-run``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
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


def unfinished_api(folder: Path) -> str | None:
    """The API of the unfinished extract of ``folder`` (its work folder's checkpoint), or None.

    ``--resume`` without ``--api`` continues that run with its own API: a default picked from
    the token would differ from it and refuse the resume for an option the user never gave.
    """
    from prseed.extract.workdir import work_dir

    try:
        data = json.loads((work_dir(folder) / "checkpoint.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    params = data.get("params") if isinstance(data, dict) else None
    api = params.get("api") if isinstance(params, dict) else None
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


@dataclass(frozen=True)
class Mode:
    """What a run of a config would do with its output folder.

    Attributes:
        mode: ``refresh`` or ``full``.
        line: one line saying so (and, for a full extraction over a snapshot, why).
        old_prs: PRs of the snapshot a refresh starts from (0 for a full extraction).
    """

    mode: str
    line: str
    old_prs: int = 0


def run_mode(config: ExtractConfig) -> Mode:
    """Whether the run refreshes the snapshot in its output folder, or extracts everything and why."""
    from prseed.extract.pipeline import data_params, refresh_decision  # pyarrow: only when planning
    from prseed.extract.workdir import WorkDir

    from prseed.errors import PrseedError

    work = WorkDir(Path(config.out_dir))
    try:
        pending = work.pending(data_params(config), resume=config.resume, fresh=config.fresh)
    except PrseedError:
        pending = None  # refused by the run (and by check_run before a plan is shown)
    if pending is not None and pending.mode != "refresh":
        return Mode(
            "full", f"full extraction, continuing the unfinished one in {work.path} (--fresh: start over)"
        )
    old, why = refresh_decision(config)
    if old is None:
        return Mode("full", why or "full extraction")
    window = old.manifest["window"]
    since, until = window.get("since"), window.get("until")
    extracted = str(old.manifest.get("finished_at", ""))[:10]
    if since and until:
        created = f"created {since} .. {until}"
    elif since or until:
        created = f"created since {since}" if since else f"created until {until}"
    else:
        created = "created any time"
    going_on = f"continuing the unfinished refresh in {work.path} (--fresh: start over): " if pending else ""
    return Mode(
        "refresh",
        f"{going_on}refresh of {config.out_dir} ({len(old.index)} PRs {created}, extracted {extracted}): "
        "only new and changed PRs are fetched (--full: everything)",
        len(old.index),
    )


def mode_line(config: ExtractConfig) -> str:
    """:func:`run_mode`'s line, as the plan prints it."""
    return f"mode: {run_mode(config).line}"


def refresh_estimate(config: ExtractConfig, old_prs: int) -> dict[str, dict[str, float]]:
    """What a refresh of a snapshot of ``old_prs`` PRs costs, as far as it can be known offline.

    The part that does not depend on what changed: REST replays the listing (one page per 100
    PRs) and asks the contributors list conditionally, all ``304`` and free of primary budget
    when nothing changed, plus the free ``/rate_limit`` check; GraphQL asks one updated-desc page
    (1 point) per repository, plus the repository lookup and the contributors list (REST). Then
    each new or changed PR costs what it costs in a full extraction (:data:`REQUESTS_PER_PR`...,
    or :data:`GRAPHQL_POINTS_PER_PR`). Measured in tests/test_refresh.py and BENCHMARKS.md.

    Returns:
        ``{"unchanged": {"requests", "points"}, "per_changed_pr": {"requests", "points"}}``.
    """
    repos = len(config.project["repos"])
    if config.api_used == "graphql":
        per_pr = GRAPHQL_POINTS_PER_PR if config.comments else GRAPHQL_POINTS_PER_PR_NO_COMMENTS
        return {
            "unchanged": {"requests": 3 * repos + 1, "points": repos},
            "per_changed_pr": {"requests": 0, "points": per_pr},
        }
    requests = (
        REQUESTS_PER_PR
        + (COMMENT_REQUESTS_PER_PR if config.comments else 0)
        + (COMMITS_PER_PR if config.commit_stats else 0)
    )
    return {
        "unchanged": {"requests": math.ceil(old_prs / 100) + repos + 1, "points": 0},
        "per_changed_pr": {"requests": requests, "points": requests},
    }


def plan(config: ExtractConfig) -> str:
    """Describe the run: repositories, mode, window, output, pacing and a cost estimate (lines of text).

    The estimate is a full extraction's; a refresh costs about what its changed PRs cost.
    """
    # Imported on use: the GraphQL package pulls in requests, which `prseed --help` does not need.
    from prseed.extract.graphql.run import batch_size

    prs = config.max_prs or 0
    repos = list(config.project["repos"])
    tokens = f"{len(config.tokens)} token(s)" if config.tokens else "no token"
    mode = run_mode(config)
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
            f"mode: {mode.line}",
            f"window: created {config.since or 'any time'} .. {config.until or 'today'}, "
            f"state {config.state}, up to {prs or 'all'} PRs per repository",
            f"output: {config.out_dir}  api: {config.api_used} at {config.api_url}  ({tokens})",
            f"pacing: at most {config.points_per_minute} requests per minute, {config.max_workers} "
            f"workers, batches of {batch_size(config)} PRs",
            *(_refresh_cost(config, mode.old_prs) if mode.mode == "refresh" else []),
            ("a full extraction's " if mode.mode == "refresh" else "") + cost,
        ]
    )


def _refresh_cost(config: ExtractConfig, old_prs: int) -> list[str]:
    est = refresh_estimate(config, old_prs)
    unchanged, changed = est["unchanged"], est["per_changed_pr"]
    if config.api_used == "graphql":
        each = f"~{changed['points']} GraphQL points"
    else:
        each = f"~{changed['requests']:g} requests (and points)"
    return [
        f"refresh cost: ~{unchanged['requests']:g} requests and {unchanged['points']:g} points when "
        f"nothing changed, plus {each} per new or changed PR (which only GitHub knows: not estimated)"
    ]
