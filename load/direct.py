"""The direct path: COPY a build table straight into an empty database table.

An upsert (``sql/upsert_X.sql``) reads a staging table and maps natural keys to database ids
with joins. When the target table has no rows, nothing can conflict, and the same work can be
done without the staging table: DuckDB runs **the upsert's own SELECT** (taken from the file,
so the mapping is still written once) over the build's rows and the few key maps it joins
(the team, its members, its pull requests, fetched from the database), and the result is
COPYed into the table. That saves PostgreSQL a second write of every row: COPY stores rows
in batches, while ``INSERT ... SELECT`` stores them one at a time, and at 100,000 PRs the
upserts of the large tables cost more than their COPY.

Rows keep the build's order (so database ids do too, as with the staging path); ``now()`` is
the load transaction's timestamp, as in PostgreSQL. A row whose key does not resolve leaves a
NULL in a NOT NULL column and fails the COPY, as it fails the INSERT.
"""

from __future__ import annotations

import datetime
import json
import queue
import tempfile
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from prseed.load import tables
from prseed.load.prepare import Fixes, csv_bytes, sanitize_batch

from prseed.contracts import BUILD_TABLES

# Every table whose upsert SELECT joins only the key maps below. Not the team and its members
# (one row and a few hundred: their ids are what the key maps are made of) and not the survey
# reviews (their upsert reads a CTE and the surveys) and the tables without a unique key (their
# upsert compares with the rows already there), which keep the staging path.
STAGING_ONLY = (
    frozenset({"teams_team", "metrics_teammember", "metrics_prsurveyreview"}) | tables.UNKEYED_TABLES
)
DIRECT_TABLES = frozenset(BUILD_TABLES) - STAGING_ONLY
# Tables a direct SELECT may join, with the Arrow schema of their key maps.
KEY_SCHEMAS = {
    "teams_team": pa.schema([("id", pa.int64()), ("slug", pa.string())]),
    "metrics_teammember": pa.schema(
        [("id", pa.int64()), ("team_id", pa.int64()), ("github_id", pa.string())]
    ),
    "metrics_pullrequest": pa.schema(
        [
            ("id", pa.int64()),
            ("team_id", pa.int64()),
            ("github_repo", pa.string()),
            ("github_pr_id", pa.int64()),
        ]
    ),
}
ROW = "prseed_row"
COPY_BATCH_ROWS = 50_000
# DuckDB memory for one table's id resolution (as much as the transform gets); its sort spills to
# a temp folder beyond that.
DUCKDB_MEMORY = "1GB"


def _alias_of(node: dict[str, Any], table: str) -> str | None:
    """Return the alias (or name) under which a FROM tree reads ``table``."""
    if node.get("type") == "BASE_TABLE" and node.get("table_name") == table:
        return str(node.get("alias") or table)
    for side in ("left", "right"):
        if isinstance(node.get(side), dict) and (alias := _alias_of(node[side], table)):
            return alias
    return None


@cache
def select_sql(table: str) -> tuple[str, tuple[str, ...]]:
    """Return the DuckDB query of a direct table and the key maps it joins.

    The query runs the SELECT of ``upsert_<table>.sql`` (:func:`tables.parse_select`) with the
    staging row number added to its parse tree (DuckDB renders the tree back to SQL), keeps the
    build's row order, and gives the columns the SELECT fills with ``now()`` the load
    transaction's ``$now``.

    Raises:
        ValueError: the SELECT reads a table the direct path cannot provide.
    """
    select = tables.parse_select(table)
    staging = f"stg_{table}"
    joined = tuple(dict.fromkeys(s for s in select.sources if s != staging))
    tree = json.loads(select.ast)
    node = tree["statements"][0]["node"]
    alias = _alias_of(node["from_table"], staging)
    if alias is None or not set(joined) <= KEY_SCHEMAS.keys():
        raise ValueError(
            f"upsert_{table}.sql reads {list(select.sources)}, which the direct path cannot provide"
        )
    # The now() columns are the outer query's; the row number is added for ORDER BY.
    items = zip(node["select_list"], select.columns, strict=True)
    node["select_list"] = [item for item, column in items if column.kind != "now"]
    node["select_list"].append(
        {"class": "COLUMN_REF", "type": "COLUMN_REF", "alias": ROW, "column_names": [alias, ROW]}
    )
    inner = tables.duckdb_sql("SELECT json_deserialize_sql(?::JSON)", json.dumps(tree))
    outputs = ", ".join(f'$now AS "{c.name}"' if c.kind == "now" else f'"{c.name}"' for c in select.columns)
    return f"SELECT {outputs} FROM ({inner}) ORDER BY {ROW}", joined


@cache
def now_columns(table: str) -> frozenset[str]:
    """Return the written columns the upsert fills with ``now()`` (created_at, updated_at, ...).

    Sent as text, each would cost a timestamp parse per row on the server; bulk mode gives them
    a ``DEFAULT now()`` for the COPY instead (the same value: the transaction's timestamp).
    """
    return frozenset(c.name for c in tables.parse_select(table).columns if c.kind == "now")


class KeyMaps:
    """The team's key maps (team, members, pull requests), fetched once after each change."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self._maps: dict[str, pa.Table] = {}

    def fetch(self, conn: psycopg.Connection[Any], table: str) -> pa.Table:
        """Return the key map of one table, from the database (cached until :meth:`changed`)."""
        if table not in self._maps:
            rows = conn.execute(tables.sql_text(f"keys_{table}.sql"), {"slug": self.slug}).fetchall()
            schema = KEY_SCHEMAS[table]
            columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
            self._maps[table] = pa.table(
                [pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
            )
        return self._maps[table]

    def changed(self, table: str) -> None:
        """Forget a key map after the load wrote its table."""
        self._maps.pop(table, None)


def render(
    table: str,
    path: Path,
    limits: Mapping[str, int],
    maps: Mapping[str, pa.Table],
    now: datetime.datetime,
    omit: frozenset[str],
    fixes: Fixes,
) -> Iterator[tuple[bytes, int]]:
    """Resolve a direct table's ids with DuckDB and yield its rows as CSV (no database access).

    Streams: the build is read in batches, and DuckDB's sort (which keeps the build's order)
    spills to disk beyond :data:`DUCKDB_MEMORY`, so memory stays bounded whatever the table size.

    Args:
        table: a table of :data:`DIRECT_TABLES`.
        path: the build's Parquet file of that table.
        limits: varchar lengths of the staging columns (see ``database.max_lengths``).
        maps: the key maps :func:`select_sql` names, from :meth:`KeyMaps.fetch`.
        now: the load transaction's ``now()``.
        omit: written columns to leave out (filled by their DEFAULT).
        fixes: NUL and truncation counters, updated.

    Yields:
        ``(csv, rows)`` per batch of up to :data:`COPY_BATCH_ROWS` rows, in the build's order.
    """
    query, _ = select_sql(table)
    json_columns = frozenset(
        c for c, _ in tables.staging_columns(table) if tables.x_arrow(table, c) == "json"
    )
    source = pq.ParquetFile(path)

    def numbered() -> Iterator[pa.RecordBatch]:
        offset = 0
        for batch in source.iter_batches(COPY_BATCH_ROWS):
            clean = sanitize_batch(batch, json_columns, limits, fixes)
            rows = pa.array(range(offset, offset + clean.num_rows), pa.int64())
            yield clean.append_column(ROW, rows)
            offset += clean.num_rows

    schema = source.schema_arrow.append(pa.field(ROW, pa.int64()))
    written = list(tables.written_columns(table))
    keep = [i for i, c in enumerate(written) if c not in omit]
    names = [written[i] for i in keep]
    with tempfile.TemporaryDirectory(prefix="prseed-duckdb-") as spill:
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": DUCKDB_MEMORY,
            "temp_directory": spill,
            # One thread: the load's other thread and PostgreSQL use the other cores.
            "threads": 1,
        }
        with duckdb.connect(config=config) as duck:
            duck.register(f"stg_{table}", pa.RecordBatchReader.from_batches(schema, numbered()))
            for name, key_map in maps.items():
                duck.register(name, key_map)
            for batch in duck.sql(query, params={"now": now}).to_arrow_reader(COPY_BATCH_ROWS):
                columns = [batch.column(i) for i in keep]
                yield csv_bytes(pa.RecordBatch.from_arrays(columns, names=names)), batch.num_rows


_END = object()


class Prepared:
    """A direct table rendered by a worker thread, at most ``ahead`` CSV chunks in advance.

    The load starts the next table's rendering while PostgreSQL builds the indexes of the
    current one; the bounded queue keeps memory flat. :meth:`close` must follow (it stops
    the worker if the load gave up on the table).

    Attributes:
        table: the table.
        columns: the columns the CSV holds, in order (the written ones, minus ``omit``).
        fixes: NULs replaced and values truncated (complete once :meth:`chunks` is exhausted).
        rows: rows rendered so far (all of them once :meth:`chunks` is exhausted).
    """

    def __init__(
        self,
        pool: Executor,
        table: str,
        path: Path,
        limits: Mapping[str, int],
        maps: Mapping[str, pa.Table],
        now: datetime.datetime,
        omit: frozenset[str] = frozenset(),
        ahead: int = 4,
    ) -> None:
        """Start rendering ``table`` in ``pool`` (arguments as for :func:`render`)."""
        self.table = table
        self.columns = tuple(c for c in tables.written_columns(table) if c not in omit)
        self.fixes = Fixes()
        self.rows = 0
        self._queue: queue.Queue[object] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._future = pool.submit(self._produce, render(table, path, limits, maps, now, omit, self.fixes))

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, chunks: Iterator[tuple[bytes, int]]) -> None:
        try:
            for chunk, rows in chunks:
                if not self._put(chunk):
                    return
                self.rows += rows
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)
        finally:
            self._put(_END)

    def chunks(self) -> Iterator[bytes]:
        """Yield the CSV chunks as the worker renders them; re-raise what the worker raised."""
        while (item := self._queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item

    def close(self) -> None:
        """Stop the worker (if still rendering) and wait for it."""
        self._stop.set()
        self._future.exception()
