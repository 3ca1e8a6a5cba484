"""The ``prseed`` command line: thin wrappers that build one frozen config and call a stage."""

from __future__ import annotations

import click

from prseed import __version__
from prseed.cli import db_cmd, extract_cmd, load_cmd, projects_cmd, report_cmd, snapshot_cmd, transform_cmd
from prseed.envfile import load_dotenv


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="prseed")
def cli() -> None:
    """Seed engineering-metrics databases with realistic data from real GitHub projects.

    Stages: extract (GitHub -> snapshots/<project>/), transform (snapshot -> build/<project>/),
    load (build -> PostgreSQL). `prseed seed` runs transform and load for every snapshot.
    Settings come from options, then the environment (GITHUB_TOKEN, DATABASE_URL, ...), then .env.
    """


for module in (projects_cmd, extract_cmd, transform_cmd, load_cmd, db_cmd, snapshot_cmd, report_cmd):
    module.register(cli)


def main() -> None:
    """Console-script entry point."""
    load_dotenv()
    cli(prog_name="prseed")
