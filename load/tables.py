"""What the load writes, derived from the build contract and the SQL files (pure, no I/O).

Every build table ``X`` is loaded by ``sql/upsert_X.sql`` into the database table ``X``. The
columns an upsert writes are read from that file's ``INSERT INTO X AS d (...)`` list, so the SQL
stays the one place that says what is written; their type families come from the build contract
(same-named staging column) or from the few rules below.
"""

from __future__ import annotations

import re
from functools import cache

import pyarrow as pa

from prseed.contracts import BUILD_TABLES, arrow_schema, table_schema
from prseed.resources import data_file, read_text

# Type families the preflight compares (information_schema.columns.data_type -> family).
PG_FAMILIES: dict[str, str] = {
    "character varying": "text",
    "character": "text",
    "text": "text",
    "smallint": "integer",
    "integer": "integer",
    "bigint": "integer",
    "numeric": "numeric",
    "boolean": "boolean",
    "timestamp with time zone": "timestamptz",
    "date": "date",
    "jsonb": "json",
    "json": "json",
    "double precision": "float",
    "real": "float",
}

# Columns the loader fills itself (not from a same-named build column).
_OWN_COLUMNS: dict[str, str] = {
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "synced_at": "timestamptz",
    "billing_details_last_changed": "timestamptz",
    "onboarding_complete": "boolean",
    "onboarding_pipeline_status": "text",
    "background_sync_progress": "integer",
    "background_llm_progress": "integer",
    "copilot_status": "text",
    "copilot_consecutive_failures": "integer",
    "copilot_price_tier": "text",
    "llm_summary_version": "text",
    "is_dismissed": "boolean",
    "dismissed_at": "timestamptz",
}

# Tables without a unique key in the app: their upsert file has no ON CONFLICT clause and
# synchronises the team's rows itself (see sql/upsert_metrics_dailyinsight.sql); it is also
# what runs on an empty table.
UNKEYED_TABLES: frozenset[str] = frozenset({"metrics_dailyinsight"})

# Tables --clear deletes from (clear_team.sql) beyond the ones the load writes.
CLEAR_ONLY_TABLES: tuple[str, ...] = (
    "metrics_deployment",
    "metrics_reviewercorrelation",
)

_INSERT = re.compile(r"INSERT\s+INTO\s+(\w+)\s+AS\s+\w+\s*\(([^)]*)\)", re.IGNORECASE)
# The ON CONFLICT clause of an upsert: from ON CONFLICT to (not including) its RETURNING.
_ON_CONFLICT = re.compile(r"\n\s*ON\s+CONFLICT\b.*?(?=\n\s*RETURNING\b)", re.IGNORECASE | re.DOTALL)


def sql_text(name: str) -> str:
    """Return the text of ``load/sql/<name>``."""
    return read_text("prseed.load", "sql", name)


def upsert_sql(table: str) -> str:
    """Return the upsert statement of a build table."""
    return sql_text(f"upsert_{table}.sql")


@cache
def before_upsert_sql(table: str) -> str | None:
    """Return the statement run before the upsert of ``table``, or None when it has none.

    ``sql/before_upsert_X.sql`` frees what a non-arbiter unique index would otherwise refuse
    row by row (a member's e-mail moving to another member); see that file. A table that had
    no rows (:func:`insert_sql`) has nothing to free.
    """
    path = data_file("prseed.load", "sql", f"before_upsert_{table}.sql")
    return path.read_text(encoding="utf-8") if path.is_file() else None


@cache
def insert_sql(table: str) -> str:
    """Return the upsert statement of a build table without its ON CONFLICT clause.

    A plain INSERT for a table that has no rows yet: nothing can conflict, so the speculative
    insertion and the row-differs predicate are pure cost, and without an arbiter index bulk
    mode can drop every index and build it after the fill. Derived from the upsert so the one
    file stays the one place that says what is written; a duplicate key in the build still
    fails (on insert, or when the unique index is built).
    """
    if table in UNKEYED_TABLES:
        return upsert_sql(table)
    text, found = _ON_CONFLICT.subn("", upsert_sql(table))
    if found != 1:
        raise ValueError(f"upsert_{table}.sql has {found} ON CONFLICT clauses, expected 1")
    return text


def arrow_family(field: pa.Field, x_arrow: str) -> str:
    """Return the type family a staging column of this contract type needs in the database."""
    if x_arrow == "json":
        return "json"
    t = field.type
    if pa.types.is_string(t):
        return "text"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_decimal(t):
        return "numeric"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_timestamp(t):
        return "timestamptz"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_floating(t):
        return "float"
    raise ValueError(f"no PostgreSQL type for contract type {x_arrow}")


def staging_type(field: pa.Field, x_arrow: str) -> str:
    """Return the PostgreSQL type of a staging column for one contract column."""
    t = field.type
    if pa.types.is_decimal(t):
        return f"numeric({t.precision},{t.scale})"
    return {
        "json": "jsonb",
        "text": "text",
        "integer": "bigint" if t == pa.int64() else "integer",
        "boolean": "boolean",
        "timestamptz": "timestamp with time zone",
        "date": "date",
        # numeric, not double precision: a float reaches its numeric(p, s) column from the
        # same decimal text on the staging path as on the direct one (COPY's text), rather
        # than through a 15-digit float8 -> numeric cast, so both paths round alike.
        "float": "numeric",
    }[arrow_family(field, x_arrow)]


def x_arrow(table: str, column: str) -> str:
    """Return the contract's ``x-arrow`` type name of a build column."""
    spec: str = table_schema("build", table)["properties"][column]["x-arrow"]
    return spec


@cache
def staging_columns(table: str) -> tuple[tuple[str, str], ...]:
    """Return ``(column, PostgreSQL type)`` of the staging table of a build table."""
    return tuple((f.name, staging_type(f, x_arrow(table, f.name))) for f in arrow_schema("build", table))


@cache
def written_columns(table: str) -> dict[str, str]:
    """Return the database columns the upsert of ``table`` writes, with their type family."""
    match = _INSERT.search(upsert_sql(table))
    if match is None or match.group(1) != table:
        raise ValueError(f"upsert_{table}.sql has no 'INSERT INTO {table} AS d (...)'")
    contract = {f.name: f for f in arrow_schema("build", table)}
    families: dict[str, str] = {}
    for column in (c.strip() for c in match.group(2).split(",")):
        if column in contract:
            families[column] = arrow_family(contract[column], x_arrow(table, column))
        elif column in _OWN_COLUMNS:
            families[column] = _OWN_COLUMNS[column]
        elif column.endswith("_id"):
            families[column] = "integer"  # a database id resolved from a natural key
        else:
            raise ValueError(f"upsert_{table}.sql writes {column}, whose type is unknown")
    return families


def required_columns(clear: bool) -> dict[str, dict[str, str]]:
    """Return every table and column the load needs (``--clear`` also needs team_id elsewhere)."""
    needed = {table: written_columns(table) for table in BUILD_TABLES}
    needed["teams_team"] = {**needed["teams_team"], "id": "integer"}
    for table in BUILD_TABLES[1:]:
        needed[table] = {**needed[table], "id": "integer"}
    if clear:
        for table in CLEAR_ONLY_TABLES:
            needed[table] = {"team_id": "integer"}
    return needed


def length_source(table: str, column: str) -> tuple[str, str] | None:
    """Return the ``(table, column)`` whose varchar length bounds a staging string column.

    Natural-key references are bounded by the column they refer to, so a value truncated in
    one table still matches the same value truncated in the table it points to.
    """
    if column == "team_slug":
        return ("teams_team", "slug")
    if column.endswith("_github_id"):
        return ("metrics_teammember", "github_id")
    if column in written_columns(table):
        return (table, column)
    if column == "github_repo":
        return ("metrics_pullrequest", "github_repo")
    return None
