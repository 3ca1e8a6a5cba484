"""``prseed snapshot info|verify|diff``: inspect and review snapshots."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from prseed.cli.common import echo, error_message, stage_errors, verbosity_options
from prseed.errors import ConfigError, PrseedError
from prseed.registry import check_key
from prseed.seeding import unknown_project
from prseed.snapshots import (
    changes_markdown,
    diff_snapshots,
    failed_projects,
    lineage_lines,
    outcomes_problem,
    snapshot_changes,
    snapshot_info,
    verify_snapshot,
)


def _folder(value: str) -> Path:
    """Accept a folder path (anything with a ``/``, or an existing folder) or a project key."""
    if not value.strip():
        # Path("") is ".", the current folder: an empty name (an unset shell variable) is refused.
        raise ConfigError("an empty SNAPSHOT name; pass a project key (e.g. demo) or a snapshot folder")
    path = Path(value)
    if path.is_dir() or "/" in value or value in (".", ".."):
        return path
    check_key(value)
    if not (Path("snapshots") / value).is_dir():
        raise unknown_project(value, Path("snapshots"), Path("build"))
    return Path("snapshots") / value


@click.group("snapshot")
def snapshot() -> None:
    """Inspect, verify and compare snapshots (SNAPSHOT is a folder or a project key)."""


def requests_split(manifest: dict[str, Any]) -> dict[str, Any]:
    """Requests of a snapshot split into per-PR requests and per-commit commit-stats calls.

    ``commit`` requests (commit stats, one per commit) scale with commits, not PRs; ``rate-limit``
    checks are free. The rest (PR lists, commits, files, reviews and check runs of each PR,
    contributors) is what a PR costs.
    """
    requests = manifest["requests"]
    by_kind = requests.get("by_kind", {})
    prs = manifest["tables"]["pull_requests"]["rows"]
    commits = manifest["tables"]["commits"]["rows"]
    commit_calls = int(by_kind.get("commit", 0))
    free = int(by_kind.get("rate-limit", 0))
    per_pr_total = requests["total"] - commit_calls - free
    return {
        "total": requests["total"],
        "per_pr": round(requests["total"] / prs, 4) if prs else 0.0,
        "pr_requests": per_pr_total,
        "pr_requests_per_pr": round(per_pr_total / prs, 4) if prs else 0.0,
        "commit_stats": commit_calls,
        "commit_stats_per_commit": round(commit_calls / commits, 4) if commits else 0.0,
        "commits_per_pr": round(commits / prs, 4) if prs else 0.0,
        "rate_limit_checks": free,
        "by_kind": by_kind,
    }


@snapshot.command("info")
@click.argument("snapshot_ref", metavar="SNAPSHOT")
@click.option("--json", "as_json", is_flag=True, help="Print the summary (with the manifest) as JSON.")
@verbosity_options
def info(snapshot_ref: str, as_json: bool) -> None:
    """Show counts, window, requests spent and truncated PRs of a snapshot."""
    with stage_errors():
        result = snapshot_info(_folder(snapshot_ref))
    m = result.manifest
    split = requests_split(m)
    if as_json:
        data = {
            "folder": str(result.folder),
            "project": m["project"]["key"],
            "rows": result.rows,
            "requests": split,
            "bytes": result.bytes_total,
            "bytes_per_pr": round(result.bytes_per_pr, 1),
            "etags": {"files": result.etag_files, "bytes": result.etag_bytes},
            "truncated_prs": m["truncated_prs"],
            "refusals": m.get("refusals", []),
            "redirects": m.get("redirects", []),
            "unicode_repairs": m.get("unicode_repairs", 0),
            "api": m.get("api") or m.get("parameters", {}).get("api") or "rest",
            "graphql": m.get("graphql"),
            "comments_note": result.comments_note,
            "lineage": m.get("lineage"),
            "manifest": m,
        }
        echo(json.dumps(data, indent=2, sort_keys=True))
        return
    project = m["project"]
    window = m["window"]
    echo(f"snapshot     {result.folder}  ({'synthetic' if m.get('synthetic') else 'real'} data)")
    echo(f"project      {project['key']}: {', '.join(project['repos'])}")
    echo(f"window       {window.get('since') or '-'} .. {window.get('until') or '-'} (created_at)")
    echo(f"extracted    {m['started_at']} .. {m['finished_at']} by prseed {m['tool_version']}")
    for line in lineage_lines(m):
        echo(line)
    for name, rows in result.rows.items():
        echo(f"  {name:<15} {rows:>9,} rows")
    if result.comments_note:
        echo(f"comments     {result.comments_note}")
    echo(
        f"requests     {split['total']:,} ({split['per_pr']:.2f} per PR in all); retries {m['retries']}; "
        f"waits {m['waits']['count']} ({m['waits']['seconds']:.1f} s)"
    )
    echo(
        f"  per PR     {split['pr_requests_per_pr']:.2f} requests per PR (lists, commits, files, reviews, "
        f"check runs, contributors: {split['pr_requests']:,})"
    )
    echo(
        f"  per commit {split['commit_stats_per_commit']:.2f} commit-stats request per commit "
        f"({split['commit_stats']:,} for {result.rows.get('commits', 0):,} commits, "
        f"{split['commits_per_pr']:.2f} commits per PR)"
    )
    if split["rate_limit_checks"]:
        echo(f"  free       {split['rate_limit_checks']} rate-limit checks (cost no budget)")
    if split["by_kind"]:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(split["by_kind"].items()))
        echo(f"  by kind    {kinds}")
    graphql = m.get("graphql")
    api = m.get("api") or m.get("parameters", {}).get("api") or "rest"
    if graphql:
        prs = result.rows.get("pull_requests", 0)
        per_pr = graphql["points"] / prs if prs else 0.0
        echo(
            f"api          {api}: {graphql['queries']:,} queries, {graphql['points']:,} points "
            f"({per_pr:.3f} per PR), page size {graphql.get('page_size', '-')}"
        )
    else:
        echo(f"api          {api}")
    truncated = m["truncated_prs"]
    echo(
        f"truncated    {len(truncated)} PRs"
        + "".join(
            f"\n  {t['repo']}#{t['number']}: "
            + ", ".join(p for p in ("commits", "files") if t[p])
            + " capped by GitHub"
            for t in truncated
        )
    )
    refusals = m.get("refusals", [])
    echo(f"refused      {len(refusals)} resources" + (" (GitHub refused them for good)" if refusals else ""))
    for r in refusals:
        where = f"{r['repo']}#{r['number']}" if r["number"] is not None else r["repo"]
        echo(f"  {where} {r['endpoint']} {r['target']}: {r['status']} {r['reason']} -> {r['effect']}")
    for moved in m.get("redirects", []):
        echo(f"redirect     {moved['from']} -> {moved['to']} ({moved['status']})")
    if m.get("unicode_repairs"):
        echo(f"unicode      {m['unicode_repairs']} strings repaired (invalid text stored as U+FFFD)")
    echo(f"size         {result.bytes_total:,} bytes ({result.bytes_per_pr:,.0f} per PR)")
    if result.etag_files:
        echo(
            f"etags        {result.etag_files} token(s), {result.etag_bytes:,} bytes "
            "(conditional-request cache for the next refresh; not part of the data)"
        )


@snapshot.command("verify")
@click.argument("snapshot_refs", metavar="SNAPSHOT...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one result per snapshot as JSON.")
@verbosity_options
def verify(snapshot_refs: tuple[str, ...], as_json: bool) -> None:
    """Check manifests, checksums, table schemas, key uniqueness and row order.

    Every SNAPSHOT is checked and reported (``ok`` or ``FAILED`` with the reason); the exit code
    is that of the first failure (5 for a bad snapshot, 2 for an unknown name), 0 if all pass.
    """
    results: list[dict[str, Any]] = []
    codes: list[int] = []
    with stage_errors():  # Ctrl-C: one line, exit 130
        for ref in snapshot_refs:
            try:
                folder = _folder(ref)
                manifest = verify_snapshot(folder)
            except (PrseedError, OSError) as exc:
                message, code = error_message(exc)
                codes.append(code)
                results.append({"snapshot": ref, "ok": False, "exit_code": code, "error": message})
                echo(f"prseed: error: {message}", err=True, fg="red")
                continue
            total = sum(e["rows"] for e in manifest["tables"].values())
            tables = len(manifest["tables"])
            results.append(
                {"snapshot": ref, "folder": str(folder), "ok": True, "tables": tables, "rows": total}
            )
            if not as_json:
                echo(f"ok  {folder}: {tables} tables, {total:,} rows")
    if as_json:
        echo(json.dumps({"ok": not codes, "snapshots": results}, indent=2))
    elif len(snapshot_refs) > 1:
        passed = sum(1 for r in results if r["ok"])
        echo(f"{passed} of {len(results)} snapshots verified" + (f", {len(codes)} failed" if codes else ""))
    if codes:
        sys.exit(codes[0])


@snapshot.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the snapshots differ (like git diff).")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@verbosity_options
def diff(old: str, new: str, exit_code: bool, as_json: bool) -> None:
    """Show PRs added, changed and removed from snapshot OLD to NEW."""
    with stage_errors():
        result = diff_snapshots(_folder(old), _folder(new))
    if as_json:
        data = {
            "identical": result.empty,
            "rows": {name: {"old": a, "new": b} for name, (a, b) in result.rows.items()},
            "added": [{"repo": r, "number": n} for r, n in result.added],
            "removed": [{"repo": r, "number": n} for r, n in result.removed],
            "changed": [{"repo": r, "number": n, "parts": parts} for (r, n), parts in result.changed.items()],
            "contributors_added": [{"repo": r, "login": login} for r, login in result.contributors_added],
            "contributors_removed": [{"repo": r, "login": login} for r, login in result.contributors_removed],
            "contributors_changed": [{"repo": r, "login": login} for r, login in result.contributors_changed],
        }
        echo(json.dumps(data, indent=2))
    else:
        for name, (before, after) in result.rows.items():
            if before != after:
                echo(f"rows {name}: {before:,} -> {after:,} ({after - before:+,})")
        for repo, number in result.added:
            echo(f"+ {repo}#{number}", fg="green")
        for repo, number in result.removed:
            echo(f"- {repo}#{number}", fg="red")
        for (repo, number), parts in result.changed.items():
            echo(f"~ {repo}#{number}: {', '.join(parts)}", fg="yellow")
        for repo, login in result.contributors_added:
            echo(f"+ contributor {repo} {login}", fg="green")
        for repo, login in result.contributors_removed:
            echo(f"- contributor {repo} {login}", fg="red")
        for repo, login in result.contributors_changed:
            echo(f"~ contributor {repo} {login}", fg="yellow")
        echo(
            f"{len(result.added)} added, {len(result.changed)} changed, {len(result.removed)} removed PRs"
            + ("; identical data" if result.empty else "")
        )
    if exit_code and not result.empty:
        sys.exit(1)


@snapshot.command("changes")
@click.argument("old_root", metavar="OLD_ROOT", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new_root", metavar="NEW_ROOT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--title", default="Snapshot refresh", show_default=True, help="The Markdown heading.")
@click.option(
    "--outcomes",
    "outcome_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The `prseed extract --json` output of the run that wrote NEW_ROOT (repeatable, one per "
    "shard): its failed projects are listed as failed, not as unchanged.",
)
@verbosity_options
def changes(old_root: Path, new_root: Path, title: str, outcome_files: tuple[Path, ...]) -> None:
    """Markdown summary of every snapshot in NEW_ROOT against OLD_ROOT (a pull request's body).

    OLD_ROOT and NEW_ROOT hold one folder per project (e.g. snapshots/ and the folders a
    `prseed extract --all --out NEW_ROOT` wrote); a project missing from OLD_ROOT is new.
    """
    with stage_errors():
        outcomes: list[dict[str, Any]] = []
        for path in outcome_files:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                problem = outcomes_problem(data)
            except (OSError, ValueError) as exc:
                problem = str(exc)
            if problem is not None:
                raise ConfigError(
                    f"--outcomes {path} is not the JSON of `prseed extract --json` ({problem}); "
                    "pass the file the extract of several projects wrote"
                )
            outcomes.extend(data)
        text = changes_markdown(snapshot_changes(old_root, new_root), title, failed_projects(outcomes))
    click.echo(text, nl=False)


def register(group: click.Group) -> None:
    """Add the command group to the CLI."""
    group.add_command(snapshot)
