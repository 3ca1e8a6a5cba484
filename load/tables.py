"""What the load writes, derived from the build contract and the SQL files (pure, no I/O).

Every build table ``X`` is loaded by ``sql/upsert_X.sql`` into the database table ``X``. That
file holds only what is particular to the table: the SELECT from its staging table, whose joins
map natural keys to database ids and whose outputs are named as the columns they fill (each
column spelled once), and its ON CONFLICT target. The INSERT column list, the ``DO UPDATE SET``,
the row-changed test and the counts are composed here with :mod:`psycopg.sql`
(:func:`upsert_statement`); the direct path runs the same SELECT in DuckDB. Type families come
from the build contract (same-named staging column) or from the few rules below.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import duckdb
import pyarrow as pa
from psycopg import sql

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

# Loader stamps (now()) that move when a row changes; every other now() or constant column
# (created_at, the team's model defaults, llm_summary_version) is set on insert only.
RESTAMPED: tuple[str, ...] = ("updated_at", "synced_at")
_CONFLICT = "-- conflict:"


def sql_text(name: str) -> str:
    """Return the text of ``load/sql/<name>``."""
    return read_text("prseed.load", "sql", name)


def upsert_sql(table: str) -> str:
    """Return the text of ``sql/upsert_<table>.sql`` (a SELECT, or a whole statement if unkeyed)."""
    return sql_text(f"upsert_{table}.sql")


@cache
def before_upsert_sql(table: str) -> str | None:
    """Return the statement run before the upsert of ``table``, or None when it has none.

    ``sql/before_upsert_X.sql`` frees what a non-arbiter unique index would otherwise refuse
    row by row (a member's e-mail moving to another member); see that file. A table that had
    no rows (``insert_only``) has nothing to free.
    """
    path = data_file("prseed.load", "sql", f"before_upsert_{table}.sql")
    return path.read_text(encoding="utf-8") if path.is_file() else None


@dataclass(frozen=True)
class Column:
    """One output column of an upsert's SELECT.

    Attributes:
        name: the database column it is written to (the SELECT's output name).
        kind: ``data`` (from the build: a staging column, a resolved id or an expression of
            them), ``now`` (the loader's timestamp) or ``constant`` (a literal default).
    """

    name: str
    kind: Literal["data", "now", "constant"]


@dataclass(frozen=True)
class Select:
    """The parsed ``sql/upsert_<table>.sql`` of a keyed table.

    Attributes:
        text: the SELECT, as written (comments included).
        columns: its output columns, in order: what the INSERT writes.
        conflict: the ON CONFLICT target, e.g. ``(team_id, github_id) WHERE github_id > ''``.
        conflict_columns: the columns of that target.
        sources: every table it reads (joins, subqueries), once each.
        filters: whether it has a WHERE clause (rows it drops are counted as skipped).
        ast: DuckDB's parse tree of the SELECT (JSON), for the direct path.
    """

    text: str
    columns: tuple[Column, ...]
    conflict: str
    conflict_columns: tuple[str, ...]
    sources: tuple[str, ...]
    filters: bool
    ast: str = field(repr=False)


_DUCK_LOCK = threading.Lock()


@cache
def _duck() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def duckdb_sql(function: str, argument: str) -> str:
    """Run one of DuckDB's SQL (de)serialisers (``SELECT json_serialize_sql(?)``) on a text.

    One in-memory connection serves every call (opening one costs more than the parse).
    """
    with _DUCK_LOCK:
        row = _duck().execute(function, [argument]).fetchone()
    assert row is not None
    return str(row[0])


def _output_column(table: str, item: dict[str, Any]) -> Column:
    kind = item["class"]
    name = item["alias"] or (item["column_names"][-1] if kind == "COLUMN_REF" else "")
    if not name:
        raise ValueError(f"upsert_{table}.sql: every SELECT item needs a column name (use AS)")
    if kind == "CONSTANT":
        return Column(name, "constant")
    if kind == "FUNCTION" and item["function_name"] == "now" and not item.get("arguments"):
        return Column(name, "now")
    return Column(name, "data")


def _base_tables(node: object) -> Iterator[str]:
    """Yield every table a parse tree reads (joins, subqueries in any clause), in order."""
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            yield node["table_name"]
        for value in node.values():
            yield from _base_tables(value)
    elif isinstance(node, list):
        for value in node:
            yield from _base_tables(value)


@cache
def parse_select(table: str) -> Select:
    """Parse the SELECT of a keyed table's ``sql/upsert_<table>.sql``.

    The file holds what is particular to the table: a header comment, one ``-- conflict:``
    line with the ON CONFLICT target, and a SELECT from ``stg_<table> AS s`` whose joins map
    natural keys to database ids and whose every output is named as the database column it
    fills. DuckDB's SQL parser (PostgreSQL's grammar) reads the output names; nothing is cut
    out of the text.

    Raises:
        ValueError: the file is not of that shape.
    """
    text = upsert_sql(table)
    conflicts = [line for line in text.splitlines() if line.startswith(_CONFLICT)]
    if len(conflicts) != 1:
        raise ValueError(f"upsert_{table}.sql needs exactly one '{_CONFLICT} (columns)' line")
    conflict = conflicts[0].removeprefix(_CONFLICT).strip()
    inside, _, _ = conflict.removeprefix("(").partition(")")
    tree_text = duckdb_sql("SELECT json_serialize_sql(?::VARCHAR)", text)
    tree = json.loads(tree_text)
    statements = [] if tree.get("error") else tree["statements"]
    if len(statements) != 1 or statements[0]["node"]["type"] != "SELECT_NODE":
        raise ValueError(f"upsert_{table}.sql is not one SELECT: {tree.get('error_message', '')}")
    node = statements[0]["node"]
    columns = tuple(_output_column(table, item) for item in node["select_list"])
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"upsert_{table}.sql names a column twice")
    return Select(
        text=text,
        columns=columns,
        conflict=conflict,
        conflict_columns=tuple(c.strip() for c in inside.split(",")),
        sources=tuple(dict.fromkeys(_base_tables(node))),
        filters=node.get("where_clause") is not None,
        ast=tree_text,
    )


@cache
def upsert_statement(table: str, insert_only: bool = False) -> sql.Composed:
    """Compose the set-based upsert of a keyed table from its SELECT (:func:`parse_select`).

    ``WITH up AS (INSERT INTO <table> AS d (<columns>) <select> ON CONFLICT <target> DO UPDATE
    SET <changed columns and stamps> WHERE (d.<compared>) IS DISTINCT FROM (EXCLUDED.<compared>)
    RETURNING (xmax = 0) AS inserted) SELECT <inserted>, <updated>, <skipped> FROM up``.

    The compared columns are the SELECT's data columns outside the conflict key; a row equal in
    all of them is not touched (``updated_at`` stays). The SET writes them plus the stamps of
    :data:`RESTAMPED`. Skipped rows are the staging rows a WHERE in the SELECT drops. With
    ``insert_only`` (the table has no rows), the ON CONFLICT clause is left out: nothing can
    conflict, so the speculative insertion and the row-differs predicate are pure cost, and
    without an arbiter index bulk mode can drop every index and build it after the fill; a
    duplicate key in the build still fails (on insert, or when the unique index is built).

    Returns:
        One statement returning one row ``(inserted, updated, skipped)``.
    """
    select = parse_select(table)
    names = [c.name for c in select.columns]
    compared = [c.name for c in select.columns if c.kind == "data" and c.name not in select.conflict_columns]
    stamped = [n for n in RESTAMPED if n in names]
    # On lines of its own: the file may end in a comment.
    body = sql.SQL("\n{}\n").format(sql.SQL(select.text.strip().rstrip(";")))
    source: sql.Composable = body
    skipped: sql.Composable = sql.SQL("0")
    prefix: sql.Composable = sql.SQL("")
    if select.filters:
        # Count what the WHERE drops: the SELECT becomes a CTE read twice.
        prefix = sql.SQL("src AS ({}), ").format(body)
        source = sql.SQL("SELECT * FROM src")
        skipped = sql.SQL("(SELECT count(*) FROM {}) - (SELECT count(*) FROM src)").format(
            sql.Identifier(f"stg_{table}")
        )
    conflict: sql.Composable = sql.SQL("")
    if not insert_only:
        conflict = sql.SQL(" ON CONFLICT {} DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})").format(
            sql.SQL(select.conflict),
            sql.SQL(", ").join(
                sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(n), sql.Identifier(n))
                for n in [*compared, *stamped]
            ),
            sql.SQL(", ").join(sql.Identifier("d", n) for n in compared),
            sql.SQL(", ").join(sql.Identifier("excluded", n) for n in compared),
        )
    return sql.SQL(
        "WITH {}up AS (INSERT INTO {} AS d ({}) {}{} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), {} FROM up"
    ).format(
        prefix,
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        source,
        conflict,
        skipped,
    )


def statement(table: str, insert_only: bool = False) -> sql.SQL | sql.Composed:
    """Return the statement that writes a table from its staging table (see :func:`upsert_statement`).

    A table without a unique key (:data:`UNKEYED_TABLES`) has no conflict to lean on: its file is
    the whole statement, which synchronises the team's rows itself, empty table or not.
    """
    if table in UNKEYED_TABLES:
        return sql.SQL(upsert_sql(table))
    return upsert_statement(table, insert_only)


def conflict_columns(table: str) -> tuple[str, ...]:
    """Return the columns of a keyed table's ON CONFLICT target."""
    return parse_select(table).conflict_columns


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
    """Return the database columns the load of ``table`` writes, with their type family.

    For a keyed table: the output columns of its SELECT (:func:`parse_select`). Their type
    family comes from the build contract's column of the same name, else from the loader's
    own columns, else a resolved ``*_id`` is an integer. An unkeyed table writes its build
    columns (natural keys resolved: ``team_slug`` becomes ``team_id``) plus the app's
    timestamps and its own columns.
    """
    if table in UNKEYED_TABLES:
        names = ["created_at", "updated_at"]
        names += ["team_id" if c == "team_slug" else c for c in table_schema("build", table)["properties"]]
        names += [c for c in _OWN_COLUMNS if c in ("is_dismissed", "dismissed_at")]
    else:
        names = [c.name for c in parse_select(table).columns]
    contract = {f.name: f for f in arrow_schema("build", table)}
    families: dict[str, str] = {}
    for column in names:
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
