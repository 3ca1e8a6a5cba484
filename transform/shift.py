"""Moving a build's dates to a target day by whole weeks (``--shift-to``).

Dashboards show "the last 7 / 30 / 90 days", so a snapshot extracted in August shows empty charts
when it is loaded in November. The shift moves every timestamp and date of the build by the same
whole number of weeks, so weekdays, hours, ISO week boundaries, every duration and every per-week
count keep their values; only the calendar position changes.

The transform computes the build in the snapshot's own time frame and then adds the shift to
every ``timestamp`` and ``date`` column of every build table, found from the build contract
(``x-arrow``), so a column added later is shifted without a change here. The steps that run
after the shift (``transform/sql/9x_*.sql``: the insights) see the shifted tables and the shifted
as-of date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from prseed.contracts import table_schema

if TYPE_CHECKING:  # the CLI's staleness check imports shift_weeks without paying for DuckDB
    import duckdb

SHIFTED_TYPES = ("timestamp", "date")


def shift_weeks(as_of: date, target: date) -> int:
    """The shift in weeks: the largest whole number of weeks keeping ``as_of`` on or before ``target``.

    Args:
        as_of: the snapshot's as-of day (the transform's anchor date).
        target: the day the build should end on or just before.

    Returns:
        ``floor((target - as_of).days / 7)``; negative when ``target`` is before ``as_of``
        (the build then moves back in time, still ending on or before the target).
    """
    return (target - as_of).days // 7


def shifted(value: date, weeks: int) -> date:
    """``value`` moved by ``weeks`` whole weeks."""
    return value + timedelta(weeks=weeks)


def shifted_columns(table: str) -> dict[str, str]:
    """The columns of a build table that hold a timestamp or a date, with that type (contract)."""
    properties: dict[str, dict[str, str]] = table_schema("build", table)["properties"]
    return {name: prop["x-arrow"] for name, prop in properties.items() if prop["x-arrow"] in SHIFTED_TYPES}


def shift_tables(con: duckdb.DuckDBPyConnection, tables: list[str], weeks: int) -> None:
    """Add ``weeks`` weeks to every timestamp and date column of the ``out_<table>`` tables.

    Args:
        con: the transform's DuckDB connection (session time zone UTC).
        tables: build table names whose ``out_<table>`` exists.
        weeks: the shift; 0 changes nothing (and runs nothing).
    """
    if weeks == 0:
        return
    for table in tables:
        columns = shifted_columns(table)
        if not columns:
            continue
        # Column names come from our own contract, never from data; the amount is bound.
        # DATE + INTEGER stays a DATE (DATE + INTERVAL would become a TIMESTAMP).
        moved = ", ".join(
            f'"{c}" + $days::INTEGER AS "{c}"' if kind == "date" else f'"{c}" + to_days($days) AS "{c}"'
            for c, kind in columns.items()
        )
        con.execute(
            f"CREATE OR REPLACE TABLE out_{table} AS SELECT * REPLACE ({moved}) FROM out_{table}",
            {"days": 7 * weeks},
        )
    con.execute("UPDATE params SET as_of = as_of + $days::INTEGER", {"days": 7 * weeks})
