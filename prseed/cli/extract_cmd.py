"""``prseed extract``: GitHub pull requests -> ``snapshots/<project>/``."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from prseed.cli.common import stage_errors
from prseed.errors import ConfigError
from prseed.extract import ExtractConfig, ExtractResult, Progress
from prseed.extract import run as run_extract
from prseed.registry import Project, adhoc_project, get_project

DEFAULT_API_URL = "https://api.github.com"


def read_tokens() -> tuple[str, ...]:
    """Tokens from ``GITHUB_SEEDING_TOKENS`` (comma-separated pool) or ``GITHUB_TOKEN``."""
    pool = [t.strip() for t in os.environ.get("GITHUB_SEEDING_TOKENS", "").split(",") if t.strip()]
    if pool:
        return tuple(pool)
    single = os.environ.get("GITHUB_TOKEN", "").strip()
    return (single,) if single else ()


def _project(key: str | None, repos: tuple[str, ...]) -> Project:
    if key and repos:
        raise ConfigError("give either PROJECT or --repo, not both")
    if key:
        return get_project(key)
    if not repos:
        raise ConfigError("name a PROJECT (see `prseed projects`) or give --repo OWNER/NAME")
    first = adhoc_project(repos[0])
    for repo in repos[1:]:
        adhoc_project(repo)  # validates OWNER/NAME
    return Project(**{**first.__dict__, "repos": repos})


class _ProgressLine:
    """Draws progress as one carriage-return line on stderr (only on a terminal, never with --quiet)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        p = progress
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2 and not p.wait_reason and p.phase != "done":
            return
        self.last = now
        budget = "?" if p.budget_left is None else str(p.budget_left)
        if p.prs_total:
            width = 24
            filled = int(width * p.prs_done / p.prs_total)
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {p.prs_done}/{p.prs_total} PRs"
        else:
            bar = f"{p.phase}..."
        wait = f"  waiting {p.wait_seconds:.0f}s ({p.wait_reason})" if p.wait_reason else ""
        line = f"\r{bar}  {p.requests} requests  budget {budget}{wait}"
        sys.stderr.write(line.ljust(100)[:120])
        if p.phase == "done":
            sys.stderr.write("\n")
        sys.stderr.flush()


def summary(result: ExtractResult) -> str:
    """The end summary printed after a successful extract."""
    c = result.counts
    per_commit = result.requests_by_kind.get("commit", 0)
    lines = [
        f"snapshot written to {result.out_dir}",
        f"  PRs {c['pull_requests']}, commits {c['commits']}, reviews {c['reviews']}, "
        f"files {c['files']}, check runs {c['check_runs']}, contributors {c['contributors']}",
        f"  requests {result.requests} ({result.requests_per_pr:.2f} per PR + {per_commit} "
        f"commit-stats calls), retries {result.retries}",
        f"  waits {result.waits} ({result.wait_seconds:.1f} s), truncated PRs "
        f"{len(result.truncated_prs)}, time {result.seconds:.1f} s",
        *describe_answers(result.manifest),
    ]
    return "\n".join(lines)


def describe_answers(manifest: dict[str, Any]) -> list[str]:
    """Lines on what GitHub refused, where it redirected, and the text repaired (issue 10)."""
    lines = []
    for moved in manifest.get("redirects", []):
        lines.append(f"  redirect {moved['from']} -> {moved['to']} ({moved['status']})")
    refusals = manifest.get("refusals", [])
    if refusals:
        lines.append(f"  refused {len(refusals)} resources (the run went on; listed in the manifest):")
        for r in refusals:
            where = f"{r['repo']}#{r['number']}" if r["number"] is not None else r["repo"]
            lines.append(f"    {where} {r['endpoint']}: {r['status']} {r['reason']} -> {r['effect']}")
    if manifest.get("unicode_repairs"):
        lines.append(
            f"  unicode repairs {manifest['unicode_repairs']} (strings with invalid text, now U+FFFD)"
        )
    return lines


@click.command("extract")
@click.argument("project", required=False)
@click.option(
    "--repo",
    "repos",
    multiple=True,
    metavar="OWNER/NAME",
    help="Extract these repositories (ad-hoc project) instead of a registry PROJECT.",
)
@click.option(
    "--max-prs",
    type=click.IntRange(min=1),
    help="Keep the N most recently created PRs of the window (per repository).",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day of the window (created_at, UTC). Default: today - days_back.",
)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the window.")
@click.option("--state", type=click.Choice(["all", "open", "closed"]), default="all", show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The snapshot folder (default snapshots/<project>).",
)
@click.option(
    "--api-url",
    envvar="GITHUB_API_URL",
    default=DEFAULT_API_URL,
    show_default=True,
    help="REST base; GitHub Enterprise Server: https://HOST/api/v3 (env GITHUB_API_URL).",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted extract.")
@click.option("--fresh", is_flag=True, help="Discard an interrupted extract and start over.")
@click.option("--with-patches", is_flag=True, help="Keep file diffs (files.patch).")
@click.option(
    "--commit-stats/--no-commit-stats",
    default=True,
    show_default=True,
    help="Fetch additions/deletions of every commit (one request per commit).",
)
@click.option("--max-workers", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--batch-delay", type=click.FloatRange(min=0), default=1.0, show_default=True)
@click.option("--max-retries", type=click.IntRange(min=0), default=6, show_default=True)
@click.option(
    "--points-per-minute",
    type=click.IntRange(min=1),
    default=900,
    show_default=True,
    help="Pacing ceiling: at most N REST requests per minute over all workers and tokens "
    "(GitHub's secondary rate limit allows 900 points per minute). Lower it to share the budget "
    "with other tools; raise it only for a GitHub Enterprise Server with other limits or a "
    "local fake server.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan (repos, window, request estimate).")
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
def extract(
    project: str | None,
    repos: tuple[str, ...],
    max_prs: int | None,
    since: datetime | None,
    until: datetime | None,
    state: str,
    out_dir: Path | None,
    api_url: str,
    resume: bool,
    fresh: bool,
    with_patches: bool,
    commit_stats: bool,
    max_workers: int,
    batch_size: int,
    batch_delay: float,
    max_retries: int,
    points_per_minute: int,
    dry_run: bool,
    quiet: bool,
) -> None:
    """Extract a project's pull requests from GitHub into a Parquet snapshot.

    PROJECT is a registry key (`prseed projects`); or use --repo OWNER/NAME. Without options a
    registry project uses its own max PRs and days back. Token: GITHUB_TOKEN, or a pool in
    GITHUB_SEEDING_TOKENS (comma-separated); .env is read.
    """
    with stage_errors():
        if resume and fresh:
            raise ConfigError("--resume and --fresh exclude each other")
        proj = _project(project, repos)
        since_day: date | None = since.date() if since else None
        if since_day is None:
            # Computed once here so every repo and every resume sees the same window.
            since_day = datetime.now(UTC).date() - timedelta(days=proj.days_back)
        config = ExtractConfig(
            project=proj.manifest_block(),
            out_dir=out_dir or Path("snapshots") / proj.key,
            tokens=read_tokens(),
            api_url=api_url,
            max_prs=max_prs if max_prs is not None else proj.max_prs,
            since=since_day,
            until=until.date() if until else None,
            state=state,
            resume=resume,
            fresh=fresh,
            with_patches=with_patches,
            commit_stats=commit_stats,
            max_workers=max_workers,
            batch_size=batch_size,
            batch_delay=batch_delay,
            max_retries=max_retries,
            points_per_minute=points_per_minute,
            synthetic=proj.synthetic,
        )
        if dry_run:
            click.echo(plan(config))
            return
        # Imported here: pyarrow is needed only when an extract really runs.
        from prseed.extract.memory import limit_allocator_retention

        limit_allocator_retention()
        result = run_extract(config, _ProgressLine(not quiet and sys.stderr.isatty()))
    click.echo(summary(result))


def plan(config: ExtractConfig) -> str:
    """Describe what an extract would do, without touching the network."""
    prs = config.max_prs or 0
    repos = list(config.project["repos"])
    per_pr = 4 + (5 if config.commit_stats else 0)  # ~5 commits per PR is typical
    estimate = len(repos) * (prs * per_pr + prs // 100 + 2 + int(config.project["max_members"]))
    tokens = f"{len(config.tokens)} token(s)" if config.tokens else "no token"
    return "\n".join(
        [
            f"project {config.project['key']}: {', '.join(repos)}",
            f"window: created {config.since or 'any time'} .. {config.until or 'today'}, "
            f"state {config.state}, up to {prs or 'all'} PRs per repository",
            f"output: {config.out_dir}  api: {config.api_url}  ({tokens})",
            f"pacing: at most {config.points_per_minute} requests per minute, {config.max_workers} "
            f"workers, batches of {config.batch_size} PRs",
            f"estimated requests: ~{estimate} (4 per PR"
            + (" + 1 per commit, ~5 commits per PR" if config.commit_stats else "")
            + f" + lists and {config.project['max_members']} profiles per repository)",
        ]
    )


def register(group: click.Group) -> None:
    """Add the command to the CLI group."""
    group.add_command(extract)
