"""The ``prseed`` console script: Ctrl-C is one line and exit 130 from the first instruction on.

This module is the entry point (``[project.scripts]``) and imports nothing heavy, so the SIGINT
handler is in place before the CLI's imports (pyarrow, DuckDB, psycopg: a third of a second) start.
The handler records that the user interrupted, then raises :class:`KeyboardInterrupt` as Python's
default handler does. Libraries that turn that into their own exception (DuckDB raises
``RuntimeError: Query interrupted``; psycopg may fail a query whose connection was busy) are then
still known to be an interruption: :func:`interrupted` says so, and the CLI reports them as one.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

#: Exit code after Ctrl-C, as shells report SIGINT (128 + 2).
INTERRUPTED_EXIT = 130

_interrupted = False


def interrupted() -> bool:
    """Whether SIGINT (Ctrl-C) arrived in this process."""
    return _interrupted


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def install_interrupt_handler() -> None:
    """Record SIGINT before raising KeyboardInterrupt (unless SIGINT is ignored, as for `cmd &`)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _on_sigint)


def exit_interrupted(message: str = "interrupted; nothing was changed") -> None:
    """Print the one line of an interrupted command and exit 130 (no traceback)."""
    sys.stderr.write(f"prseed: {message}\n")
    sys.stderr.flush()
    sys.exit(INTERRUPTED_EXIT)


def main() -> None:
    """Console-script entry point: install the SIGINT handler, then import and run the CLI."""
    install_interrupt_handler()
    try:
        from prseed.cli import main as cli_main
    except KeyboardInterrupt:
        exit_interrupted()
    try:
        cli_main()
    except KeyboardInterrupt:  # outside any command's own handling (e.g. while click parses)
        exit_interrupted()
