"""Command-line options generated from a stage's config dataclass: each option is declared once.

A field of ``ExtractConfig`` or ``TransformConfig`` becomes an option when its metadata holds a
``cli`` entry (see :func:`prseed.extract.config.cli`): the option's name is the field's (``--max-prs``
for ``max_prs``) unless the entry says otherwise, its type and default come from the field itself, and
its help from the entry. Adding an option to a stage is therefore one change: a field with metadata.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def cli_fields(config_type: type[Any]) -> list[dataclasses.Field[Any]]:
    """The fields of a config dataclass that are command-line options, in declaration order."""
    return [f for f in dataclasses.fields(config_type) if "cli" in f.metadata]


def _base_type(config_type: type[Any], name: str) -> Any:
    hint = typing.get_type_hints(config_type)[name]
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
    return hint


DATE_WORDS = ("today", "none")
#: Days every date option accepts: the data's windows reach back from them by months, and the
#: databases' and DuckDB's date types end long before year 1 or 10,000.
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


def check_date(day: dt.date, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
    """Return ``day`` if it is in :data:`DATE_RANGE`, else fail as a usage error (exit 2)."""
    low, high = DATE_RANGE
    if not low <= day <= high:
        raise click.BadParameter(f"{day.isoformat()} is outside {low} .. {high}", ctx, param)
    return day


class Day(click.ParamType[Any]):
    """A day ``YYYY-MM-DD`` within :data:`DATE_RANGE`, as a :class:`datetime.date`."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse the option's value (a default that is already a date passes through)."""
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)
        return check_date(day, param, ctx)


class Int64(click.ParamType[Any]):
    """A whole number that fits a signed 64-bit integer (DuckDB's and PostgreSQL's BIGINT)."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse the option's value."""
        number = click.INT.convert(value, param, ctx)
        if not -(2**63) <= number < 2**63:
            self.fail(f"{value} does not fit a 64-bit integer (-2^63 .. 2^63-1)", param, ctx)
        return number


class DateOrWord(click.ParamType[Any]):
    """A day ``YYYY-MM-DD``, or one of the words a field accepts (see :func:`prseed.declare.cli`).

    Converts to a :class:`datetime.date`, or to None for ``none``; ``today`` is the UTC date when
    the option is parsed.
    """

    def __init__(self, words: tuple[str, ...]) -> None:
        unknown = set(words) - set(DATE_WORDS)
        if unknown:
            raise ValueError(f"unknown date words {sorted(unknown)}; known: {DATE_WORDS}")
        self.words = words
        self.name = "|".join(("DATE", *words))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse the option's value (a default that is already a date passes through)."""
        if isinstance(value, dt.date):
            return value
        text = str(value).strip().lower()
        if text in self.words:
            return dt.datetime.now(dt.UTC).date() if text == "today" else None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            accepted = " or ".join(f"'{w}'" for w in self.words)
            self.fail(f"{value!r} is not a date (YYYY-MM-DD), {accepted}", param, ctx)
        return check_date(day, param, ctx)


def _click_type(base: Any, spec: Mapping[str, Any]) -> Any:
    if "choices" in spec:
        return click.Choice(list(spec["choices"]))
    # A range only with a bound: an unbounded IntRange shows "[x<=None]" in --help.
    if base is int:
        # Unbounded: still a 64-bit integer, which is what the stages store (--seed is a BIGINT).
        return click.IntRange(min=spec["min"]) if "min" in spec else Int64()
    if base is float:
        return click.FloatRange(min=spec["min"]) if "min" in spec else float
    if base is dt.date and spec.get("words"):
        return DateOrWord(tuple(spec["words"]))
    if base is dt.date:
        return Day()
    if base is Path:
        return click.Path(file_okay=False, path_type=Path)
    return str


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    return None


def config_options(
    config_type: type[Any],
    *,
    keep_defaults: bool = True,
    help_suffix: str = "",
    defaults: Mapping[str, Any] | None = None,
) -> Callable[[F], F]:
    """A decorator adding one click option per ``cli`` field of ``config_type``.

    Args:
        config_type: the stage's config dataclass.
        keep_defaults: False gives every option the default None ("not given"), for commands that
            pass a value on only when the user set it (``load --seed`` re-transforms only then).
        help_suffix: appended to every help text.
        defaults: this command's own defaults (field name -> value as typed on the command line,
            e.g. ``{"shift_to": "today"}`` for ``seed``), shown in the help; they win over
            ``keep_defaults``.
    """
    own = dict(defaults or {})
    unknown = set(own) - {f.name for f in cli_fields(config_type)}
    if unknown:
        raise ValueError(f"defaults for fields that are not options: {sorted(unknown)}")

    def decorate(func: F) -> F:
        for field in reversed(cli_fields(config_type)):
            spec: Mapping[str, Any] = field.metadata["cli"]
            base = _base_type(config_type, field.name)
            flag = spec.get("flag") or f"--{field.name.replace('_', '-')}"
            default = _default(field) if keep_defaults else None
            default = own.get(field.name, default)
            kwargs: dict[str, Any] = {"help": spec["help"] + help_suffix}
            if base is bool and "/" not in flag:
                kwargs["is_flag"] = True
                default = bool(default)
            elif base is bool:
                kwargs["show_default"] = keep_defaults
            else:
                kwargs["type"] = _click_type(base, spec)
                kwargs["show_default"] = (keep_defaults or field.name in own) and default is not None
            if "envvar" in spec:
                kwargs["envvar"] = spec["envvar"]
            if "metavar" in spec:
                kwargs["metavar"] = spec["metavar"]
            elif base is dt.date:
                kwargs["metavar"] = "|".join(("YYYY-MM-DD", *spec.get("words", ())))
            func = click.option(flag, field.name, default=default, **kwargs)(func)
        return func

    return decorate


def config_values(
    config_type: type[Any], params: Mapping[str, Any], *, given_only: bool = False
) -> dict[str, Any]:
    """The ``cli`` fields' values from a command's parameters, converted to the fields' types.

    Args:
        config_type: the stage's config dataclass.
        params: the command's keyword arguments.
        given_only: leave out options whose value is None because they were not given; a None
            the user asked for (``--shift-to none``) is kept.
    """
    values = {}
    for field in cli_fields(config_type):
        value = params.get(field.name)
        if isinstance(value, dt.datetime) and _base_type(config_type, field.name) is dt.date:
            value = value.date()
        if value is None and given_only and not _given(field.name):
            continue
        values[field.name] = value
    return values


def given(name: str) -> bool:
    """Whether the running command's option ``name`` was given (command line or environment)."""
    return _given(name)


def _given(name: str) -> bool:
    """Whether the running command's option ``name`` came from the command line or environment."""
    ctx = click.get_current_context(silent=True)
    source = ctx.get_parameter_source(name) if ctx is not None else None
    return source is not None and source is not click.core.ParameterSource.DEFAULT
