"""Helpers shared by the CLI commands: error mapping and output."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

from prseed.errors import PrseedError

T = TypeVar("T")


@contextmanager
def stage_errors() -> Iterator[None]:
    """Turn prseed errors into one red line on stderr and the error's exit code."""
    try:
        yield
    except PrseedError as exc:
        click.secho(f"prseed: error: {exc}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.secho("prseed: interrupted; run again with --resume to continue", fg="yellow", err=True)
        sys.exit(130)


def run_stage(func: Callable[[], T]) -> T:
    """Call a stage inside :func:`stage_errors`."""
    with stage_errors():
        return func()
    raise AssertionError("unreachable")  # pragma: no cover
