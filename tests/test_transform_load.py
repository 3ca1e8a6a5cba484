"""The transform's build of the committed fixture loads into the real (embedded) PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg

from prseed import load, transform

FIXTURE = Path(__file__).parent / "fixtures" / "transform_snapshot"


def test_fixture_build_loads_twice(tmp_path: Path, schema_url: str) -> None:
    build = tmp_path / "build"
    result = transform.run(transform.TransformConfig(snapshot_dir=FIXTURE, out_dir=build))
    config = load.LoadConfig(build_dirs=(build,), database_url=schema_url, create_schema=False)
    load.run(config)
    load.run(config)  # idempotent: a second load changes no row counts
    with psycopg.connect(schema_url) as conn:
        for table in ("metrics_pullrequest", "metrics_commit", "metrics_prreview", "metrics_jiraissue"):
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert count is not None and count[0] == result.rows[table], table
        orphans = conn.execute("SELECT count(*) FROM metrics_pullrequest WHERE author_id IS NULL").fetchone()
        assert orphans is not None and orphans[0] == 1  # the deleted user's PR
