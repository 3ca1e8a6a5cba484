"""`prseed extract` (placeholder until the extract work lands)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the command(s) to the CLI group."""
