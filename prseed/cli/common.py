"""Helpers shared by the CLI commands: verbosity, colour, error mapping and output.

Every command takes ``-q/--quiet`` and ``-v/--verbose`` (:func:`verbosity_options`). Results go to
stdout; notes, progress and errors go to stderr, so ``prseed ... --json | jq`` always works. ``-q``
silences the stderr notes and progress (never errors), ``-v`` adds detail there.
Colour follows click (only on a terminal) and is off whenever ``NO_COLOR`` is set
(https://no-color.org).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from prseed.console import INTERRUPTED_EXIT, interrupted
from prseed.errors import PrseedError

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code of a file-system error (unwritable folder, disk full): the environment, like code 2.
FILE_SYSTEM_EXIT = 2

_level = 0  # -1 quiet, 0 normal, 1 verbose: one process runs one command


def set_verbosity(quiet: bool, verbose: bool) -> None:
    """Record the command's ``-q``/``-v`` (the last command line wins)."""
    global _level
    if quiet and verbose:
        raise click.UsageError("-q/--quiet and -v/--verbose exclude each other")
    _level = -1 if quiet else (1 if verbose else 0)


def quiet() -> bool:
    """Whether ``-q`` was given."""
    return _level < 0


def verbose() -> bool:
    """Whether ``-v`` was given."""
    return _level > 0


def color() -> bool | None:
    """``False`` when ``NO_COLOR`` is set (any non-empty value), else click decides (terminal only)."""
    return False if os.environ.get("NO_COLOR") else None


def echo(message: str, *, err: bool = False, fg: str | None = None) -> None:
    """Print one result line (stdout) or message (stderr), coloured only when allowed.

    When the reader of stdout went away (``prseed projects | head -1``), stop quietly with exit 0,
    as Unix tools do; stdout then points to /dev/null so the interpreter's final flush cannot fail.
    """
    try:
        click.secho(message, fg=fg, err=err, color=color())
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


def note(message: str, *, fg: str | None = None) -> None:
    """Print a note on stderr, unless ``-q``."""
    if not quiet():
        echo(message, err=True, fg=fg)


def detail(message: str) -> None:
    """Print a detail on stderr, only with ``-v``."""
    if verbose():
        echo(message, err=True)


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta["prseed.quiet"] = value
    return value


def verbosity_options(func: F) -> F:
    """Add ``-q/--quiet`` and ``-v/--verbose`` to a command (removed from its keyword arguments)."""

    def apply(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if param.name == "verbose":
            set_verbosity(bool(ctx.meta.get("prseed.quiet")), value)
        return value

    func = click.option(
        "-v", "--verbose", is_flag=True, expose_value=False, callback=apply, help="Say more (on stderr)."
    )(func)
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_quiet,
        help="No progress or notes on stderr (results and errors still print).",
    )(func)


def _os_error(exc: OSError) -> str:
    where = f" on {exc.filename}" if exc.filename else ""
    reason = (exc.strerror or str(exc) or type(exc).__name__).splitlines()[0]
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        fix = "free some space (or raise the file-size limit) or choose another folder"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "choose a folder you can write (e.g. another --out) or fix its permissions"
    else:
        fix = "check the path (e.g. --out) and try again"
    return f"file system error{where}: {reason}; {fix}"


@contextmanager
def stage_errors(interrupted_message: str = "interrupted; nothing was changed") -> Iterator[None]:
    """Turn prseed errors into one red line on stderr and the error's exit code.

    Ctrl-C, and any exception raised after it (a library's own form of the interruption), is
    ``prseed: <interrupted_message>`` and exit 130.

    Args:
        interrupted_message: what Ctrl-C means for this command, e.g. how to continue (one line).
    """
    try:
        yield
    except BrokenPipeError:
        raise  # the reader of stdout went away: `main` stops quietly
    except (KeyboardInterrupt, Exception) as exc:
        if isinstance(exc, KeyboardInterrupt) or interrupted():
            # Ctrl-C, or what a library made of it (DuckDB: "RuntimeError: Query interrupted";
            # psycopg: a query on a connection the interruption left busy): one line, exit 130.
            echo(f"prseed: {interrupted_message}", err=True, fg="yellow")
            sys.exit(INTERRUPTED_EXIT)
        _report(exc)
        raise


def error_message(exc: PrseedError | OSError) -> tuple[str, int]:
    """The one-line message and exit code of a prseed error or a file-system error."""
    if isinstance(exc, PrseedError):
        return str(exc), exc.exit_code
    # A folder the user named that cannot be written (permissions, full disk, a file in the way).
    return _os_error(exc), FILE_SYSTEM_EXIT


def _report(exc: Exception) -> None:
    """Exit with one red line for a prseed error or a file-system error; return for anything else."""
    if isinstance(exc, (PrseedError, OSError)):
        message, code = error_message(exc)
        echo(f"prseed: error: {message}", err=True, fg="red")
        sys.exit(code)
