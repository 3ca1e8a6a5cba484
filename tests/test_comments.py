"""PR comments (snapshot schema version 2) and reading version-1 snapshots (issue 13 §2)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from prseed import load, transform
from prseed.cli import cli
from prseed.contracts import (
    COMMENT_TABLES,
    arrow_schema,
    dumps_manifest,
    read_manifest,
    snapshot_version,
    validate,
    write_parquet,
)
from prseed.errors import ContractError
from tests.snapgen import GenSpec, write_snapshot

DEMO = Path(__file__).parent.parent / "snapshots" / "demo"
FIXTURE = Path(__file__).parent / "fixtures" / "transform_snapshot"


def test_snapshot_version_follows_the_tables_it_holds() -> None:
    assert read_manifest(FIXTURE, "snapshot")["schema_version"] == 2
    # The committed demo is extracted with comments (the default): version 2.
    assert read_manifest(DEMO, "snapshot")["schema_version"] == 2
    assert snapshot_version(["pull_requests", "reviews"]) == 1
    assert snapshot_version(["pull_requests", *COMMENT_TABLES]) == 2


@pytest.mark.parametrize(
    ("version", "drop", "message"),
    [(2, "issue_comments", "issue_comments"), (1, None, "tables")],
)
def test_manifest_schema_ties_the_comment_tables_to_the_version(
    version: int, drop: str | None, message: str
) -> None:
    manifest = json.loads((FIXTURE / "manifest.json").read_text())
    manifest["schema_version"] = version
    if drop:
        del manifest["tables"][drop]
    with pytest.raises(ContractError, match=message):
        validate(manifest, "snapshot/manifest.schema.json", "manifest.json")


def test_a_version_1_snapshot_transforms_with_the_comment_values_null(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "v1", GenSpec(comments=False))
    write_snapshot(tmp_path / "v2", GenSpec())
    assert read_manifest(tmp_path / "v1", "snapshot")["schema_version"] == 1
    for name in ("v1", "v2"):
        transform.run(transform.TransformConfig(snapshot_dir=tmp_path / name, out_dir=tmp_path / f"b{name}"))
    old = pq.read_table(tmp_path / "bv1" / "metrics_pullrequest.parquet").to_pylist()
    new = pq.read_table(tmp_path / "bv2" / "metrics_pullrequest.parquet").to_pylist()
    assert all(p["total_comments"] is None for p in old)
    assert all(p["total_comments"] is not None for p in new)
    # the other iteration metrics come from reviews and commits, which both versions hold
    for a, b in zip(old, new, strict=True):
        for column in ("review_rounds", "commits_after_first_review", "avg_fix_response_hours"):
            assert a[column] == b[column], column
    assert pq.read_metadata(tmp_path / "bv1" / "metrics_prcomment.parquet").num_rows == 0
    assert pq.read_metadata(tmp_path / "bv2" / "metrics_prcomment.parquet").num_rows > 0


def test_snapshot_info_says_why_a_version_1_snapshot_has_no_comments(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "v1", GenSpec(comments=False))
    result = CliRunner().invoke(cli, ["snapshot", "info", str(tmp_path / "v1")])
    assert result.exit_code == 0, result.stderr
    assert (
        "comments     this snapshot has no comment tables (schema version 1: extracted without"
        in result.stdout
    )
    assert "total_comments NULL" in result.stdout
    for snapshot in (FIXTURE, DEMO):
        result = CliRunner().invoke(cli, ["snapshot", "info", str(snapshot)])
        assert "no comment tables" not in result.stdout
        assert "review_comments" in result.stdout and "issue_comments" in result.stdout


def test_verify_checks_the_comment_tables_key_order(tmp_path: Path) -> None:
    import pyarrow as pa

    from prseed.contracts import sha256_file, write_bytes_atomic
    from prseed.errors import SnapshotError
    from prseed.snapshots import verify_snapshot

    snap = tmp_path / "snap"
    shutil.copytree(FIXTURE, snap)
    verify_snapshot(snap)
    path = snap / "issue_comments.parquet"
    rows = pq.read_table(path)
    pq.write_table(pa.concat_tables([rows.slice(1), rows.slice(0, 1)]), path)
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["tables"]["issue_comments"]["sha256"] = sha256_file(path)
    write_bytes_atomic(snap / "manifest.json", json.dumps(manifest).encode())
    with pytest.raises(SnapshotError, match="issue_comments.parquet: rows are not sorted"):
        verify_snapshot(snap)


def test_comments_load_with_their_pr_and_author(tmp_path: Path, schema_url: str) -> None:
    build = tmp_path / "build"
    result = transform.run(transform.TransformConfig(snapshot_dir=FIXTURE, out_dir=build))
    config = load.LoadConfig(build_dirs=(build,), database_url=schema_url, create_schema=False)
    first = load.run(config)
    again = load.run(config)
    stats = {s.table: s for s in again.totals()}["metrics_prcomment"]
    assert (stats.inserted, stats.updated, stats.unchanged) == (0, 0, result.rows["metrics_prcomment"])
    rows = pq.read_table(build / "metrics_prcomment.parquet").to_pylist()
    members = {m["github_id"] for m in pq.read_table(build / "metrics_teammember.parquet").to_pylist()}
    with psycopg.connect(schema_url) as conn:
        got = conn.execute(
            "SELECT c.github_comment_id, m.github_id, p.github_repo, p.github_pr_id, c.comment_type, c.line,"
            " c.in_reply_to_id, length(c.path) FROM metrics_prcomment c"
            " JOIN metrics_pullrequest p ON p.id = c.pull_request_id"
            " LEFT JOIN metrics_teammember m ON m.id = c.author_id ORDER BY 1"
        ).fetchall()
        totals = dict(
            conn.execute("SELECT github_repo || '#' || github_pr_id, total_comments FROM metrics_pullrequest")
            .fetchall()
        )  # fmt: skip
    assert len(got) == len(rows) == {s.table: s for s in first.totals()}["metrics_prcomment"].inserted
    for (cid, author, repo, number, kind, line, reply, path_len), row in zip(got, rows, strict=True):
        assert (cid, repo, number, kind, line, reply) == (
            row["github_comment_id"],
            row["github_repo"],
            row["github_pr_id"],
            row["comment_type"],
            row["line"],
            row["in_reply_to_id"],
        )
        # a deleted user or a commenter who is no member has no author
        assert author == (row["author_github_id"] if row["author_github_id"] in members else None)
        assert path_len is None or path_len <= 500  # cut to the column by the loader
    assert sum(totals.values()) == sum(
        p["total_comments"] for p in pq.read_table(build / "metrics_pullrequest.parquet").to_pylist()
    )


def test_diff_reports_comment_changes_per_pr(tmp_path: Path) -> None:
    from prseed.snapshots import diff_snapshots

    write_snapshot(tmp_path / "v1", GenSpec(comments=False))
    result = diff_snapshots(tmp_path / "v1", FIXTURE)
    assert result.changed and not result.added and not result.removed
    assert {part for parts in result.changed.values() for part in parts} == {
        "review_comments",
        "issue_comments",
    }
    assert result.rows["review_comments"] == (
        0,
        read_manifest(FIXTURE, "snapshot")["tables"]["review_comments"]["rows"],
    )
    assert diff_snapshots(FIXTURE, FIXTURE).empty


def test_a_sentinel_comment_update_time_is_null_as_every_sentinel_time(tmp_path: Path) -> None:
    """GitHub's 0001-01-01 "no time" (data-shapes' known_at) never reaches comment_updated_at."""
    snap = tmp_path / "snap"
    shutil.copytree(FIXTURE, snap)
    rows = pq.read_table(snap / "issue_comments.parquet").to_pylist()
    rows[0]["updated_at"] = datetime(1, 1, 1, tzinfo=UTC)
    table = pa.Table.from_pylist(rows, schema=arrow_schema("snapshot", "issue_comments"))
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["tables"]["issue_comments"] = write_parquet(
        table, snap / "issue_comments.parquet", "snapshot", "issue_comments"
    )
    (snap / "manifest.json").write_bytes(dumps_manifest(manifest))
    transform.run(transform.TransformConfig(snapshot_dir=snap, out_dir=tmp_path / "build"))
    built = pq.read_table(tmp_path / "build" / "metrics_prcomment.parquet").to_pylist()
    by_id = {r["github_comment_id"]: r for r in built}
    assert by_id[rows[0]["id"]]["comment_updated_at"] is None
    assert by_id[rows[0]["id"]]["comment_created_at"] == rows[0]["created_at"]
    assert all(r["comment_updated_at"] is not None for r in built if r["github_comment_id"] != rows[0]["id"])
