"""``prseed snapshot info|verify|diff``: inspect and review snapshots."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from prseed.cli.common import stage_errors
from prseed.snapshots import diff_snapshots, snapshot_info, verify_snapshot


def _folder(value: str) -> Path:
    """Accept a project key (``polar``) or a folder path."""
    path = Path(value)
    if path.is_dir() or "/" in value:
        return path
    return Path("snapshots") / value


@click.group("snapshot")
def snapshot() -> None:
    """Inspect, verify and compare snapshots (SNAPSHOT is a folder or a project key)."""


@snapshot.command("info")
@click.argument("snapshot_ref", metavar="SNAPSHOT")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def info(snapshot_ref: str, as_json: bool) -> None:
    """Show counts, window, requests spent and truncated PRs of a snapshot."""
    with stage_errors():
        result = snapshot_info(_folder(snapshot_ref))
    m = result.manifest
    if as_json:
        click.echo(json.dumps(m, indent=2, sort_keys=True))
        return
    project = m["project"]
    window = m["window"]
    click.echo(f"snapshot     {result.folder}  ({'synthetic' if m.get('synthetic') else 'real'} data)")
    click.echo(f"project      {project['key']}: {', '.join(project['repos'])}")
    click.echo(f"window       {window.get('since') or '-'} .. {window.get('until') or '-'} (created_at)")
    click.echo(f"extracted    {m['started_at']} .. {m['finished_at']} by prseed {m['tool_version']}")
    for name, rows in result.rows.items():
        click.echo(f"  {name:<14} {rows:>9,} rows")
    requests = m["requests"]
    prs = result.rows.get("pull_requests", 0)
    per_pr = f" ({requests['total'] / prs:.2f} per PR)" if prs else ""
    click.echo(
        f"requests     {requests['total']:,}{per_pr}; retries {m['retries']}; "
        f"waits {m['waits']['count']} ({m['waits']['seconds']:.1f} s)"
    )
    if requests.get("by_kind"):
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(requests["by_kind"].items()))
        click.echo(f"  by kind    {kinds}")
    truncated = m["truncated_prs"]
    click.echo(
        f"truncated    {len(truncated)} PRs"
        + "".join(
            f"\n  {t['repo']}#{t['number']}: "
            + ", ".join(p for p in ("commits", "files") if t[p])
            + " capped by GitHub"
            for t in truncated
        )
    )
    refusals = m.get("refusals", [])
    click.echo(
        f"refused      {len(refusals)} resources" + (" (GitHub refused them for good)" if refusals else "")
    )
    for r in refusals:
        where = f"{r['repo']}#{r['number']}" if r["number"] is not None else r["repo"]
        click.echo(f"  {where} {r['endpoint']} {r['target']}: {r['status']} {r['reason']} -> {r['effect']}")
    for moved in m.get("redirects", []):
        click.echo(f"redirect     {moved['from']} -> {moved['to']} ({moved['status']})")
    if m.get("unicode_repairs"):
        click.echo(f"unicode      {m['unicode_repairs']} strings repaired (invalid text stored as U+FFFD)")
    click.echo(f"size         {result.bytes_total:,} bytes ({result.bytes_per_pr:,.0f} per PR)")


@snapshot.command("verify")
@click.argument("snapshot_refs", metavar="SNAPSHOT...", nargs=-1, required=True)
def verify(snapshot_refs: tuple[str, ...]) -> None:
    """Check manifests, checksums, table schemas, key uniqueness and row order."""
    with stage_errors():
        for ref in snapshot_refs:
            manifest = verify_snapshot(_folder(ref))
            total = sum(e["rows"] for e in manifest["tables"].values())
            click.echo(f"ok  {_folder(ref)}: {len(manifest['tables'])} tables, {total:,} rows")


@snapshot.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the snapshots differ (like git diff).")
def diff(old: str, new: str, exit_code: bool) -> None:
    """Show PRs added, changed and removed from snapshot OLD to NEW."""
    with stage_errors():
        result = diff_snapshots(_folder(old), _folder(new))
    for name, (before, after) in result.rows.items():
        if before != after:
            click.echo(f"rows {name}: {before:,} -> {after:,} ({after - before:+,})")
    for repo, number in result.added:
        click.echo(click.style(f"+ {repo}#{number}", fg="green"))
    for repo, number in result.removed:
        click.echo(click.style(f"- {repo}#{number}", fg="red"))
    for (repo, number), parts in result.changed.items():
        click.echo(click.style(f"~ {repo}#{number}: {', '.join(parts)}", fg="yellow"))
    for repo, login in result.contributors_added:
        click.echo(click.style(f"+ contributor {repo} {login}", fg="green"))
    for repo, login in result.contributors_removed:
        click.echo(click.style(f"- contributor {repo} {login}", fg="red"))
    click.echo(
        f"{len(result.added)} added, {len(result.changed)} changed, {len(result.removed)} removed PRs"
        + ("; identical data" if result.empty else "")
    )
    if exit_code and not result.empty:
        sys.exit(1)


def register(group: click.Group) -> None:
    """Add the command group to the CLI."""
    group.add_command(snapshot)
