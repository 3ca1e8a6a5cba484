"""How a load runs: build Parquet -> PostgreSQL, COPY-fast, idempotent, all-or-nothing.

How a load works:

1. Every build folder is verified (manifest schema and version, completed flag, checksums, row
   counts, Arrow schemas) before any connection is made; a bad build is refused.
2. The target is ``database_url``, or the embedded PostgreSQL (started on demand, schema created
   automatically). Against an existing database a preflight checks every table and column the
   load writes, and stops before writing anything with the list of what is missing.
3. Everything else happens in **one transaction** for the whole run, so an error or a kill at
   any point leaves the database exactly as before. An advisory lock serialises concurrent loads.
4. Per build and per table, in dependency order: COPY the Parquet rows into a TEMP staging table
   (NULs replaced, over-long strings truncated, both counted; see :mod:`load.prepare`), then one
   set-based ``INSERT ... SELECT ... ON CONFLICT (<unique constraint>) DO UPDATE ... WHERE <row
   differs>`` that maps natural keys (team slug, member github_id, repo + PR number, ...) to ids:
   the table's SELECT and conflict key from ``sql/upsert_X.sql``, the rest composed by
   :func:`load.tables.upsert_statement`.
   A row whose values are unchanged is not touched, so ``updated_at`` moves only when a row
   changed and loading the same build twice changes nothing.
   Into a table that has no rows yet, the same statement runs without its ON CONFLICT clause
   (nothing can conflict; a duplicate key in the build still fails). Every table but the
   team, its members and the survey reviews skips staging altogether when empty: DuckDB
   runs their upsert's own SELECT over the build and the team's key maps, and the result is
   COPYed straight in (:mod:`load.direct`), prepared in a worker thread one table ahead so the
   client's work overlaps PostgreSQL's.
5. ``clear=True`` deletes the team's metrics rows first, in the same transaction. Without it,
   rows of the team that a newer build no longer contains are **kept** (the app may have
   attached data to them); use ``clear`` to make the database mirror the build exactly.
6. Bulk mode (``bulk``, default on the embedded database only): the foreign keys of the written
   tables are dropped at the start and added back at the end, so each is validated by one
   set-based query instead of one deferred check per row at COMMIT (which costs more than the
   upserts themselves), and every index of a table that is still empty (unique ones and the
   primary key too, unless a foreign key of a table the load does not write needs it) is
   dropped and built after the fill, one sort each instead of one insertion per row. Such a
   table is also truncated (it is empty; the foreign keys pointing to it from tables the load
   does not write are dropped and added back like the others), so that on a ``wal_level =
   minimal`` server (the embedded one) it is written without WAL, and the direct COPY stores
   its rows frozen (``FREEZE``) with ``DEFAULT now()`` standing in for the created_at-style
   columns (one value instead of a timestamp parsed per row; the defaults are put back). All of
   it is DDL inside the same transaction, so a failure or kill restores every constraint and
   index; but it needs table ownership and locks the tables (ACCESS
   EXCLUSIVE) until the commit, which a live app database should not suffer, hence the default.

Members are keyed by github_id (the partial unique index unique_team_github_id), so a build's
member github_id must be non-empty. A reference to a member that is not in the build becomes
NULL (like the app's SET_NULL); a survey review whose reviewer is not a member is skipped and
counted. teams_membership is not written (it links users_customuser, which prseed does not seed).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
from prseed.load import (
    LoadConfig,
    LoadResult,
    Notify,
    Progress,
    ProjectResult,
    TableStats,
    database,
    direct,
    embedded,
)
from prseed.load.prepare import Fixes

from prseed.contracts import BUILD_TABLES, verify_dataset
from prseed.errors import ContractError, DatabaseError

_WAITING = "another prseed load into this database is running; waiting for it to finish (Ctrl-C to give up)"


def _verify_builds(build_dirs: tuple[Path, ...]) -> list[dict[str, Any]]:
    manifests = []
    for folder in build_dirs:
        manifest = verify_dataset(folder, "build")
        _check_member_keys(folder, manifest)
        manifests.append(manifest)
    return manifests


def _check_member_keys(folder: Path, manifest: dict[str, Any]) -> None:
    path = folder / manifest["tables"]["metrics_teammember"]["file"]
    ids = pq.read_table(path, columns=["github_id"]).column("github_id").to_pylist()
    if any(not i for i in ids):
        raise ContractError(
            f"build {folder}: metrics_teammember has an empty github_id (the member key); re-create the build"
        )


def _load_project(
    conn: psycopg.Connection[Any],
    folder: Path,
    manifest: dict[str, Any],
    found: database.Columns,
    clear: bool,
    bulk: bool,
    progress: Progress | None,
) -> ProjectResult:
    cleared = database.clear_team(conn, manifest["team_slug"]) if clear else 0
    if clear and bulk:
        database.fire_deferred(conn)
    empty = {table: database.is_empty(conn, table) for table in BUILD_TABLES}
    direct_tables = [t for t in BUILD_TABLES if empty[t] and t in direct.DIRECT_TABLES]
    keys = direct.KeyMaps(manifest["team_slug"])
    now = database.fetch_now(conn)
    loaded: set[str] = set()
    pending: dict[str, direct.Prepared] = {}

    def prepare_next(pool: ThreadPoolExecutor) -> None:
        # The next direct table whose key maps are final is prepared in the worker thread
        # while this thread has PostgreSQL build indexes; one table (a few chunks) ahead at most.
        waiting = [t for t in direct_tables if t not in loaded]
        if not waiting or waiting[0] in pending:
            return
        table = waiting[0]
        joined = direct.select_sql(table)[1]
        if not set(joined) <= loaded:
            return
        maps = {name: keys.fetch(conn, name) for name in joined}
        path = folder / manifest["tables"][table]["file"]
        omit = direct.now_columns(table) if bulk else frozenset()
        limits = database.max_lengths(found, table)
        pending[table] = direct.Prepared(pool, table, path, limits, maps, now, omit)

    stats = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prseed-direct") as pool:
        try:
            for table in BUILD_TABLES:
                started = time.perf_counter()
                path = folder / manifest["tables"][table]["file"]
                indexes = []
                truncated = False
                if bulk and empty[table]:
                    indexes = database.drop_indexes(conn, table)
                    truncated = database.truncate_unreferenced(conn, table)
                if table in direct_tables:
                    prepare_next(pool)
                    prepared = pending[table]
                    rows = inserted = database.write_direct(conn, folder, prepared, freeze=truncated)
                    pending.pop(table).close()
                    updated = skipped = 0
                    fixes = prepared.fixes
                else:
                    fixes = Fixes()
                    limits = database.max_lengths(found, table)
                    rows = database.write_staging(conn, table, path, limits, fixes)
                    inserted, updated, skipped = database.upsert(
                        conn, table, folder, insert_only=empty[table]
                    )
                copied = time.perf_counter()
                keys.changed(table)
                loaded.add(table)
                prepare_next(pool)
                database.create_indexes(conn, table, folder, indexes)
                stat = TableStats(
                    table=table,
                    rows=rows,
                    inserted=inserted,
                    updated=updated,
                    unchanged=rows - inserted - updated - skipped,
                    skipped=skipped,
                    seconds=time.perf_counter() - started,
                    nul_replaced=fixes.nul_replaced,
                    truncated=fixes.truncated,
                    copy_seconds=copied - started,
                )
                stats.append(stat)
                if progress is not None:
                    progress(manifest["project"], stat)
        finally:
            # A failure may leave the next table's worker waiting on its full queue.
            for prepared in pending.values():
                prepared.close()
    return ProjectResult(folder, manifest["project"], manifest["team_slug"], tuple(stats), cleared)


def load(config: LoadConfig, progress: Progress | None = None, notify: Notify | None = None) -> LoadResult:
    """Load build folders into PostgreSQL in one transaction.

    Args:
        config: what to load and where.
        progress: called after each table of each build with ``(project, stats)``; an
            exception raised by it rolls the whole load back.
        notify: told (one line) when the load waits for another load to finish.

    Returns:
        Per-project, per-table counts and timings.

    Raises:
        SnapshotError: a build is missing, incomplete, corrupt or of another version.
        ContractError: a build's rows do not resolve (e.g. a review of a PR not in the build).
        DatabaseError: the database is unreachable, refuses the login, or lacks tables/columns,
            or has a NOT NULL column without default that the load does not fill.
    """
    started = time.perf_counter()
    manifests = _verify_builds(config.build_dirs)
    if config.database_url is None:
        with _embedded_target(config.dry_run) as url:
            return _load(config, manifests, url, True, started, progress, notify)
    return _load(config, manifests, config.database_url, False, started, progress, notify)


@contextmanager
def _embedded_target(dry_run: bool) -> Iterator[str]:
    """The embedded database's URL; a dry run without one uses a throw-away server (writes nothing)."""
    if not dry_run or embedded.exists():
        yield embedded.start()
        return
    temp = Path(tempfile.mkdtemp(prefix="prseed-dry-run-pg-"))
    try:
        yield embedded.start(temp / "data")
    finally:
        embedded.stop(temp / "data")
        shutil.rmtree(temp, ignore_errors=True)


def _load(
    config: LoadConfig,
    manifests: list[dict[str, Any]],
    url: str,
    is_embedded: bool,
    started: float,
    progress: Progress | None,
    notify: Notify | None,
) -> LoadResult:
    create = is_embedded if config.create_schema is None else config.create_schema
    bulk = is_embedded if config.bulk is None else config.bulk
    results = []
    conn = database.connect(url)
    try:
        with conn.transaction() as tx:
            database.tune_session(conn)
            database.lock(conn, None if notify is None else lambda: notify(_WAITING))
            if create:
                database.create_schema(conn)
            found = database.check_preflight(conn, url, config.clear)
            database.create_staging(conn)
            keys = database.fetch_foreign_keys(conn) if bulk else []
            database.drop_foreign_keys(conn, keys)
            for folder, manifest in zip(config.build_dirs, manifests, strict=True):
                results.append(_load_project(conn, folder, manifest, found, config.clear, bulk, progress))
            checking = time.perf_counter()
            database.add_foreign_keys(conn, keys)
            if config.dry_run:
                raise psycopg.Rollback(tx)
        commit_seconds = time.perf_counter() - checking
    except psycopg.Error as exc:
        raise DatabaseError(
            f"load into {database.redact(url)} failed and was rolled back: {database.first_line(exc)}"
        ) from exc
    finally:
        conn.close()
    return LoadResult(
        projects=tuple(results),
        database=database.redact(url),
        seconds=time.perf_counter() - started,
        committed=not config.dry_run,
        commit_seconds=commit_seconds,
        embedded=is_embedded,
        database_url=url,
    )


def init_schema(database_url: str | None) -> str:
    """Create the metrics tables (``sql/schema.sql``) and check them with the preflight.

    Args:
        database_url: target; None uses the embedded PostgreSQL (started if needed).

    Returns:
        The database, without password.
    """
    url = embedded.start() if database_url is None else database_url
    conn = database.connect(url)
    try:
        with conn.transaction():
            database.lock(conn)
            database.create_schema(conn)
            database.check_preflight(conn, url, clear=True)
    except psycopg.Error as exc:
        raise DatabaseError(
            f"creating the schema in {database.redact(url)} failed: {database.first_line(exc)}"
        ) from exc
    finally:
        conn.close()
    return database.redact(url)
