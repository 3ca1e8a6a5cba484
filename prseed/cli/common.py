"""Helpers shared by the CLI commands: error mapping and output."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

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


NO_SHIFT = "none"


class ShiftTarget(click.ParamType[Any]):
    """``--shift-to``: a date (YYYY-MM-DD), ``today`` (the UTC date now) or ``none``.

    Converts to a :class:`datetime.date`, or to :data:`NO_SHIFT` for ``none``.
    """

    name = "DATE|today|none"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse the option value; ``today`` is resolved once, here."""
        if isinstance(value, dt.date) or value == NO_SHIFT:
            return value
        text = str(value).strip().lower()
        if text == "today":
            return dt.datetime.now(dt.UTC).date()
        if text == NO_SHIFT:
            return NO_SHIFT
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD), 'today' or 'none'", param, ctx)


SHIFT_HELP = (
    "Move every timestamp and date of the build by the largest whole number of weeks that keeps "
    "the as-of day on or before this day (YYYY-MM-DD, 'today' or 'none')."
)
