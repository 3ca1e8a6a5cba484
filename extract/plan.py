"""What an extract would do, described without touching the network (``prseed extract --dry-run``)."""

from __future__ import annotations

from prseed.extract.config import ExtractConfig

#: A typical PR has about five commits; each costs one commit-stats request.
COMMITS_PER_PR = 5
#: Requests per PR besides commit stats: commits, files, reviews and head check-run lists.
REQUESTS_PER_PR = 4


def estimate_requests(config: ExtractConfig) -> int:
    """Requests a run of ``config`` needs, roughly (PR lists, per-PR lists, commit stats, profiles)."""
    prs = config.max_prs or 0
    per_pr = REQUESTS_PER_PR + (COMMITS_PER_PR if config.commit_stats else 0)
    repos = len(config.project["repos"])
    return repos * (prs * per_pr + prs // 100 + 2 + int(config.project["max_members"]))


def plan(config: ExtractConfig) -> str:
    """Describe the run: repositories, window, output, pacing and a request estimate (lines of text)."""
    prs = config.max_prs or 0
    repos = list(config.project["repos"])
    tokens = f"{len(config.tokens)} token(s)" if config.tokens else "no token"
    return "\n".join(
        [
            f"project {config.project['key']}: {', '.join(repos)}",
            f"window: created {config.since or 'any time'} .. {config.until or 'today'}, "
            f"state {config.state}, up to {prs or 'all'} PRs per repository",
            f"output: {config.out_dir}  api: {config.api_url}  ({tokens})",
            f"pacing: at most {config.points_per_minute} requests per minute, {config.max_workers} "
            f"workers, batches of {config.batch_size} PRs",
            f"estimated requests: ~{estimate_requests(config)} ({REQUESTS_PER_PR} per PR"
            + (f" + 1 per commit, ~{COMMITS_PER_PR} commits per PR" if config.commit_stats else "")
            + f" + lists and {config.project['max_members']} profiles per repository)",
        ]
    )
