"""`prseed load`, `prseed seed` and `prseed db` through the CLI, against real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg
from click.testing import CliRunner

from prseed.cli import cli
from prseed.contracts import read_manifest
from prseed.seeding import build_is_current
from tests.buildgen import generate
from tests.snapgen import GenSpec, write_snapshot


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_db_init_creates_the_schema_and_is_rerunnable(pg_url: str) -> None:
    for _ in range(2):
        code, out, err = _invoke("db", "init", "--database-url", pg_url)
        assert code == 0, err
        assert "metrics schema ready" in out
    assert _count(pg_url, "metrics_pullrequest") == 0


def test_load_transforms_a_missing_or_stale_build_first(schema_url: str, tmp_path: Path) -> None:
    snapshots, builds = tmp_path / "snapshots", tmp_path / "build"
    write_snapshot(snapshots / "acme", GenSpec(n_prs=12))
    common = ("--snapshots", str(snapshots), "--builds", str(builds), "--database-url", schema_url)

    code, out, err = _invoke("load", *common)
    assert code == 0, err
    assert "transforming acme" in err and "metrics_pullrequest" in out
    rows = read_manifest(builds / "acme", "build")["tables"]["metrics_pullrequest"]["rows"]
    assert _count(schema_url, "metrics_pullrequest") == rows > 0

    code, out, err = _invoke("load", "acme", *common)  # build is current: no transform
    assert code == 0, err
    assert "transforming" not in err

    code, out, err = _invoke("load", "acme", "--seed", "7", *common)  # another seed: stale
    assert code == 0, err
    assert "transforming acme" in err
    assert read_manifest(builds / "acme", "build")["seed"] == 7


def test_build_is_stale_when_the_snapshot_changes(tmp_path: Path) -> None:
    from prseed import transform

    snap, build = tmp_path / "snapshots" / "acme", tmp_path / "build" / "acme"
    write_snapshot(snap, GenSpec(n_prs=6))
    assert not build_is_current(build, snap, {})  # no build yet
    transform.run(transform.TransformConfig(snapshot_dir=snap, out_dir=build))
    assert build_is_current(build, snap, {})
    write_snapshot(snap, GenSpec(n_prs=7))
    assert not build_is_current(build, snap, {})


def test_load_of_a_build_without_snapshot_and_dry_run(schema_url: str, tmp_path: Path) -> None:
    generate(tmp_path / "build" / "acme", 8)
    common = ("--snapshots", str(tmp_path / "snapshots"), "--builds", str(tmp_path / "build"))
    code, out, err = _invoke("load", "acme", "--dry-run", *common, "--database-url", schema_url)
    assert code == 0, err
    assert "dry run (rolled back)" in out
    assert _count(schema_url, "metrics_pullrequest") == 0


def test_seed_loads_every_snapshot_and_says_how_to_connect(schema_url: str, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    write_snapshot(snapshots / "acme", GenSpec(n_prs=6))
    code, out, err = _invoke(
        "seed",
        "--snapshots",
        str(snapshots),
        "--builds",
        str(tmp_path / "build"),
        "--database-url",
        schema_url,
    )
    assert code == 0, err
    assert "loaded 1 project(s)" in out and "prseed db psql" in out
    assert _count(schema_url, "teams_team") == 1


def test_preflight_failure_is_exit_7_with_one_line_per_problem(schema_url: str, tmp_path: Path) -> None:
    generate(tmp_path / "build" / "acme", 4)
    with psycopg.connect(schema_url) as conn:
        conn.execute("ALTER TABLE metrics_prfile DROP COLUMN file_category")
    code, _, err = _invoke("load", "acme", "--builds", str(tmp_path / "build"), "--database-url", schema_url)
    assert code == 7
    assert err.splitlines()[1:] == ["  - column metrics_prfile.file_category is missing (text expected)"]


def test_unknown_project_without_build_or_snapshot_is_a_config_error(tmp_path: Path) -> None:
    code, _, err = _invoke(
        "load",
        "nope",
        "--snapshots",
        str(tmp_path / "s"),
        "--builds",
        str(tmp_path / "b"),
        "--database-url",
        "postgresql://x@127.0.0.1:1/x",
    )
    assert code == 2 and "unknown project 'nope'" in err and "prseed extract" not in err
    code, _, err = _invoke(
        "load", "polar", "--snapshots", str(tmp_path / "s"), "--builds", str(tmp_path / "b")
    )
    assert code == 2 and "run `prseed extract polar` first" in err


def test_db_psql_runs_the_bundled_psql_on_the_url(schema_url: str) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [
            str(Path(sys.executable).with_name("prseed")),
            "db",
            "psql",
            "--database-url",
            schema_url,
            "-X",
            "-A",
            "-t",
            "-c",
            "SELECT count(*) FROM metrics_pullrequest",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "0"


def test_bulk_flag_turns_bulk_mode_on_for_an_external_database(schema_url: str, tmp_path: Path) -> None:
    generate(tmp_path / "build" / "acme", 8)
    common = ("--snapshots", str(tmp_path / "snapshots"), "--builds", str(tmp_path / "build"))

    def filenode() -> int:
        with psycopg.connect(schema_url) as conn:
            row = conn.execute("SELECT pg_relation_filenode('metrics_pullrequest')").fetchone()
        assert row is not None
        return int(row[0])

    before = filenode()
    code, _, err = _invoke("load", "acme", "--bulk", *common, "--database-url", schema_url)
    assert code == 0, err
    assert filenode() != before  # bulk mode truncated the empty table (and rebuilt its indexes)
    assert _count(schema_url, "metrics_pullrequest") == 8
