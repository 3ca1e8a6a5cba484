"""The load stage against a real PostgreSQL (see conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pytest
from prseed.load import database, direct, tables
from psycopg import sql

from prseed import load
from prseed.contracts import BUILD_TABLES, arrow_schema, table_key
from prseed.errors import ContractError, DatabaseError, SnapshotError
from tests.buildgen import generate, make_tables, write_build
from tests.conftest import embedded_tempdir

REPO_ROOT = Path(__file__).resolve().parent.parent
N_PRS = 60

_MEMBER = "(SELECT github_id FROM metrics_teammember WHERE id = d.{})"
_PR = "(SELECT {} FROM metrics_pullrequest WHERE id = d.pull_request_id)"
_SURVEY_PR = (
    "(SELECT p.{} FROM metrics_prsurvey v JOIN metrics_pullrequest p ON p.id = v.pull_request_id"
    " WHERE v.id = d.survey_id)"
)


def _expr(table: str, column: str) -> str:
    """SQL giving a build column back from a database row ``d`` (natural keys from ids)."""
    if column == "team_slug":
        return "(SELECT slug FROM teams_team WHERE id = d.team_id)"
    if column.endswith("_github_id"):
        return _MEMBER.format(column.removesuffix("_github_id") + "_id")
    if column == "survey_created_at":
        return "d.created_at"
    if table == "metrics_prsurveyreview" and column in ("github_repo", "github_pr_id"):
        return _SURVEY_PR.format(column)
    if column in ("github_repo", "github_pr_id") and column not in tables.written_columns(table):
        return _PR.format(column)
    if table == "metrics_commit" and column == "github_pr_id":
        return _PR.format(column)
    return f"d.{column}"


def db_as_build(url: str, table: str) -> list[dict[str, Any]]:
    names = arrow_schema("build", table).names
    select = ", ".join(f"{_expr(table, c)} AS {c}" for c in names)
    with psycopg.connect(url) as conn:
        cur = conn.execute(f"SELECT {select} FROM {table} AS d")
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return _sorted(table, rows)


def build_rows(folder: Path, table: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows = pq.read_table(folder / f"{table}.parquet").to_pylist()
    json_cols = [c for c in rows[0] if tables.x_arrow(table, c) == "json"] if rows else []
    for row in rows:
        for c in json_cols:
            row[c] = json.loads(row[c])
    return _sorted(table, rows)


def _sorted(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    key = table_key("build", table)
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in key))


def snapshot_db(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, including ids and timestamps."""
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in BUILD_TABLES}


def counts(result: load.LoadResult) -> dict[str, tuple[int, int, int]]:
    return {s.table: (s.inserted, s.updated, s.unchanged) for s in result.totals()}


@pytest.fixture(scope="module")
def build_v0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("build") / "acme"
    generate(folder, N_PRS)
    return folder


@pytest.fixture(scope="module")
def build_v1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("build") / "acme"
    generate(folder, N_PRS, version=1)
    return folder


@pytest.fixture(params=[False, True], ids=["deferred-fk", "bulk"])
def bulk(request: pytest.FixtureRequest) -> bool:
    """Run a test with per-row deferred FK checks and with bulk mode (FKs/indexes rebuilt)."""
    return bool(request.param)


def schema_objects(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = current_schema()::regnamespace"
            " UNION ALL SELECT table_name || '.' || column_name, column_default"
            " FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_default IS NOT NULL ORDER BY 1, 2"
        ).fetchall()


def run_load(url: str, *builds: Path, **options: Any) -> load.LoadResult:
    options.setdefault("create_schema", True)
    return load.run(load.LoadConfig(build_dirs=builds, database_url=url, **options))


def test_round_trip_database_equals_build(pg_url: str, build_v0: Path, bulk: bool) -> None:
    result = run_load(pg_url, build_v0, bulk=bulk)
    first_objects = schema_objects(pg_url)
    run_load(pg_url, build_v0, bulk=not bulk)
    assert schema_objects(pg_url) == first_objects  # bulk mode rebuilt every index and FK
    for table in BUILD_TABLES:
        assert db_as_build(pg_url, table) == build_rows(build_v0, table), table
    pr = next(s for s in result.totals() if s.table == "metrics_pullrequest")
    assert (pr.rows, pr.inserted, pr.updated, pr.unchanged) == (N_PRS, N_PRS, 0, 0)


def test_direct_path_streams_in_small_batches_and_keeps_build_order(
    pg_url: str, build_v0: Path, bulk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 7 rows and a queue of 4 chunks: the worker blocks on the full queue many times,
    # DuckDB's ORDER BY puts the rows back in build order, and ids follow that order.
    monkeypatch.setattr(direct, "COPY_BATCH_ROWS", 7)
    run_load(pg_url, build_v0, bulk=bulk)
    for table in BUILD_TABLES:
        assert db_as_build(pg_url, table) == build_rows(build_v0, table), table
    import pyarrow.parquet as pq

    expected = pq.read_table(build_v0 / "metrics_prfile.parquet", columns=["filename"]).column(0).to_pylist()
    with psycopg.connect(pg_url) as conn:
        loaded = [r[0] for r in conn.execute("SELECT filename FROM metrics_prfile ORDER BY id")]
    assert loaded == expected


def test_loader_defaults_fill_every_not_null_column(pg_url: str, build_v0: Path) -> None:
    run_load(pg_url, build_v0)
    with psycopg.connect(pg_url) as conn:
        team = conn.execute(
            "SELECT onboarding_complete, onboarding_pipeline_status, copilot_status,"
            " copilot_price_tier, copilot_consecutive_failures, created_at = updated_at"
            " FROM teams_team"
        ).fetchone()
        survey_created = conn.execute(
            "SELECT count(*) FROM metrics_prsurvey WHERE created_at <> updated_at"
        ).fetchone()
    assert team == (True, "not_started", "disabled", "business", 0, True)
    assert survey_created is not None and survey_created[0] > 0  # created_at is the build's


def test_second_load_changes_nothing(
    pg_url: str, build_v0: Path, bulk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct_tables: list[str] = []
    write_direct = database.write_direct

    def spy(conn: Any, build: Path, prepared: direct.Prepared, **options: Any) -> int:
        direct_tables.append(prepared.table)
        return write_direct(conn, build, prepared, **options)

    monkeypatch.setattr(database, "write_direct", spy)
    run_load(pg_url, build_v0, bulk=bulk)
    assert set(direct_tables) == direct.DIRECT_TABLES  # empty tables: COPY straight in
    before = snapshot_db(pg_url)
    again = run_load(pg_url, build_v0, bulk=bulk)
    assert len(direct_tables) == len(direct.DIRECT_TABLES)  # then the upserts
    # The upserts compare every written column, so this also shows that the direct path (first
    # load) and the staging path (second) write the same values.
    assert all(ins == 0 and upd == 0 for ins, upd, _ in counts(again).values())
    assert counts(again)["metrics_prfile"][2] == N_PRS * 5
    assert snapshot_db(pg_url) == before


def test_newer_build_updates_changed_rows_and_adds_new_ones(
    pg_url: str, build_v0: Path, build_v1: Path, bulk: bool
) -> None:
    run_load(pg_url, build_v0, bulk=bulk)
    before = {r[0]: r for r in snapshot_db(pg_url)["metrics_pullrequest"]}
    result = counts(run_load(pg_url, build_v1, bulk=bulk))
    added = N_PRS // 20
    assert result["metrics_pullrequest"] == (added, N_PRS // 10, N_PRS - N_PRS // 10)
    assert result["metrics_prreview"] == (2 * added, 2 * N_PRS // 50 + 1, 2 * N_PRS - 3)
    for table in BUILD_TABLES:
        assert db_as_build(pg_url, table) == build_rows(build_v1, table), table
    after = {r[0]: r for r in snapshot_db(pg_url)["metrics_pullrequest"]}
    untouched = [i for i in before if before[i] == after[i]]
    assert len(untouched) == N_PRS - N_PRS // 10  # unchanged rows keep updated_at


def test_clear_replaces_the_team_rows(pg_url: str, build_v0: Path, build_v1: Path, bulk: bool) -> None:
    run_load(pg_url, build_v1, bulk=bulk)
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "INSERT INTO metrics_dailyinsight (created_at, updated_at, team_id, date, category,"
            " priority, title, description, metric_type, comparison_period, is_dismissed)"
            " SELECT now(), now(), id, '2025-01-01', 'trend', 'low', 't', '', 'x', '', false"
            " FROM teams_team"
        )
    result = run_load(pg_url, build_v0, clear=True, bulk=bulk)
    assert result.projects[0].cleared > N_PRS
    for table in BUILD_TABLES:
        assert db_as_build(pg_url, table) == build_rows(build_v0, table), table
    # the hand-made insight is gone: the team's insights are exactly the build's
    assert len(snapshot_db(pg_url)["metrics_dailyinsight"]) == len(
        build_rows(build_v0, "metrics_dailyinsight")
    )
    assert counts(result)["teams_team"] == (0, 0, 1)  # the team row itself is kept


def test_insights_are_never_duplicated_and_keep_other_days_and_dismissals(
    pg_url: str, build_v0: Path
) -> None:
    """metrics_dailyinsight has no unique key: the load syncs the team's rows of the build's days."""
    run_load(pg_url, build_v0)
    columns = (
        "team_id, date, category, priority, title, description, metric_type, metric_value, comparison_period"
    )
    with psycopg.connect(pg_url) as conn:
        # the app ran its daily task again (a duplicate), on a later day (kept), and a user
        # dismissed one insight (the dismissal survives reloads)
        conn.execute(
            f"INSERT INTO metrics_dailyinsight (created_at, updated_at, is_dismissed, {columns})"
            f" SELECT now(), now(), false, {columns} FROM metrics_dailyinsight ORDER BY id LIMIT 3"
        )
        conn.execute(
            "INSERT INTO metrics_dailyinsight (created_at, updated_at, team_id, date, category, priority,"
            " title, description, metric_type, comparison_period, is_dismissed)"
            " SELECT now(), now(), id, '2030-01-01', 'trend', 'low', 'app', '', 'x', '', false FROM teams_team"
        )
        conn.execute(
            "UPDATE metrics_dailyinsight SET is_dismissed = true, dismissed_at = now()"
            " WHERE id = (SELECT min(id) FROM metrics_dailyinsight)"
        )
    result = run_load(pg_url, build_v0)
    assert counts(result)["metrics_dailyinsight"][0] == 0
    other_day = {"team_slug": "acme-demo", "date": date(2030, 1, 1), "category": "trend", "priority": "low",
                 "title": "app", "description": "", "metric_type": "x", "metric_value": None,
                 "comparison_period": ""}  # fmt: skip
    want = [*build_rows(build_v0, "metrics_dailyinsight"), other_day]
    assert db_as_build(pg_url, "metrics_dailyinsight") == want
    with psycopg.connect(pg_url) as conn:
        dismissed = conn.execute("SELECT count(*) FROM metrics_dailyinsight WHERE is_dismissed").fetchone()
    assert dismissed == (1,)
    before = snapshot_db(pg_url)
    run_load(pg_url, build_v0)
    assert snapshot_db(pg_url) == before


def test_failure_mid_load_leaves_database_unchanged(
    pg_url: str, build_v0: Path, build_v1: Path, bulk: bool
) -> None:
    run_load(pg_url, build_v0, bulk=bulk)
    before = snapshot_db(pg_url)

    def fail_after_files(project: str, stats: load.TableStats) -> None:
        if stats.table == "metrics_prfile":
            raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError, match="injected"):
        load.run(
            load.LoadConfig(build_dirs=(build_v1,), database_url=pg_url, bulk=bulk),
            fail_after_files,
        )
    assert snapshot_db(pg_url) == before


def test_bulk_failure_on_empty_tables_restores_indexes_and_keys(schema_url: str, build_v0: Path) -> None:
    before = schema_objects(schema_url)

    def fail_after_files(project: str, stats: load.TableStats) -> None:
        if stats.table == "metrics_prfile":
            raise RuntimeError("injected failure")

    config = load.LoadConfig(build_dirs=(build_v0,), database_url=schema_url, bulk=True)
    with pytest.raises(RuntimeError, match="injected"):
        load.run(config, fail_after_files)
    assert schema_objects(schema_url) == before
    assert snapshot_db(schema_url)["metrics_pullrequest"] == []


def test_bulk_load_into_empty_tables_rebuilds_every_index_and_key(schema_url: str, build_v0: Path) -> None:
    # Bulk mode drops every index of an empty table (unique ones and primary keys included,
    # except those another table's foreign key needs) and builds them after the fill.
    before = schema_objects(schema_url)
    result = run_load(schema_url, build_v0, bulk=True)
    assert counts(result)["metrics_prfile"] == (N_PRS * 5, 0, 0)
    assert schema_objects(schema_url) == before
    with psycopg.connect(schema_url) as conn:
        unusable = conn.execute(
            "SELECT count(*) FROM pg_index WHERE NOT (indisvalid AND indisready AND indislive)"
        ).fetchone()
    assert unusable == (0,)


def test_bulk_mode_truncates_empty_tables_only(schema_url: str, build_v0: Path, bulk: bool) -> None:
    # A table truncated in the load's transaction gets a new file, which a wal_level=minimal
    # server fills without WAL. Only bulk mode does it, only to empty tables, and the foreign
    # key of a table the load does not write (metrics_prcomment) comes back.
    def files() -> dict[str, int]:
        with psycopg.connect(schema_url) as conn:
            rows = conn.execute(
                "SELECT relname::text, pg_relation_filenode(oid) FROM pg_class"
                " WHERE relname = ANY(%s) AND relkind = 'r'",
                (list(BUILD_TABLES),),
            ).fetchall()
        return dict(rows)

    before, objects = files(), schema_objects(schema_url)
    assert any("metrics_prcomment" in n and "REFERENCES metrics_pullrequest" in d for n, d in objects)
    run_load(schema_url, build_v0, bulk=bulk)
    after = files()
    changed = {t for t in BUILD_TABLES if after[t] != before[t]}
    assert changed == (set(BUILD_TABLES) if bulk else set())
    assert schema_objects(schema_url) == objects
    run_load(schema_url, build_v0, bulk=bulk)  # nothing is empty now: no table is truncated
    assert files() == after


def test_bulk_direct_copy_puts_column_defaults_back(schema_url: str, build_v0: Path) -> None:
    # Bulk mode gives created_at/updated_at DEFAULT now() for the direct COPY; a default the
    # database had (an app might have one) comes back, and the rows get the load's time.
    with psycopg.connect(schema_url) as conn:
        conn.execute("ALTER TABLE metrics_prfile ALTER COLUMN created_at SET DEFAULT '2001-02-03'")
    objects = schema_objects(schema_url)
    assert any(n == "metrics_prfile.created_at" and "2001-02-03" in d for n, d in objects)
    run_load(schema_url, build_v0, bulk=True)
    assert schema_objects(schema_url) == objects
    with psycopg.connect(schema_url) as conn:
        times = conn.execute(
            "SELECT count(DISTINCT created_at), count(DISTINCT updated_at), min(created_at) > '2020-01-01'"
            " FROM metrics_prfile"
        ).fetchone()
        same = conn.execute(
            "SELECT (SELECT min(created_at) FROM metrics_prfile) = (SELECT min(created_at) FROM teams_team)"
        ).fetchone()
    assert times == (1, 1, True) and same == (True,)  # one transaction: one now()


@pytest.mark.parametrize("bulk", [False, True], ids=["deferred-fk", "bulk"])
def test_duplicate_key_after_truncation_is_a_contract_error(
    schema_url: str, tmp_path: Path, bulk: bool
) -> None:
    # Two file names of one PR that differ only after the 500th character become one key in
    # the database: on an empty table the plain INSERT (or, in bulk mode, the unique index
    # built after the fill) must refuse them like the upsert does.
    data = make_tables(5)
    files = data["metrics_prfile"]
    pr_of = list(
        zip(files.column("github_repo").to_pylist(), files.column("github_pr_id").to_pylist(), strict=True)
    )
    second = pr_of.index(pr_of[0], 1)
    files = _set(files, "filename", 0, "x" * 500 + "-a")
    data["metrics_prfile"] = _set(files, "filename", second, "x" * 500 + "-b")
    write_build(tmp_path / "acme", data)
    with pytest.raises(ContractError, match="metrics_prfile has two rows with the same key"):
        run_load(schema_url, tmp_path / "acme", bulk=bulk)
    with psycopg.connect(schema_url) as conn:
        assert conn.execute("SELECT count(*) FROM metrics_pullrequest").fetchone() == (0,)


def test_dry_run_reports_and_rolls_back(pg_url: str, build_v0: Path) -> None:
    run_load(pg_url, build_v0, create_schema=True, dry_run=False, clear=False)
    with psycopg.connect(pg_url) as conn:
        conn.execute("DELETE FROM metrics_prcheckrun")
    before = snapshot_db(pg_url)
    result = run_load(pg_url, build_v0, dry_run=True)
    assert counts(result)["metrics_prcheckrun"] == (N_PRS * 3, 0, 0)
    assert not result.committed
    assert snapshot_db(pg_url) == before


def test_sigkill_mid_load_leaves_database_unchanged(
    pg_url: str, build_v0: Path, build_v1: Path, bulk: bool
) -> None:
    run_load(pg_url, build_v0, bulk=bulk)
    before = snapshot_db(pg_url)
    objects = schema_objects(pg_url)
    script = (
        "import sys, load\n"
        "from pathlib import Path\n"
        "def progress(project, stats):\n"
        "    print(stats.table, flush=True)\n"
        "    if stats.table == 'metrics_commit':\n"
        "        sys.stdin.readline()  # parked mid-transaction until the test kills us\n"
        f"load.run(load.LoadConfig(build_dirs=(Path({str(build_v1)!r}),),"
        f" database_url={pg_url!r}, bulk={bulk}), progress)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line.strip())
        if line.strip() == "metrics_commit":
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert "metrics_pullrequest" in seen and proc.returncode == -signal.SIGKILL
    with psycopg.connect(pg_url, autocommit=True) as conn:
        # The server notices the dead client and rolls back; wait until its backend is gone.
        while conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone() != (0,):
            conn.execute("SELECT pg_sleep(0.05)")
    assert snapshot_db(pg_url) == before
    assert schema_objects(pg_url) == objects


def test_preflight_lists_missing_and_mistyped_columns_before_writing(schema_url: str, build_v0: Path) -> None:
    with psycopg.connect(schema_url) as conn:
        conn.execute("ALTER TABLE metrics_pullrequest DROP COLUMN jira_key")
        conn.execute("ALTER TABLE metrics_commit ALTER COLUMN additions TYPE text")
    with pytest.raises(DatabaseError) as err:
        run_load(schema_url, build_v0, create_schema=False)
    lines = str(err.value).splitlines()
    assert "lacks 2 table(s)/column(s)" in lines[0]
    assert lines[1:] == [
        "  - column metrics_pullrequest.jira_key is missing (text expected)",
        "  - column metrics_commit.additions is text, integer expected",
    ] or sorted(lines[1:]) == sorted(
        [
            "  - column metrics_pullrequest.jira_key is missing (text expected)",
            "  - column metrics_commit.additions is text, integer expected",
        ]
    )
    with psycopg.connect(schema_url) as conn:
        assert conn.execute("SELECT count(*) FROM teams_team").fetchone() == (0,)


def test_preflight_accepts_the_schema_it_creates(schema_url: str) -> None:
    with psycopg.connect(schema_url) as conn:
        found = database.fetch_columns(conn, sorted(tables.required_columns(clear=True)))
    assert database.preflight_problems(found, tables.required_columns(clear=True)) == []


def test_schema_sql_is_rerunnable(schema_url: str) -> None:
    assert load.init_schema(schema_url).endswith(
        "/" + psycopg.conninfo.conninfo_to_dict(schema_url)["dbname"]
    )


def _set(table: pa.Table, column: str, row: int, value: Any) -> pa.Table:
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, table.schema.field(column).type))


def test_sql_looking_strings_emoji_nul_and_long_values(pg_url: str, tmp_path: Path) -> None:
    data = make_tables(20)
    sqlish = "Robert'); DROP TABLE metrics_pullrequest;-- $$ \\. \\N"
    emoji = 'emoji 🚀👩‍💻, "quotes", commas\nnew line\\backslash\ttab'
    pr = data["metrics_pullrequest"]
    pr = _set(pr, "title", 0, sqlish)
    pr = _set(pr, "body", 0, emoji)
    pr = _set(pr, "title", 1, "nul\x00here\x00")
    pr = _set(pr, "labels", 1, '["a\\u0000b"]')
    pr = _set(pr, "milestone_title", 2, "")
    data["metrics_pullrequest"] = pr
    data["metrics_prfile"] = _set(data["metrics_prfile"], "filename", 3, "é" * 600)
    folder = tmp_path / "acme"
    write_build(folder, data)
    result = run_load(pg_url, folder)
    stats = {s.table: s for s in result.totals()}
    assert stats["metrics_pullrequest"].nul_replaced == 3
    assert stats["metrics_prfile"].truncated == 1
    with psycopg.connect(pg_url) as conn:
        rows = dict(
            conn.execute(
                "SELECT title, body FROM metrics_pullrequest WHERE title IN (%s, %s)",
                (sqlish, "nul\ufffdhere\ufffd"),
            ).fetchall()
        )
        labels = conn.execute(
            "SELECT labels FROM metrics_pullrequest WHERE title = %s", ("nul\ufffdhere\ufffd",)
        ).fetchone()
        longest = conn.execute("SELECT max(length(filename)) FROM metrics_prfile").fetchone()
        empty = conn.execute(
            "SELECT count(*) FROM metrics_pullrequest WHERE milestone_title IS NULL"
        ).fetchone()
    assert rows[sqlish] == emoji
    assert "nul\ufffdhere\ufffd" in rows
    assert labels == (["a\ufffdb"],)
    assert longest == (500,)
    assert empty == (0,)  # the empty string stays an empty string, not NULL


def test_review_of_a_pr_missing_from_the_build_is_a_contract_error(schema_url: str, tmp_path: Path) -> None:
    data = make_tables(10)
    data["metrics_prreview"] = _set(data["metrics_prreview"], "github_pr_id", 0, 999)
    write_build(tmp_path / "acme", data)
    with pytest.raises(ContractError, match="metrics_prreview.*pull_request_id"):
        run_load(schema_url, tmp_path / "acme")
    with psycopg.connect(schema_url) as conn:
        assert conn.execute("SELECT count(*) FROM metrics_pullrequest").fetchone() == (0,)


UNREACHABLE = "postgresql://prseed:hunter2-secret@127.0.0.1:1/metrics"


def test_tampered_build_is_refused_before_connecting(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    generate(folder, 5)
    with (folder / "metrics_commit.parquet").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(SnapshotError, match="sha256"):
        load.run(load.LoadConfig(build_dirs=(folder,), database_url=UNREACHABLE))


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    generate(folder, 5)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = 1  # a build of the previous version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="schema_version"):
        load.run(load.LoadConfig(build_dirs=(folder,), database_url=UNREACHABLE))


def test_unreachable_database_is_one_line_without_password(build_v0: Path) -> None:
    with pytest.raises(DatabaseError) as err:
        load.run(load.LoadConfig(build_dirs=(build_v0,), database_url=UNREACHABLE))
    message = str(err.value)
    assert "\n" not in message and "hunter2" not in message
    assert "prseed@127.0.0.1:1/metrics" in message


def test_wrong_password_is_one_line_without_password(pg_admin_url: str, pg_url: str, build_v0: Path) -> None:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs the embedded server, whose pg_hba.conf the test edits")
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])  # type: ignore[index]
        conn.execute("DROP ROLE IF EXISTS prseed_pw")
        conn.execute("CREATE ROLE prseed_pw LOGIN PASSWORD 'right-pw'")
        original = hba.read_text()
        hba.write_text("local all prseed_pw scram-sha-256\n" + original)
        conn.execute("SELECT pg_reload_conf()")
    params = psycopg.conninfo.conninfo_to_dict(pg_url)
    params.update(user="prseed_pw", password="wrong-pw-123")
    bad_url = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})
    try:
        while True:  # the reload is asynchronous: wait until the new rule is in force
            try:
                psycopg.connect(bad_url).close()
            except psycopg.OperationalError:
                break
        with pytest.raises(DatabaseError) as err:
            load.run(load.LoadConfig(build_dirs=(build_v0,), database_url=bad_url))
    finally:
        hba.write_text(original)
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
    message = str(err.value)
    assert "\n" not in message and "wrong-pw-123" not in message
    assert "password authentication failed" in message


def test_embedded_database_start_load_stop(build_v0: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prseed.load import embedded

    folder = Path(embedded_tempdir())
    monkeypatch.setenv("PRSEED_PGDATA", str(folder / "pgdata"))
    try:
        result = load.run(load.LoadConfig(build_dirs=(build_v0,)))
        assert result.embedded and embedded.url() == result.database_url
        assert embedded.start() == result.database_url  # idempotent
        assert counts(result)["metrics_pullrequest"] == (N_PRS, 0, 0)
        with psycopg.connect(result.database_url) as conn:  # configured for bulk loads
            for name in ("max_wal_size", "wal_level"):  # wal_level needed the restart start() did
                shown = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
                assert shown == (embedded.SERVER_SETTINGS[name],)
    finally:
        assert embedded.stop()
    assert embedded.url() is None and not embedded.stop()
    shutil.rmtree(folder)
