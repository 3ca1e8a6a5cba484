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


def _click_type(base: Any, spec: Mapping[str, Any]) -> Any:
    if "choices" in spec:
        return click.Choice(list(spec["choices"]))
    if base is int:
        return click.IntRange(min=spec.get("min"))
    if base is float:
        return click.FloatRange(min=spec.get("min"))
    if base is dt.date:
        return click.DateTime(["%Y-%m-%d"])
    if base is Path:
        return click.Path(file_okay=False, path_type=Path)
    return str


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    return None


def config_options(
    config_type: type[Any], *, keep_defaults: bool = True, help_suffix: str = ""
) -> Callable[[F], F]:
    """A decorator adding one click option per ``cli`` field of ``config_type``.

    Args:
        config_type: the stage's config dataclass.
        keep_defaults: False gives every option the default None ("not given"), for commands that
            pass a value on only when the user set it (``load --seed`` re-transforms only then).
        help_suffix: appended to every help text.
    """

    def decorate(func: F) -> F:
        for field in reversed(cli_fields(config_type)):
            spec: Mapping[str, Any] = field.metadata["cli"]
            base = _base_type(config_type, field.name)
            flag = spec.get("flag") or f"--{field.name.replace('_', '-')}"
            default = _default(field) if keep_defaults else None
            kwargs: dict[str, Any] = {"help": spec["help"] + help_suffix}
            if base is bool and "/" not in flag:
                kwargs["is_flag"] = True
                default = bool(default)
            elif base is bool:
                kwargs["show_default"] = keep_defaults
            else:
                kwargs["type"] = _click_type(base, spec)
                kwargs["show_default"] = keep_defaults and default is not None
            if "envvar" in spec:
                kwargs["envvar"] = spec["envvar"]
            if "metavar" in spec:
                kwargs["metavar"] = spec["metavar"]
            elif base is dt.date:
                kwargs["metavar"] = "YYYY-MM-DD"
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
        given_only: leave out options whose value is None (not given).
    """
    values = {}
    for field in cli_fields(config_type):
        value = params.get(field.name)
        if isinstance(value, dt.datetime) and _base_type(config_type, field.name) is dt.date:
            value = value.date()
        if value is None and given_only:
            continue
        values[field.name] = value
    return values
