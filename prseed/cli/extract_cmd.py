"""``prseed extract``: GitHub pull requests -> ``snapshots/<project>/``."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from prseed.cli.common import detail, echo, note, quiet, stage_errors, verbosity_options
from prseed.cli.options import config_options, config_values, given
from prseed.errors import ConfigError
from prseed.extract import ExtractConfig, ExtractResult, Progress, check_run, plan
from prseed.extract import run as run_extract
from prseed.extract.plan import (
    estimate_points,
    estimate_requests,
    refresh_estimate,
    run_mode,
    stored_api,
    unfinished_api,
)
from prseed.registry import Project, get_project, project_for_repos


def read_tokens() -> tuple[str, ...]:
    """Tokens from ``GITHUB_SEEDING_TOKENS`` (comma-separated pool) or ``GITHUB_TOKEN``."""
    pool = [t.strip() for t in os.environ.get("GITHUB_SEEDING_TOKENS", "").split(",") if t.strip()]
    if pool:
        return tuple(pool)
    single = os.environ.get("GITHUB_TOKEN", "").strip()
    return (single,) if single else ()


def _project(key: str | None, repos: tuple[str, ...], values: dict[str, Any]) -> Project:
    if key and repos:
        raise ConfigError("give either PROJECT or --repo, not both")
    if key:
        return get_project(key)
    project, said = project_for_repos(repos, values.get("max_prs"), values.get("since"))
    note(said)
    return project


# Waits worth a line of their own (pacing and backoff are short and shown on the progress line).
_RESTS = {"secondary": "secondary limit", "primary": "primary budget spent until its reset"}


class _ProgressLine:
    """Draws progress as one carriage-return line on stderr (only on a terminal, never with --quiet)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        p = progress
        if p.wait_reason in _RESTS:
            # A rest of a minute or more: say why nothing moves, on a terminal or in a log.
            if self.enabled:
                sys.stderr.write("\n")
            why = _RESTS[p.wait_reason]
            note(f"rate-limited: resting {p.wait_seconds:.0f} s ({why}); Ctrl-C stops, --resume continues")
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


def summary_data(result: ExtractResult) -> dict[str, Any]:
    """The end summary as JSON-ready data (``--json``)."""
    commits = result.counts.get("commits", 0)
    commit_calls = result.requests_by_kind.get("commit", 0)
    return {
        "out_dir": str(result.out_dir),
        "rows": result.counts,
        "prs": result.prs,
        "requests": {
            "total": result.requests,
            "by_kind": result.requests_by_kind,
            "per_pr_without_commit_stats": round(result.requests_per_pr, 4),
            "commit_stats": commit_calls,
            "commit_stats_per_commit": round(commit_calls / commits, 4) if commits else 0.0,
        },
        "retries": result.retries,
        "waits": {"count": result.waits, "seconds": round(result.wait_seconds, 3)},
        "truncated_prs": [{"repo": repo, "number": number} for repo, number in result.truncated_prs],
        "seconds": round(result.seconds, 3),
        "api": result.manifest.get("api", "rest"),
        "graphql": result.manifest.get("graphql"),
        "refusals": result.refusals,
        "redirects": result.redirects,
        "unicode_repairs": result.unicode_repairs,
        "mode": result.mode,
        "mode_note": result.mode_note,
        "warnings": result.warnings,
        "lineage": result.manifest.get("lineage"),
    }


def summary(result: ExtractResult) -> str:
    """The end summary printed after a successful extract."""
    c = result.counts
    per_commit = result.requests_by_kind.get("commit", 0)
    # One call per commit; the rest are retries and the calls of a batch an interruption lost
    # (a resumed run asks them again): all spent on this snapshot, so all counted.
    again = per_commit - c["commits"]
    again_said = f", {again} of them retries or re-asked after an interruption" if again > 0 else ""
    verb = "refreshed" if result.mode == "refresh" else "written to"
    lines = [
        f"snapshot {verb} {result.out_dir}",
        f"  PRs {c['pull_requests']}, commits {c['commits']}, reviews {c['reviews']}, "
        f"files {c['files']}, check runs {c['check_runs']}, contributors {c['contributors']}",
        f"  requests {result.requests} ({result.requests_per_pr:.2f} per PR + {per_commit} "
        f"commit-stats calls for {c['commits']} commits{again_said}), retries {result.retries}",
        f"  waits {result.waits} ({result.wait_seconds:.1f} s), truncated PRs "
        f"{len(result.truncated_prs)}, time {result.seconds:.1f} s",
    ]
    graphql = result.manifest.get("graphql")
    if graphql:
        per_pr = graphql["points"] / result.prs if result.prs else 0.0
        lines.append(
            f"  graphql: {graphql['queries']} queries, {graphql['points']} points ({per_pr:.3f} per PR)"
        )
    from prseed.snapshots import lineage_lines  # DuckDB: only once a summary is printed

    lines.extend(lineage_lines(result.manifest))
    lines.extend(describe_answers(result.manifest))
    return "\n".join(lines)


def project_config(proj: Project, values: dict[str, Any], tokens: tuple[str, ...]) -> ExtractConfig:
    """The extract config of one project from the command's option values.

    Options not given take the project's defaults: the window starts ``days_back`` days before
    today (computed once here, so every repository and every resume sees the same window),
    ``max_prs`` is the project's, the folder is ``snapshots/<key>``, and the API is the one of the
    unfinished run that ``--resume`` continues, else the one of the snapshot in that folder (a
    refresh keeps its API; each said in a note), else GraphQL with a token
    (GitHub's GraphQL needs one), REST without (a loopback fake server).
    """
    values = dict(values)
    if values["since"] is None:
        values["since"] = datetime.now(UTC).date() - timedelta(days=proj.days_back)
    if values["max_prs"] is None:
        values["max_prs"] = proj.max_prs
    if values["out_dir"] is None:
        values["out_dir"] = Path("snapshots") / proj.key
    if values["api"] is None and values.get("resume"):
        running = unfinished_api(Path(values["out_dir"]))
        if running is not None:
            values["api"] = running
            note(f"--api {running}: the API of the unfinished extract of {values['out_dir']} (--resume)")
    if values["api"] is None and not values.get("full"):
        stored = stored_api(Path(values["out_dir"]))
        # GitHub's GraphQL needs a token: without one the run is REST (and a full extraction).
        if stored is not None and (stored == "rest" or tokens):
            values["api"] = stored
            note(f"--api {stored}: the API of the snapshot in {values['out_dir']} (--api to change it)")
    values["api"] = values["api"] or ("graphql" if tokens else "rest")
    if values["api"] == "rest" and given("overlap"):
        # Not an error: with several projects some may refresh through GraphQL.
        note(f"--overlap applies to a GraphQL refresh only: {proj.key} goes through REST, which ignores it")
    return ExtractConfig(project=proj.manifest_block(), tokens=tokens, synthetic=proj.synthetic, **values)


_INTERRUPTED = (
    "interrupted; the batches fetched so far are kept: run the same command with --resume to continue "
    "(or --fresh to start over)"
)


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
@click.argument("projects", nargs=-1, metavar="[PROJECT]...")
@click.option(
    "--all", "all_projects", is_flag=True, help="Extract every registry project (not synthetic ones)."
)
@click.option(
    "--tier",
    "tiers",
    multiple=True,
    type=click.Choice(["first-class", "registry"]),
    help="Extract the registry projects of this tier (repeatable).",
)
@click.option(
    "--shard",
    metavar="I/N",
    help="Keep only shard I of N of the selected projects (a stable split by project key, so N "
    "machines with their own tokens share the registry; README, Many projects).",
)
@click.option(
    "--repo",
    "repos",
    multiple=True,
    metavar="OWNER/NAME",
    help="Extract these repositories instead of a registry PROJECT (a registry project's own "
    "repositories get its settings; others an ad-hoc project OWNER--NAME).",
)
@config_options(ExtractConfig)
@click.option(
    "--dry-run", is_flag=True, help="Print the plan (repos, window, request estimate); write nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary (or the plan) as JSON on stdout.")
@verbosity_options
def extract(
    projects: tuple[str, ...],
    all_projects: bool,
    tiers: tuple[str, ...],
    shard: str | None,
    repos: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Extract a project's pull requests from GitHub into a Parquet snapshot.

    PROJECT is a registry key (`prseed projects`); or use --repo OWNER/NAME. Without options a
    registry project uses its own max PRs and days back. Several PROJECTs, --all or --tier
    extract each project in turn into OUT/<project> (OUT default snapshots) with one token pool
    and governor; failures are listed at the end (exit code: the first failure's) and --resume
    continues the whole run. Token: GITHUB_TOKEN, or a pool in GITHUB_SEEDING_TOKENS
    (comma-separated); .env is read.
    """
    if len(projects) > 1 or all_projects or tiers or shard:
        from prseed.cli.extract_many import extract_many

        extract_many(projects, all_projects, tiers, shard, repos, dry_run, as_json, options)
        return
    project = projects[0] if projects else None
    with stage_errors(_INTERRUPTED):
        values = config_values(ExtractConfig, options)
        if values["resume"] and values["fresh"]:
            raise ConfigError("--resume and --fresh exclude each other")
        proj = _project(project, repos, values)
        config = project_config(proj, values, read_tokens())
        if dry_run:
            check_run(config)  # report now what the run would refuse
            if as_json:
                echo(json.dumps(plan_data(config), indent=2))
            else:
                echo(plan(config))
            return
        detail(plan(config))
        # Imported here: pyarrow is needed only when an extract really runs.
        from prseed.extract.memory import limit_allocator_retention

        limit_allocator_retention()
        result = run_extract(config, _ProgressLine(not quiet() and sys.stderr.isatty()))
    if result.mode_note:
        note(result.mode_note)
    for line in result.warnings:
        note(f"warning: {line}", fg="yellow")
    if as_json:
        echo(json.dumps(summary_data(result), indent=2))
    else:
        echo(summary(result))


def plan_data(config: ExtractConfig) -> dict[str, Any]:
    """The dry-run plan as JSON-ready data.

    ``mode`` is ``refresh`` or ``full`` (``mode_note`` the line saying so and why);
    ``estimated_requests`` and ``estimated_graphql_points`` are a full extraction's (what the run
    costs in ``full`` mode); ``refresh_estimate`` (``refresh`` mode, else null) is what a refresh
    costs when nothing changed and per new or changed PR.
    """
    mode = run_mode(config)
    return {
        "project": config.project["key"],
        "repos": list(config.project["repos"]),
        "out_dir": str(config.out_dir),
        "since": config.since.isoformat() if config.since else None,
        "until": config.until.isoformat() if config.until else None,
        "state": config.state,
        "max_prs": config.max_prs,
        "api_url": config.api_url,
        "api": config.api_used,
        "tokens": len(config.tokens),
        "estimated_requests": estimate_requests(config),
        "estimated_graphql_points": estimate_points(config) if config.api_used == "graphql" else 0,
        "mode": mode.mode,
        "mode_note": mode.line,
        "refresh_estimate": refresh_estimate(config, mode.old_prs) if mode.mode == "refresh" else None,
    }


def register(group: click.Group) -> None:
    """Add the command to the CLI group."""
    group.add_command(extract)
