"""Declaring a stage option once: dataclass field metadata the CLI turns into a click option."""

from __future__ import annotations

from typing import Any


def cli(help: str, **spec: Any) -> dict[str, Any]:
    """Field metadata that makes a stage config field a command-line option.

    The option is declared once, on the field: the CLI (:mod:`prseed.cli.options`) derives its
    name (``--max-prs`` for ``max_prs``, or ``flag``), type and default from the field and its help
    from ``help``. A field without it is not an option.

    Args:
        help: the option's help text.
        spec: optional ``flag`` (e.g. ``"--out"`` or ``"--commit-stats/--no-commit-stats"``),
            ``min`` (numbers), ``choices`` (strings), ``envvar``, ``metavar`` and, for a date,
            ``words``: words accepted besides ``YYYY-MM-DD``, among ``"today"`` (the UTC date when
            the command runs) and ``"none"`` (None: asks for no value, which differs from not giving
            the option where a command keeps what exists, as ``load`` keeps a build's values).

    Returns:
        ``{"cli": {...}}`` for ``dataclasses.field(metadata=...)``.
    """
    return {"cli": {"help": help, **spec}}
