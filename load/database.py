"""The I/O shell of the load: connections, schema, preflight, staging COPY and upserts."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from prseed.load import direct, tables
from prseed.load.prepare import Fixes, csv_bytes, sanitize_batch
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from prseed.contracts import BUILD_TABLES
from prseed.errors import ContractError, DatabaseError

LOCK_KEY = 0x70727365_6564  # "prseed" in hex: the advisory lock every load takes
COPY_BATCH_ROWS = 50_000
# Columns later upserts join on, per table they look natural keys up in.
JOINED_COLUMNS = {
    "metrics_teammember": ("team_id", "github_id"),
    "metrics_pullrequest": ("team_id", "github_repo", "github_pr_id"),
    "metrics_prsurvey": ("pull_request_id",),
}
SESSION_SETTINGS = {
    "temp_buffers": "256MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
    "jit": "off",
}

Columns = dict[str, dict[str, tuple[str, int | None]]]


def redact(url: str) -> str:
    """Describe a database URL without its password: ``user@host:port/dbname``."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(unparsable database URL)"
    host = str(info.get("host") or "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return f"{user}{host}{port}/{info.get('dbname') or ''}"


def first_line(exc: BaseException) -> str:
    """Return the first non-empty line of an exception message."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


def connect(url: str) -> psycopg.Connection[Any]:
    """Open a connection (not autocommit), mapping failures to one-line :class:`DatabaseError`.

    The message names the server (without the password) and the likely fix.
    """
    try:
        return psycopg.connect(url, connect_timeout=10, application_name="prseed load")
    except psycopg.ProgrammingError as exc:
        # Not a connection string at all (e.g. DATABASE_URL=notaurl); its text may hold a password.
        raise DatabaseError(
            "DATABASE_URL (or --database-url) is not a PostgreSQL connection URL; expected "
            "postgresql://USER:PASSWORD@HOST:PORT/DBNAME, or unset it to use the embedded database"
        ) from exc
    except psycopg.Error as exc:
        detail = first_line(exc)
        # libpq puts the whole conninfo in some messages; never echo a password.
        password = psycopg.conninfo.conninfo_to_dict(url).get("password")
        if password:
            detail = detail.replace(str(password), "***")
        raise DatabaseError(
            f"cannot connect to PostgreSQL at {redact(url)}: {detail}; "
            f"check DATABASE_URL (host, port, user, password) or unset it to use the embedded database"
        ) from exc


def create_schema(conn: psycopg.Connection[Any]) -> None:
    """Create the metrics tables and indexes if they do not exist (``sql/schema.sql``)."""
    conn.execute(tables.sql_text("schema.sql").encode())


def fetch_columns(conn: psycopg.Connection[Any], names: list[str]) -> Columns:
    """Return ``{table: {column: (data_type, character_maximum_length)}}`` for some tables."""
    found: Columns = {}
    rows = conn.execute(tables.sql_text("preflight.sql"), {"tables": names}).fetchall()
    for table, column, data_type, length in rows:
        found.setdefault(table, {})[column] = (data_type, length)
    return found


def preflight_problems(found: Columns, required: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Compare the database's columns with what the load writes (pure).

    Returns:
        One line per missing table, missing column or column of the wrong type family.
    """
    problems = []
    for table, columns in required.items():
        if table not in found:
            problems.append(f"table {table} is missing")
            continue
        for column, family in columns.items():
            if column not in found[table]:
                problems.append(f"column {table}.{column} is missing ({family} expected)")
                continue
            data_type = found[table][column][0]
            if tables.PG_FAMILIES.get(data_type) != family:
                problems.append(f"column {table}.{column} is {data_type}, {family} expected")
    return problems


def check_preflight(conn: psycopg.Connection[Any], url: str, clear: bool) -> Columns:
    """Stop before writing anything if a table or column the load writes is missing or wrong.

    Returns:
        The columns found, for varchar lengths.

    Raises:
        DatabaseError: a one-line summary, then one line per problem.
    """
    required = tables.required_columns(clear)
    found = fetch_columns(conn, sorted(required))
    problems = preflight_problems(found, required)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise DatabaseError(
            f"database {redact(url)} lacks {len(problems)} table(s)/column(s) the load writes; "
            f"migrate the app's database, or run `prseed db init` on an empty one:\n{lines}"
        )
    written = sorted(t for t in BUILD_TABLES if t in required)
    unfilled = [
        f"{table}.{column}"
        for table, column in conn.execute(tables.sql_text("not_null_columns.sql"), {"tables": written})
        if column not in required[table]
    ]
    if unfilled:
        raise DatabaseError(
            f"database {redact(url)} has NOT NULL column(s) without a default that prseed does not fill: "
            f"{', '.join(unfilled)}; give them a default or make them nullable (ALTER TABLE ... ALTER "
            f"COLUMN ... SET DEFAULT / DROP NOT NULL), or load into a database of the app's schema"
        )
    return found


def max_lengths(found: Columns, table: str) -> dict[str, int]:
    """Return the varchar length bounding each staging string column of a build table."""
    limits = {}
    for column, pg_type in tables.staging_columns(table):
        source = tables.length_source(table, column)
        if pg_type != "text" or source is None:
            continue
        length = found.get(source[0], {}).get(source[1], ("", None))[1]
        if length is not None:
            limits[column] = int(length)
    return limits


def _staging_name(table: str) -> sql.Identifier:
    return sql.Identifier(f"stg_{table}")


def create_staging(conn: psycopg.Connection[Any]) -> None:
    """Create one TEMP staging table per build table, dropped at the end of the transaction."""
    for table in BUILD_TABLES:
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type))
            for name, pg_type in tables.staging_columns(table)
        )
        conn.execute(
            sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(_staging_name(table), columns)
        )


def write_staging(
    conn: psycopg.Connection[Any],
    table: str,
    path: Path,
    limits: Mapping[str, int],
    fixes: Fixes,
) -> int:
    """Empty a staging table and COPY one build Parquet file into it.

    Returns:
        The number of rows copied.
    """
    name = _staging_name(table)
    conn.execute(sql.SQL("TRUNCATE {}").format(name))
    json_columns = frozenset(
        c for c, _ in tables.staging_columns(table) if tables.x_arrow(table, c) == "json"
    )
    batches = pq.ParquetFile(path).iter_batches(batch_size=COPY_BATCH_ROWS)
    return copy_batches(conn, name, (sanitize_batch(b, json_columns, limits, fixes) for b in batches))


def copy_batches(
    conn: psycopg.Connection[Any], table: sql.Composable, batches: Iterable[pa.RecordBatch]
) -> int:
    """COPY record batches into a table as CSV; returns the number of rows.

    The CSV of the next batch is rendered while a writer thread sends the previous one, so the
    client's rendering (pyarrow, without the GIL) and the server's parsing run side by side
    instead of taking turns.
    """
    rows = 0
    statement = sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(table)
    with conn.cursor() as cur, cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
        for batch in batches:
            copy.write(csv_bytes(batch))
            rows += batch.num_rows
    return rows


def is_empty(conn: psycopg.Connection[Any], table: str) -> bool:
    """Return whether a table has no rows (visible to this transaction)."""
    row = conn.execute(
        sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
    ).fetchone()
    return bool(row and row[0])


def truncate_unreferenced(conn: psycopg.Connection[Any], table: str) -> bool:
    """TRUNCATE an empty table that no foreign key points to; returns whether it did.

    The table has no rows, so nothing is lost; what changes is that it gets a new file in this
    transaction, which a ``wal_level = minimal`` server (the embedded one) fills without WAL
    and syncs once at COMMIT. A rollback restores the old (empty) file.
    """
    row = conn.execute(tables.sql_text("referenced.sql"), {"table": table}).fetchone()
    if row and row[0]:
        return False
    conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
    return True


def upsert(
    conn: psycopg.Connection[Any], table: str, build: Path, insert_only: bool = False
) -> tuple[int, int, int]:
    """Run the set-based upsert of one table from its staging table.

    Args:
        conn: the load's connection.
        table: the build table.
        build: the build folder (for error messages).
        insert_only: the table has no rows, so leave out the ON CONFLICT clause
            (:func:`tables.statement`).

    Returns:
        ``(inserted, updated, skipped)``.

    Raises:
        ContractError: a row references a parent the build does not contain, or two rows
            share a key.
    """
    statement = tables.statement(table, insert_only)
    before = None if insert_only else tables.before_upsert_sql(table)
    with _contract_errors(build, table):
        if before is not None:
            conn.execute(before.encode())
        row = conn.execute(statement).fetchone()
    assert row is not None
    # Free the staging table's temp buffers for the next table.
    conn.execute(sql.SQL("TRUNCATE {}").format(_staging_name(table)))
    if row[0]:
        _analyze_joined(conn, table)
    return int(row[0]), int(row[1]), int(row[2])


def write_direct(
    conn: psycopg.Connection[Any], build: Path, prepared: direct.Prepared, freeze: bool = False
) -> int:
    """COPY a prepared direct table (:mod:`load.direct`) into its empty database table.

    The written columns the CSV leaves out (``prepared.columns`` lacks them) get ``DEFAULT
    now()`` for the COPY, put back as they were after it: one value for the statement instead
    of a timestamp parsed per row. That is DDL, so only bulk mode (table owner) omits columns.

    Args:
        conn: the load's connection.
        build: the build folder (for error messages).
        prepared: the table's rows, rendered by a worker (``direct.Prepared``).
        freeze: COPY with FREEZE (the table was truncated in this transaction): rows are
            stored frozen, so neither the index builds nor the app's first queries need to
            check or set their visibility hint bits one by one.

    Returns:
        The number of rows inserted.

    Raises:
        ContractError: as :func:`upsert`.
    """
    table = prepared.table
    omitted = [c for c in tables.written_columns(table) if c not in prepared.columns]
    restore = _set_now_defaults(conn, table, omitted)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, FREEZE {})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, prepared.columns)),
        sql.SQL("true" if freeze else "false"),
    )
    with (
        _contract_errors(build, table),
        conn.cursor() as cur,
        cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy,
    ):
        for chunk in prepared.chunks():
            copy.write(chunk)
    for column, default in restore.items():
        action = sql.SQL("DROP DEFAULT") if default is None else sql.SQL("SET DEFAULT ") + sql.SQL(default)
        conn.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} {}").format(
                sql.Identifier(table), sql.Identifier(column), action
            )
        )
    if prepared.rows:
        _analyze_joined(conn, table)
    return prepared.rows


def fetch_now(conn: psycopg.Connection[Any]) -> datetime.datetime:
    """Return the transaction's ``now()`` (what the upserts write as created_at/updated_at)."""
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    value: datetime.datetime = row[0]
    return value


def _set_now_defaults(conn: psycopg.Connection[Any], table: str, columns: list[str]) -> dict[str, str | None]:
    """Give columns ``DEFAULT now()``; returns their previous defaults (None: none) to restore."""
    previous: dict[str, str | None] = {}
    for column in columns:
        row = conn.execute(
            tables.sql_text("column_default.sql"), {"table": table, "column": column}
        ).fetchone()
        previous[column] = row[0] if row else None
        conn.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT now()").format(
                sql.Identifier(table), sql.Identifier(column)
            )
        )
    return previous


@contextmanager
def _contract_errors(build: Path, table: str) -> Iterator[None]:
    try:
        yield
    except psycopg.errors.NotNullViolation as exc:
        column = exc.diag.column_name or "?"
        if column not in tables.required_columns(clear=False).get(table, {}):
            # A column the load never writes: the database's schema, not the build, is at fault.
            raise DatabaseError(
                f"{table}.{column} is NOT NULL without a default in the database and prseed does not "
                f"fill it; give it a default or make it nullable"
            ) from exc
        raise ContractError(
            f"build {build}: {table} has rows whose {column} does not resolve to a row of the "
            f"same build (missing team, member or pull request); re-create the build"
        ) from exc
    except (psycopg.errors.CardinalityViolation, psycopg.errors.UniqueViolation) as exc:
        raise _duplicate_key(build, table) from exc


def _analyze_joined(conn: psycopg.Connection[Any], table: str) -> None:
    if table in JOINED_COLUMNS:
        # The next upserts join this table; fresh statistics on the join columns (only: the
        # wide text and JSON columns would make ANALYZE cost as much as the upsert) keep the
        # planner on hash joins after a large first load.
        conn.execute(
            sql.SQL("ANALYZE {} ({})").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, JOINED_COLUMNS[table]))
            )
        )


def _duplicate_key(build: Path, table: str) -> ContractError:
    return ContractError(
        f"build {build}: {table} has two rows with the same key "
        f"(after truncation to the column length); re-create the build"
    )


def clear_team(conn: psycopg.Connection[Any], slug: str) -> int:
    """Delete every metrics row of one team (``--clear``); returns the number of rows deleted."""
    row = conn.execute(tables.sql_text("clear_team.sql"), {"slug": slug}).fetchone()
    return int(row[0]) if row else 0


def fire_deferred(conn: psycopg.Connection[Any]) -> None:
    """Run the foreign-key checks queued so far, then defer the constraints again."""
    conn.execute(tables.sql_text("fire_deferred.sql").encode())


def lock(conn: psycopg.Connection[Any], on_wait: Callable[[], None] | None = None) -> None:
    """Take the transaction-scoped advisory lock that serialises loads.

    Args:
        conn: the load's connection, in its transaction.
        on_wait: called once before waiting when another load holds the lock.
    """
    row = conn.execute(tables.sql_text("try_lock.sql"), {"key": LOCK_KEY}).fetchone()
    if row is not None and row[0]:
        return
    if on_wait is not None:
        on_wait()
    conn.execute(tables.sql_text("lock.sql"), {"key": LOCK_KEY})


def tune_session(conn: psycopg.Connection[Any]) -> None:
    """Give this session enough memory for staging and joins (``sql/settings.sql``)."""
    if SESSION_SETTINGS:
        conn.execute(tables.sql_text("settings.sql"), SESSION_SETTINGS)


# Bulk mode: constraint and index work done set-based instead of row by row.
ForeignKey = tuple[str, str, str]  # table, constraint name, definition


def fetch_foreign_keys(conn: psycopg.Connection[Any]) -> list[ForeignKey]:
    """Return the foreign keys declared on the tables the load writes."""
    rows = conn.execute(tables.sql_text("foreign_keys.sql"), {"tables": list(BUILD_TABLES)})
    return [(str(t), str(n), str(d)) for t, n, d in rows.fetchall()]


def drop_foreign_keys(conn: psycopg.Connection[Any], keys: list[ForeignKey]) -> None:
    """Drop foreign keys (inside the load's transaction, so a rollback restores them)."""
    for table, name, _ in keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))
        )


def add_foreign_keys(conn: psycopg.Connection[Any], keys: list[ForeignKey]) -> None:
    """Add foreign keys back exactly as they were; each is validated by one set-based query.

    Raises:
        ContractError: a row points to a missing parent (the load is rolled back).
    """
    for table, name, definition in keys:
        try:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                    sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
                )
            )
        except psycopg.errors.ForeignKeyViolation as exc:
            raise ContractError(
                f"{table} would break foreign key {name} ({exc.diag.message_detail}); "
                f"the load was rolled back"
            ) from exc


# An index to build after the fill: (index name, CREATE INDEX definition, owning constraint
# name or None, constraint definition or None).
Index = tuple[str, str, str | None, str | None]


def drop_indexes(conn: psycopg.Connection[Any], table: str) -> list[Index]:
    """Drop the indexes (and unique/primary-key constraints) of an empty table.

    Every index goes except those a remaining foreign key relies on (``empty_table_indexes.sql``);
    returns what :func:`create_indexes` builds back after the fill.
    """
    rows = conn.execute(tables.sql_text("empty_table_indexes.sql"), {"table": table}).fetchall()
    indexes: list[Index] = [(str(i), str(d), c and str(c), cd and str(cd)) for i, d, c, cd in rows]
    name = sql.Identifier(table)
    for index, _, constraint, _ in indexes:
        if constraint is None:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index)))
        else:
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(name, sql.Identifier(constraint))
            )
    return indexes


def create_indexes(conn: psycopg.Connection[Any], table: str, build: Path, indexes: list[Index]) -> None:
    """Build indexes and constraints back from their definitions (one sort each).

    Raises:
        ContractError: a unique index finds two rows of the build with the same key.
    """
    name = sql.Identifier(table)
    try:
        for _, definition, constraint, constraint_definition in indexes:
            if constraint is None or constraint_definition is None:
                conn.execute(sql.SQL(definition))
            else:
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        name,
                        sql.Identifier(constraint),
                        sql.SQL(constraint_definition),
                    )
                )
    except psycopg.errors.UniqueViolation as exc:
        raise _duplicate_key(build, table) from exc
