"""The transform's I/O shell: verify the snapshot, run the SQL files, write and swap the build."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import duckdb
from prseed.transform import TransformConfig, TransformResult
from prseed.transform.shift import shift_tables, shift_weeks, shifted

from prseed import __version__
from prseed.contracts import (
    ALL_SNAPSHOT_TABLES,
    BUILD_SCHEMA_VERSION,
    BUILD_TABLES,
    arrow_schema,
    dataset_digest,
    dumps_manifest,
    has_comments,
    real_dir,
    replace_dir_atomically,
    table_key,
    validate,
    verify_dataset,
    write_bytes_atomic,
    write_parquet,
)
from prseed.errors import ConfigError, ContractError, SnapshotError
from prseed.outputs import check_output_dir
from prseed.resources import sql_files

_PARAM = re.compile(r"\$([a-z_]+)")
# SQL files from this prefix on run after the shift, on the shifted tables and as-of date.
AFTER_SHIFT = "90_"


def sql_statements(path: Traversable) -> list[str]:
    """Split one SQL file into statements (on ``;`` at the end of a line)."""
    text = path.read_text(encoding="utf-8")
    return [s.strip() for s in re.split(r";[ \t]*\n", text + "\n") if _has_code(s)]


def _has_code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())


def extracted_at(manifest: dict[str, Any]) -> datetime:
    """The snapshot's extraction time: its manifest ``finished_at`` as an aware UTC datetime.

    A time without an offset is taken as UTC (the extract writes ``...Z``).

    Raises:
        SnapshotError: ``finished_at`` is not an ISO-8601 date-time.
    """
    finished = str(manifest["finished_at"]).replace("Z", "+00:00")
    try:
        stamp = datetime.fromisoformat(finished)
    except ValueError as exc:
        raise SnapshotError(f"snapshot finished_at {finished!r} is not a date-time") from exc
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def default_as_of(manifest: dict[str, Any]) -> date:
    """The snapshot's as-of day: its extraction date, or its window's end if that is earlier.

    The extraction date is the UTC date of the manifest's ``finished_at``. A snapshot extracted
    with ``--until`` holds the PRs created up to that day, so its data ends there: anchoring the
    simulation windows (``days_back`` before the as-of day) and the ``--shift-to`` shift on the
    window's end keeps them on the data instead of on the weeks between the window and the
    extraction.

    Raises:
        SnapshotError: ``finished_at`` or the window's ``until`` is malformed.
    """
    day = extracted_at(manifest).date()
    until = (manifest.get("window") or {}).get("until")
    if until:
        try:
            return min(day, date.fromisoformat(str(until)))
        except ValueError as exc:
            raise SnapshotError(f"snapshot window until {until!r} is not a date") from exc
    return day


def parameters(config: TransformConfig, manifest: dict[str, Any]) -> dict[str, Any]:
    """The values bound into ``00_params.sql``, all from the config and the snapshot manifest."""
    project = manifest["project"]
    as_of = config.as_of or default_as_of(manifest)
    return {
        "seed": config.seed,
        "as_of": as_of,
        "shift_weeks": shift_weeks(as_of, config.shift_to) if config.shift_to else 0,
        "has_comments": has_comments(manifest),
        # the latest time a GitHub object in the snapshot can carry (see known_at in 01_macros.sql)
        "extracted_at": extracted_at(manifest),
        "days_back": project["days_back"],
        "team_slug": project["team_slug"],
        "team_name": project["team_name"],
        "jira_project_key": project["jira_project_key"],
        "ai_base_adoption_rate": float(project["ai_base_adoption_rate"]),
        "survey_response_rate": float(project["survey_response_rate"]),
        "repos": list(project["repos"]),
    }


def open_database(config: TransformConfig, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded threads/memory, UTC session, spill folder."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET threads = $n", {"n": config.threads or 2})
    con.execute("SET memory_limit = $m", {"m": config.memory_limit or "1GB"})
    con.execute("SET temp_directory = $d", {"d": str(temp_dir)})
    return con


def create_snapshot_views(
    con: duckdb.DuckDBPyConnection, snapshot_dir: Path, manifest: dict[str, Any]
) -> None:
    """Expose each snapshot Parquet file as a view ``snap_<table>``.

    A version-1 snapshot has no comment tables: they appear as empty tables of the contract's
    columns, and ``params.has_comments`` is false, so the comment-derived values stay NULL.
    """
    for table in ALL_SNAPSHOT_TABLES:
        entry = manifest["tables"].get(table)
        if entry is not None:
            con.read_parquet(str(snapshot_dir / entry["file"])).create_view(f"snap_{table}")
        else:
            empty = arrow_schema("snapshot", table).empty_table()
            con.register(f"empty_{table}", empty)
            con.execute(f"CREATE OR REPLACE TABLE snap_{table} AS SELECT * FROM empty_{table}")
            con.unregister(f"empty_{table}")


def run_sql(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Run every ``transform/sql/*.sql`` file in name order, binding ``$name`` parameters.

    The shift (``params["shift_weeks"]``) is applied to the build tables between the files
    before ``90_`` and the ones from ``90_`` on.
    """
    files = sql_files("prseed.transform")
    run_files(con, params, [f for f in files if f.name < AFTER_SHIFT])
    shifted_now = [t for t in BUILD_TABLES if _exists(con, f"out_{t}")]
    shift_tables(con, shifted_now, params["shift_weeks"])
    run_files(con, params, [f for f in files if f.name >= AFTER_SHIFT])


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $t", {"t": table}).fetchall()
    return bool(found[0][0])


def run_files(con: duckdb.DuckDBPyConnection, params: dict[str, Any], files: list[Traversable]) -> None:
    """Run SQL files in the given order, binding ``$name`` parameters."""
    for path in files:
        for statement in sql_statements(path):
            code = "\n".join(ln for ln in statement.splitlines() if not ln.lstrip().startswith("--"))
            names = set(_PARAM.findall(code))
            try:
                if names:
                    con.execute(statement, {n: params[n] for n in names})
                else:
                    con.execute(statement)
            except duckdb.IOException:
                raise  # the disk, not the data: see transform()
            except duckdb.Error as exc:
                first = str(exc).splitlines()[0]
                raise ContractError(f"transform step {path.name} failed: {first}") from exc


def write_tables(con: duckdb.DuckDBPyConnection, staging: Path) -> dict[str, dict[str, Any]]:
    """Fetch each ``out_<table>`` sorted by its contract key and write it as Parquet."""
    entries = {}
    for table in BUILD_TABLES:
        order = ", ".join(table_key("build", table))
        arrow = con.sql(f"SELECT * FROM out_{table} ORDER BY {order}").to_arrow_table()
        entries[table] = write_parquet(arrow, staging / f"{table}.parquet", "build", table)
    return entries


def build_manifest(
    config: TransformConfig,
    snapshot: dict[str, Any],
    params: dict[str, Any],
    entries: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The build manifest: no wall-clock time, so identical inputs give identical bytes."""
    project = snapshot["project"]
    manifest: dict[str, Any] = {
        "kind": "prseed-build",
        "schema_version": BUILD_SCHEMA_VERSION,
        "tool_version": __version__,
        "project": project["key"],
        "team_slug": project["team_slug"],
        "team_name": project["team_name"],
        "seed": config.seed,
        "as_of": params["as_of"].isoformat(),
        "snapshot": {"path": str(config.snapshot_dir), "digest": dataset_digest(snapshot)},
        "tables": entries,
        "completed": True,
    }
    if config.shift_to is not None:
        weeks = params["shift_weeks"]
        manifest["shift"] = {
            "to": config.shift_to.isoformat(),
            "weeks": weeks,
            "days": 7 * weeks,
            "as_of": shifted(params["as_of"], weeks).isoformat(),
        }
    if "synthetic" in snapshot:
        manifest["synthetic"] = bool(snapshot["synthetic"])
    return manifest


def transform(config: TransformConfig) -> TransformResult:
    """Verify the snapshot, run the SQL, write a complete build and swap it in atomically.

    Raises:
        SnapshotError: the snapshot is missing, incomplete, tampered or of another version;
            the previous build is left untouched.
        ConfigError: the output folder cannot be used: not empty and not a build (never
            overwritten), the current folder, or its disk is full.
    """
    started = time.perf_counter()
    snapshot = verify_dataset(config.snapshot_dir, "snapshot")
    params = parameters(config, snapshot)
    # A dry run reports a refusal too. Only a build of the same project (key and team) is replaced.
    default = config.out_dir == Path("build") / config.snapshot_dir.name
    out_dir = check_output_dir(config.out_dir, "build", project=snapshot["project"], default=default)
    if config.dry_run:
        return _dry_run(config, snapshot, params, started)
    try:
        return _write_build(config, snapshot, params, started)
    except (duckdb.IOException, OSError) as exc:
        # The build and DuckDB's spill files go beside out_dir: a full or unwritable disk there is
        # the environment's fault, not the snapshot's.
        reason = (getattr(exc, "strerror", None) or str(exc)).splitlines()[0]
        raise ConfigError(
            f"cannot write the build {out_dir}: {reason}; free some space, fix the permissions or "
            f"pass another --out"
        ) from exc


def _write_build(
    config: TransformConfig, snapshot: dict[str, Any], params: dict[str, Any], started: float
) -> TransformResult:
    out_dir = config.out_dir
    real = real_dir(out_dir)  # a link to the build folder is written through, and stays
    real.parent.mkdir(parents=True, exist_ok=True)
    staging = real.with_name(f".{real.name}.staging-{os.getpid()}")
    temp_dir = real.with_name(f".{real.name}.duckdb-{os.getpid()}")
    for folder in (staging, temp_dir):
        shutil.rmtree(folder, ignore_errors=True)
    staging.mkdir()
    try:
        con = open_database(config, temp_dir)
        try:
            create_snapshot_views(con, config.snapshot_dir, snapshot)
            run_sql(con, params)
            entries = write_tables(con, staging)
        finally:
            con.close()
        manifest = build_manifest(config, snapshot, params, entries)
        validate(manifest, "build/manifest.schema.json", str(staging / "manifest.json"))
        write_bytes_atomic(staging / "manifest.json", dumps_manifest(manifest))
        verify_dataset(staging, "build")
        replace_dir_atomically(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(temp_dir, ignore_errors=True)
    rows = {name: entry["rows"] for name, entry in manifest["tables"].items()}
    return TransformResult(manifest=manifest, rows=rows, seconds=time.perf_counter() - started)


def _dry_run(
    config: TransformConfig, snapshot: dict[str, Any], params: dict[str, Any], started: float
) -> TransformResult:
    with tempfile.TemporaryDirectory(prefix="prseed-transform-") as temp:
        con = open_database(config, Path(temp))
        try:
            create_snapshot_views(con, config.snapshot_dir, snapshot)
            run_sql(con, params)
            rows = {}
            for table in BUILD_TABLES:
                counted = con.sql(f"SELECT count(*) FROM out_{table}").fetchall()
                rows[table] = int(counted[0][0])
        finally:
            con.close()
    return TransformResult(manifest={}, rows=rows, seconds=time.perf_counter() - started)
