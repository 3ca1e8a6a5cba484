"""Benchmark of the load stage: ``python -m bench.bench_load [--prs 100000] [--orm-prs 5000] [--repeat 3] [--bulk-only]``.

Everything runs in one process against a fresh embedded PostgreSQL in a temp folder, so the
ratios compare like with like:

* floor: plain COPY of the same rows into tables without indexes or constraints, two ways
  (the faster counts): the build's rows, rendered as the load renders them, into tables shaped
  like the build; and the rows as stored (ids included) into ``LIKE`` copies of the metrics
  tables;
* load: ``load.run`` of a buildgen build into the empty, indexed and constrained schema of
  load/sql/schema.sql (direct COPY or COPY to staging + upserts, index maintenance, FK checks, one
  transaction), in bulk mode (the embedded default) and in deferred-FK mode (the default for an
  external database); goal <= 3x floor;
* reload: the same build again (nothing changes); goal <= 1.5x the load;
* row-by-row: the rows the bulk load wrote, all of them, inserted again into an empty copy of
  the real schema, one ``execute`` per row in one transaction (indexes, unique constraints
  and deferred FKs all apply), two ways: ids included and psycopg preparing the statement
  after 5 uses (the fastest per-row way), and as an ORM factory sends it (client-side
  binding, ``INSERT ... RETURNING id``); and psycopg's pipelined ``executemany``. Same rows
  as the load, so no extrapolation. Goal: load >= 20x faster than row-by-row.
* ORM seeder, on a smaller build (``--orm-prs``; it runs at about 1,200 rows/s): what the app's own seeder does per object (``Model.objects.update_or_create``,
  see simulation.md), as Django 5 issues it with psycopg 3 (client-side binding, no prepared
  statements), in one transaction: ``SAVEPOINT``; ``SELECT ... WHERE <unique key> FOR
  UPDATE``; ``SAVEPOINT``; ``INSERT ... RETURNING id``; ``RELEASE``; ``RELEASE``. Foreign-key
  ids are known (the seeder holds the parent objects), so there is no SELECT per foreign key.

The server is the embedded one (``load.embedded.start`` on a temp data directory, so it is
configured and restarted the same way), for every measurement alike.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
from prseed.load import database, embedded, tables
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.string import TextLoader

from prseed import load
from prseed.contracts import BUILD_TABLES
from tests.buildgen import generate


def _db(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = psycopg.conninfo.conninfo_to_dict(admin_url)
    params["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})


def _plain_tables(conn: psycopg.Connection[Any]) -> None:
    for table in BUILD_TABLES:
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in tables.staging_columns(table)
        )
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table), columns))


def floor_copy(url: str, build: Path, same_transaction: bool) -> float:
    """Plain COPY of every build row into index-free tables; returns seconds.

    With ``same_transaction`` the tables are created in the COPY's transaction (and the clock
    includes that), which on a ``wal_level = minimal`` server writes them without WAL: the
    fastest plain COPY this server can do. Otherwise they exist before (committed), as for an
    ordinary COPY.
    """
    with psycopg.connect(url) as conn:
        if not same_transaction:
            _plain_tables(conn)
            conn.commit()
        started = time.perf_counter()
        if same_transaction:
            _plain_tables(conn)
        for table in BUILD_TABLES:
            batches = pq.ParquetFile(build / f"{table}.parquet").iter_batches(database.COPY_BATCH_ROWS)
            database.copy_batches(conn, sql.Identifier(table), batches)
        conn.commit()
        return time.perf_counter() - started


def target_csv(url: str) -> dict[str, bytes]:
    """Every loaded table as PostgreSQL renders it for COPY (CSV): the rows as stored."""
    out = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table in BUILD_TABLES:
            statement = sql.SQL("COPY {} TO STDOUT (FORMAT csv)").format(sql.Identifier(table))
            with cur.copy(statement) as copy:
                out[table] = b"".join(bytes(chunk) for chunk in copy)
    return out


def target_floor(url: str, rows: dict[str, bytes], same_transaction: bool) -> float:
    """Plain COPY of the loaded rows (ids included) into copies of the metrics tables.

    The copies are ``CREATE TABLE ... (LIKE metrics_x)``: same columns and types, no index, no
    constraint but NOT NULL, no default. The literal reading of the floor ("a plain COPY of the
    same rows into empty copies of the tables"). Returns seconds.
    """
    with psycopg.connect(url) as conn:
        conn.execute(tables.sql_text("schema.sql").encode())
        conn.commit()

        def create() -> None:
            for table in BUILD_TABLES:
                conn.execute(
                    sql.SQL("CREATE TABLE {} (LIKE {})").format(
                        sql.Identifier(f"copy_{table}"), sql.Identifier(table)
                    )
                )

        if not same_transaction:
            create()
            conn.commit()
        started = time.perf_counter()
        if same_transaction:
            create()
        with conn.cursor() as cur:
            for table in BUILD_TABLES:
                statement = sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(sql.Identifier(f"copy_{table}"))
                with cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
                    data = rows[table]
                    for at in range(0, len(data), 1 << 22):
                        copy.write(data[at : at + (1 << 22)])
        conn.commit()
        return time.perf_counter() - started


def _dump(url: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every row of every loaded table, jsonb as text, in id order."""
    out = {}
    with psycopg.connect(url) as conn:
        conn.adapters.register_loader("jsonb", TextLoader)
        for table in BUILD_TABLES:
            cur = conn.execute(sql.SQL("SELECT * FROM {} ORDER BY id").format(sql.Identifier(table)))
            out[table] = ([d.name for d in cur.description or []], cur.fetchall())
    return out


def per_row(url: str, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]], how: str) -> float:
    """Insert the loaded rows again, one statement per row, into an empty copy of the real schema.

    Indexes, unique constraints and deferred foreign keys all apply. ``how``:

    * ``prepared``: ``INSERT`` with the ids included; psycopg prepares it after 5 uses (the
      fastest one-statement-per-row way);
    * ``factory``: what an ORM factory sends (Django's ``Model.objects.create`` with psycopg 3:
      client-side binding, no prepared statement, ``INSERT ... RETURNING id``, the database
      assigning the id; rows go in id order into fresh tables, so the ids come out the same);
    * ``many``: psycopg's pipelined ``executemany``, ids included.

    Returns the seconds from the first INSERT to the end of COMMIT.
    """
    with psycopg.connect(url) as conn:
        conn.execute(tables.sql_text("schema.sql").encode())
        conn.commit()
        started = time.perf_counter()
        with psycopg.ClientCursor(conn) if how == "factory" else conn.cursor() as cur:
            for table in BUILD_TABLES:
                names, values = rows[table]
                skip = 1 if how == "factory" else 0
                stmt = sql.SQL("INSERT INTO {} ({}) VALUES ({}){}").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(map(sql.Identifier, names[skip:])),
                    sql.SQL(", ").join([sql.Placeholder()] * (len(names) - skip)),
                    sql.SQL(" RETURNING id" if skip else ""),
                )
                if how == "many":
                    cur.executemany(stmt, values)
                elif how == "factory":
                    for row in values:
                        cur.execute(stmt, row[1:])
                        returned = cur.fetchone()
                        assert returned == (row[0],), (table, returned, row[0])
                else:
                    for row in values:
                        cur.execute(stmt, row)
        conn.commit()
        return time.perf_counter() - started


def orm_seeder(url: str, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    """Insert the loaded rows again the way Django's ``update_or_create`` does, one object at a time.

    Per row, on a client-side-binding cursor (Django's default with psycopg 3): SAVEPOINT,
    SELECT id ... WHERE <the upsert's conflict key> FOR UPDATE (finds nothing), SAVEPOINT,
    INSERT ... RETURNING id, RELEASE SAVEPOINT twice. Returns the seconds from the first
    statement to the end of COMMIT.
    """
    with psycopg.connect(url) as conn:
        conn.execute(tables.sql_text("schema.sql").encode())
        conn.commit()
        started = time.perf_counter()
        with psycopg.ClientCursor(conn) as cur:
            for table in BUILD_TABLES:
                names, values = rows[table]
                # A table without a unique key is created, as the app's daily task does: no lookup.
                key = [] if table in tables.UNKEYED_TABLES else list(tables.conflict_columns(table))
                at = [names.index(c) for c in key]
                select = sql.SQL("SELECT {} FROM {} WHERE {} LIMIT 21 FOR UPDATE").format(
                    sql.SQL(", ").join(map(sql.Identifier, names)),
                    sql.Identifier(table),
                    sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in key),
                )
                insert = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(map(sql.Identifier, names[1:])),
                    sql.SQL(", ").join([sql.Placeholder()] * (len(names) - 1)),
                    sql.Identifier(names[0]),
                )
                for number, row in enumerate(values):
                    outer, inner = f"s{number}x", f"s{number}y"
                    cur.execute(sql.SQL("SAVEPOINT {}").format(sql.Identifier(outer)))
                    if key:
                        cur.execute(select, [row[i] for i in at])
                        cur.fetchall()
                    cur.execute(sql.SQL("SAVEPOINT {}").format(sql.Identifier(inner)))
                    cur.execute(insert, row[1:])
                    cur.fetchone()
                    cur.execute(sql.SQL("RELEASE SAVEPOINT {}").format(sql.Identifier(inner)))
                    cur.execute(sql.SQL("RELEASE SAVEPOINT {}").format(sql.Identifier(outer)))
        conn.commit()
        return time.perf_counter() - started


def _drop(admin_url: str, value: float | None) -> float:
    """Drop the newest bench database (disk: each holds the whole build); return ``value``."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'bench_%' ORDER BY oid DESC LIMIT 1"
        ).fetchone()
        if row:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(row[0])))
    return value or 0.0


def _median_run(
    pairs: list[tuple[load.LoadResult, load.LoadResult]],
) -> tuple[load.LoadResult, load.LoadResult]:
    """The (load, reload) pair whose first load took the median time."""
    ordered = sorted(pairs, key=lambda pair: pair[0].seconds)
    return ordered[len(ordered) // 2]


def _report_floor_and_bulk(
    floors: dict[bool, float],
    targets: dict[bool, float],
    runs: dict[bool, list[tuple[load.LoadResult, load.LoadResult]]],
    total: int,
    repeat: int,
) -> tuple[float, dict[bool, tuple[load.LoadResult, load.LoadResult]]]:
    """Print both floors and the bulk-mode figures; return the floor and the median runs.

    The ratios use the faster (stricter) of the two floors.
    """
    build_floor, stored_floor = min(floors.values()), min(targets.values())
    floor = min(build_floor, stored_floor)
    print(
        f"build-shaped floor, plain COPY of the build's rows (natural keys, same CSV rendering as the load) "
        f"into tables shaped like the build: {build_floor:.2f} s {total / build_floor:.0f} rows/s (created "
        f"in the COPY's transaction: {floors[True]:.2f} s; before: {floors[False]:.2f} s)"
    )
    print(
        f"stored-row floor, plain COPY of the loaded rows (ids included) into LIKE copies of the metrics "
        f"tables without indexes/constraints: {stored_floor:.2f} s {total / stored_floor:.0f} rows/s "
        f"(created in the COPY's transaction: {targets[True]:.2f} s; before: {targets[False]:.2f} s)"
    )
    print(f"floor (the faster of the two): {floor:.2f} s")
    medians = {bulk: _median_run(pairs) for bulk, pairs in runs.items()}
    _report(f"bulk mode (default on the embedded database), median of {repeat}", *medians[True], floor)
    print("  each run: " + ", ".join(f"{a.seconds / floor:.2f}x" for a, _ in runs[True]))
    return floor, medians


def _report(name: str, first: load.LoadResult, again: load.LoadResult, floor: float) -> None:
    total = sum(s.rows for s in first.totals())
    copy_s = sum(s.copy_seconds for s in first.totals())
    upsert_s = sum(s.seconds for s in first.totals()) - copy_s
    print(f"{name}:")
    print(f"  {'table':<24} {'rows':>8} {'seconds':>8} {'rows/s':>9}")
    for s in first.totals():
        print(f"  {s.table:<24} {s.rows:>8} {s.seconds:>8.2f} {s.rows_per_second:>9.0f}")
    print(
        f"  load into the empty schema: {first.seconds:7.2f} s {total / first.seconds:9.0f} rows/s"
        f" = {first.seconds / floor:5.2f}x floor (goal <= 3x)"
    )
    print(
        f"    of which COPY (direct, or to staging) {copy_s:.2f} s, upserts + index builds {upsert_s:.2f} s, "
        f"FK checks + COMMIT {first.commit_seconds:.2f} s"
    )
    print(
        f"  reload of the unchanged build: {again.seconds:7.2f} s "
        f"= {again.seconds / first.seconds:5.2f}x the load (goal <= 1.5x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prs", type=int, default=100_000, help="PRs of the build")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floor and of each load mode")
    parser.add_argument(
        "--bulk-only",
        action="store_true",
        help="only the floor and bulk-mode loads (no deferred-FK mode, no per-row baselines)",
    )
    parser.add_argument(
        "--orm-prs", type=int, default=5_000, help="PRs of the smaller build the ORM seeder inserts"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="prseed-bench-") as tmp:
        build = Path(tmp) / "build" / "bench"
        small = Path(tmp) / "build" / "small"
        t0 = time.perf_counter()
        manifest = generate(build, args.prs, team_slug="bench-demo", project="bench")
        total = sum(e["rows"] for e in manifest["tables"].values())
        small_total = sum(
            e["rows"] for e in generate(small, args.orm_prs, project="small")["tables"].values()
        )
        print(
            f"build: {args.prs} PRs, {total} rows in 12 tables "
            f"(generated in {time.perf_counter() - t0:.1f} s); ORM-seeder build: "
            f"{args.orm_prs} PRs, {small_total} rows",
            flush=True,
        )
        pgdata = Path(tmp) / "pgdata"
        admin = embedded.start(pgdata)  # configured (and restarted) like the embedded database
        try:
            with psycopg.connect(admin) as conn:
                settings = conn.execute(
                    "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name)"
                    " FROM pg_settings WHERE name IN ('wal_level', 'max_wal_size', 'server_version')"
                ).fetchone()
            print(f"server: {settings[0] if settings else '?'}", flush=True)
            # Floor and loads run --repeat times each (fresh databases; the median counts):
            # single runs on a shared 2-core machine vary by up to +-50%.
            floors = {
                same: statistics.median(
                    _drop(admin, floor_copy(_db(admin, f"bench_floor_{int(same)}_{i}"), build, same))
                    for i in range(args.repeat)
                )
                for same in (False, True)
            }
            runs: dict[bool, list[tuple[load.LoadResult, load.LoadResult]]] = {}
            for bulk in (True,) if args.bulk_only else (True, False):
                runs[bulk] = []
                for i in range(args.repeat):
                    config = load.LoadConfig(
                        build_dirs=(build,),
                        database_url=_db(admin, f"bench_load_{int(bulk)}_{i}"),
                        create_schema=True,
                        bulk=bulk,
                    )
                    runs[bulk].append((load.run(config), load.run(config)))
                    if i:
                        _drop(admin, None)
                print(
                    f"{'bulk' if bulk else 'deferred-FK'} loads: "
                    + ", ".join(f"{a.seconds:.2f} s (reload {b.seconds:.2f} s)" for a, b in runs[bulk]),
                    flush=True,
                )
            stored = target_csv(runs[True][0][0].database_url)
            targets = {
                same: statistics.median(
                    _drop(admin, target_floor(_db(admin, f"bench_target_{int(same)}_{i}"), stored, same))
                    for i in range(args.repeat)
                )
                for same in (False, True)
            }
            del stored
            if args.bulk_only:
                _report_floor_and_bulk(floors, targets, runs, total, args.repeat)
                return
            rows = _dump(runs[True][0][0].database_url)
            t_row = per_row(_db(admin, "bench_rows"), rows, "prepared")
            t_factory = per_row(_db(admin, "bench_factory"), rows, "factory")
            t_many = per_row(_db(admin, "bench_many"), rows, "many")
            del rows
            small_url = _db(admin, "bench_small")
            small_load = load.run(
                load.LoadConfig(build_dirs=(small,), database_url=small_url, create_schema=True)
            ).seconds
            t_orm = orm_seeder(_db(admin, "bench_orm"), _dump(small_url))
        finally:
            embedded.stop(pgdata)

    floor, medians = _report_floor_and_bulk(floors, targets, runs, total, args.repeat)
    _report(
        f"deferred-FK mode (default on an external database), median of {args.repeat}", *medians[False], floor
    )
    loads = {bulk: pair[0].seconds for bulk, pair in medians.items()}
    print(
        f"per-row baselines: the same {total} rows, ids included, into an empty copy of the schema, "
        f"one transaction (goal: load >= 20x faster than row-by-row)"
    )
    for name, seconds in (
        ("row-by-row execute (ids known, prepared after 5 uses)", t_row),
        ("row-by-row as an ORM factory sends it (client-side binding, INSERT ... RETURNING id)", t_factory),
        ("pipelined executemany", t_many),
    ):
        print(
            f"  {name}: {seconds:7.2f} s {total / seconds:7.0f} rows/s; load is "
            f"{seconds / loads[True]:5.1f}x (bulk) / {seconds / loads[False]:5.1f}x (deferred-FK) faster"
        )
    print(
        f"  ORM seeder (update_or_create per row: 6 statements) on the {args.orm_prs}-PR build "
        f"({small_total} rows): {t_orm:.2f} s {small_total / t_orm:.0f} rows/s; the bulk load of that "
        f"build took {small_load:.2f} s: {t_orm / small_load:.1f}x faster"
    )


if __name__ == "__main__":
    main()
