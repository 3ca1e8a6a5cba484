"""The load stage: build Parquet -> PostgreSQL, COPY-fast, idempotent, all-or-nothing.

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
   differs>`` that maps natural keys (team slug, member github_id, repo + PR number, ...) to ids.
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

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
from prseed.load import database, direct, embedded
from prseed.load.prepare import Fixes

from prseed.contracts import BUILD_TABLES, verify_dataset
from prseed.errors import ContractError, DatabaseError

__all__ = ["LoadConfig", "LoadResult", "ProjectResult", "TableStats", "init_schema", "run"]


@dataclass(frozen=True)
class LoadConfig:
    """Options of one load.

    Attributes:
        build_dirs: ``build/<project>`` folders to load, all in one transaction.
        database_url: target database; None uses the embedded PostgreSQL.
        clear: delete each team's existing metrics rows first.
        dry_run: do everything, report the counts, then roll back.
        create_schema: run ``sql/schema.sql`` first; default True for the embedded database
            and False for an external one (which gets the preflight check instead).
        bulk: drop the foreign keys of the written tables and add them back at the end (one
            set-based validation each instead of one check per row), and build the indexes
            of empty tables after filling them, all inside the transaction. Much
            faster, but it needs table ownership and holds ACCESS EXCLUSIVE locks until the
            commit, so the default is True only for the embedded database.
    """

    build_dirs: tuple[Path, ...]
    database_url: str | None = None
    clear: bool = False
    dry_run: bool = False
    create_schema: bool | None = None
    bulk: bool | None = None


@dataclass(frozen=True)
class TableStats:
    """What the load did to one table for one build.

    Attributes:
        table: the table name.
        rows: rows in the build.
        inserted: new rows.
        updated: existing rows whose values changed.
        unchanged: existing rows left untouched.
        skipped: rows not loaded (survey reviews by non-members).
        seconds: COPY + upsert wall time.
        copy_seconds: the COPY-to-staging part of ``seconds``.
        nul_replaced: NUL characters replaced by U+FFFD.
        truncated: values cut to their varchar length.
    """

    table: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    seconds: float
    nul_replaced: int
    truncated: int
    copy_seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        """Build rows processed per second."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ProjectResult:
    """The outcome for one build folder."""

    build_dir: Path
    project: str
    team_slug: str
    tables: tuple[TableStats, ...]
    cleared: int = 0


@dataclass(frozen=True)
class LoadResult:
    """The outcome of :func:`run`.

    Attributes:
        projects: one entry per build folder, in load order.
        database: the target, without password.
        seconds: wall time of the whole load.
        committed: False for a dry run.
        commit_seconds: foreign-key checking and COMMIT: the deferred per-row checks at
            COMMIT, or in bulk mode the re-validation of the foreign keys plus the COMMIT.
        embedded: whether the target was the embedded PostgreSQL.
        database_url: the full target URL (never printed by prseed when it has a password).
    """

    projects: tuple[ProjectResult, ...]
    database: str
    seconds: float
    committed: bool
    commit_seconds: float = 0.0
    embedded: bool = False
    database_url: str = field(default="", repr=False)

    def totals(self) -> list[TableStats]:
        """Per-table sums over all projects, in dependency order."""
        sums = {t: TableStats(t, 0, 0, 0, 0, 0, 0.0, 0, 0) for t in BUILD_TABLES}
        numbers = [f.name for f in fields(TableStats) if f.name != "table"]
        for project in self.projects:
            for s in project.tables:
                total = sums[s.table]
                sums[s.table] = replace(total, **{n: getattr(total, n) + getattr(s, n) for n in numbers})
        return list(sums.values())


Progress = Callable[[str, TableStats], None]


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


def run(config: LoadConfig, progress: Progress | None = None) -> LoadResult:
    """Load build folders into PostgreSQL in one transaction.

    Args:
        config: what to load and where.
        progress: called after each table of each build with ``(project, stats)``; an
            exception raised by it rolls the whole load back.

    Returns:
        Per-project, per-table counts and timings.

    Raises:
        SnapshotError: a build is missing, incomplete, corrupt or of another version.
        ContractError: a build's rows do not resolve (e.g. a review of a PR not in the build).
        DatabaseError: the database is unreachable, refuses the login, or lacks tables/columns.
    """
    started = time.perf_counter()
    manifests = _verify_builds(config.build_dirs)
    is_embedded = config.database_url is None
    url = embedded.start() if config.database_url is None else config.database_url
    create = is_embedded if config.create_schema is None else config.create_schema
    bulk = is_embedded if config.bulk is None else config.bulk
    results = []
    conn = database.connect(url)
    try:
        with conn.transaction() as tx:
            database.tune_session(conn)
            database.lock(conn)
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
