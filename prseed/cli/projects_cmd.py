"""``prseed projects``: list the registry."""

from __future__ import annotations

import json

import click

from prseed.cli.common import echo, stage_errors, verbosity_options
from prseed.registry import load_registry


@click.command("projects")
@click.option("--tier", type=click.Choice(["first-class", "registry", "synthetic"]), help="Only this tier.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@verbosity_options
def projects(tier: str | None, as_json: bool) -> None:
    """List the projects of the registry (projects.toml)."""
    with stage_errors():
        items = [p for p in load_registry().values() if tier is None or p.tier == tier]
    if as_json:
        echo(json.dumps([p.manifest_block() for p in items], indent=2))
        return
    echo(f"{'key':<14} {'tier':<12} {'PRs':>5} {'mem':>4} {'jira':<7} {'ai':>4}  repos")
    for p in items:
        echo(
            f"{p.key:<14} {p.tier:<12} {p.max_prs:>5} {p.max_members:>4} {p.jira_project_key:<7} "
            f"{p.ai_base_adoption_rate:>4.2f}  {', '.join(p.repos)}"
        )
    echo(f"{len(items)} projects")


def register(group: click.Group) -> None:
    """Add the command to the CLI group."""
    group.add_command(projects)
