"""The file contracts: schemas, checksums, atomic replacement, snapshot tools."""

import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from prseed import contracts
from prseed.cli import cli
from prseed.errors import ContractError, SnapshotError
from prseed.snapshots import diff_snapshots, snapshot_info, verify_snapshot


def _value(arrow: str, i: int, col: str):
    if arrow in ("string", "json"):
        return "{}" if arrow == "json" else f"{col}-{i}"
    if arrow in ("int64", "int32"):
        return i
    if arrow == "bool":
        return i % 2 == 0
    if arrow == "timestamp":
        return datetime(2026, 1, 1 + i, tzinfo=UTC)
    if arrow == "list<string>":
        return ["a"]
    if arrow.startswith("decimal"):
        return Decimal("1.0")
    if arrow == "date":
        return datetime(2026, 1, 1 + i).date()
    raise AssertionError(arrow)


def tiny_table(stage, name, n, overrides=None, indices=None):
    schema = contracts.table_schema(stage, name)
    cols = {}
    for col, prop in schema["properties"].items():
        cols[col] = [_value(prop["x-arrow"], i, col) for i in (indices or range(n))]
    for col, values in (overrides or {}).items():
        cols[col] = values
    table = pa.table(cols)
    try:
        return table.cast(contracts.arrow_schema(stage, name))
    except ValueError:
        return table  # deliberately invalid input for a negative test


def write_tiny_snapshot(folder: Path, prs=(1, 2), raw_suffix=""):
    folder.mkdir(parents=True)
    tables = {}
    n = len(prs)
    repo = ["o/r"] * n
    for name in contracts.SNAPSHOT_TABLES:
        over = {"repo": repo}
        if name == "pull_requests":
            over.update(number=list(prs), raw=[f'{{"n":{p}}}{raw_suffix}' for p in prs])
        elif name == "contributors":
            over.update(login=[f"user{p}" for p in prs])
        else:
            over.update(pr_number=list(prs))
        if name == "files":
            over.update(patch=[None] * n)
        tables[name] = contracts.write_parquet(
            tiny_table("snapshot", name, n, over, indices=list(prs)),
            folder / f"{name}.parquet",
            "snapshot",
            name,
        )
    manifest = {
        "kind": "prseed-snapshot",
        "schema_version": 1,
        "tool_version": "test",
        "project": {
            "key": "t",
            "repos": ["o/r"],
            "team_name": "T",
            "team_slug": "t-demo",
            "max_members": 5,
            "days_back": 30,
            "jira_project_key": "T",
            "ai_base_adoption_rate": 0.3,
            "survey_response_rate": 0.5,
        },
        "parameters": {
            "max_prs": None,
            "since": None,
            "until": None,
            "state": "all",
            "with_patches": False,
            "commit_stats": True,
        },
        "window": {"since": None, "until": None},
        "started_at": "2026-11-01T00:00:00Z",
        "finished_at": "2026-11-01T00:01:00Z",
        "completed": True,
        "tables": tables,
        "requests": {"total": 9, "by_kind": {}, "by_resource": {}},
        "retries": 0,
        "waits": {"count": 0, "seconds": 0},
        "truncated_prs": [],
    }
    contracts.validate(manifest, "snapshot/manifest.schema.json", "test manifest")
    (folder / "manifest.json").write_bytes(contracts.dumps_manifest(manifest))
    return manifest


def test_arrow_schema_is_derived_from_json_schema():
    schema = contracts.arrow_schema("snapshot", "pull_requests")
    assert schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("body").nullable and not schema.field("title").nullable
    assert contracts.arrow_schema("build", "metrics_pullrequest").field(
        "cycle_time_hours"
    ).type == pa.decimal128(10, 2)
    assert contracts.table_key("build", "metrics_commit") == ["team_slug", "github_sha"]


def test_every_table_schema_has_key_columns_it_declares():
    for stage, names in (("snapshot", contracts.ALL_SNAPSHOT_TABLES), ("build", contracts.BUILD_TABLES)):
        for name in names:
            schema = contracts.table_schema(stage, name)
            assert set(schema["x-key"]) <= set(schema["properties"]), name
            contracts.arrow_schema(stage, name)


def test_write_parquet_is_byte_deterministic(tmp_path):
    t = tiny_table("snapshot", "reviews", 5)
    a = contracts.write_parquet(t, tmp_path / "a.parquet", "snapshot", "reviews")
    b = contracts.write_parquet(t, tmp_path / "b.parquet", "snapshot", "reviews")
    assert a["sha256"] == b["sha256"] and a["rows"] == 5


def test_write_parquet_rejects_wrong_columns_and_nulls(tmp_path):
    t = tiny_table("snapshot", "reviews", 2).drop(["body"])
    with pytest.raises(ContractError, match="body"):
        contracts.write_parquet(t, tmp_path / "x.parquet", "snapshot", "reviews")
    t = tiny_table("snapshot", "reviews", 2, {"state": ["APPROVED", None]})
    with pytest.raises(ContractError, match="state"):
        contracts.write_parquet(t, tmp_path / "x.parquet", "snapshot", "reviews")
    assert not list(tmp_path.glob("*.tmp"))


def test_verify_detects_tampering_version_and_incomplete(tmp_path):
    snap = tmp_path / "s"
    write_tiny_snapshot(snap)
    assert verify_snapshot(snap)["completed"]
    bad = tmp_path / "bad"
    shutil.copytree(snap, bad)
    data = bytearray((bad / "files.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bad / "files.parquet").write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match=r"files\.parquet fails its sha256 check"):
        contracts.verify_dataset(bad, "snapshot")
    for change, pattern in (
        ({"schema_version": 3}, "schema_version 3"),
        ({"completed": False}, "never completed"),
    ):
        other = tmp_path / f"m{len(pattern)}"
        shutil.copytree(snap, other)
        m = json.loads((other / "manifest.json").read_text())
        m.update(change)
        (other / "manifest.json").write_text(json.dumps(m))
        with pytest.raises(SnapshotError, match=pattern):
            contracts.verify_dataset(other, "snapshot")
    with pytest.raises(SnapshotError, match="manifest.json missing"):
        contracts.verify_dataset(tmp_path / "nope", "snapshot")


def test_replace_dir_atomically_swaps_whole_folder(tmp_path):
    target = tmp_path / "snap"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staging = tmp_path / ".snap.new"
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    contracts.replace_dir_atomically(staging, target)
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]


def test_snapshot_info_and_diff(tmp_path):
    write_tiny_snapshot(tmp_path / "a", prs=(1, 2))
    write_tiny_snapshot(tmp_path / "b", prs=(2, 3), raw_suffix=" ")
    info = snapshot_info(tmp_path / "a")
    assert info.rows["pull_requests"] == 2 and info.bytes_per_pr > 0
    d = diff_snapshots(tmp_path / "a", tmp_path / "b")
    assert d.added == [("o/r", 3)] and d.removed == [("o/r", 1)]
    assert d.changed == {("o/r", 2): ["pull request"]}
    assert diff_snapshots(tmp_path / "a", tmp_path / "a").empty


def test_snapshot_diff_compares_typed_columns_not_only_raw(tmp_path):
    """Typed columns the transform reads differ while raw is equal: not identical (issue 11)."""
    write_tiny_snapshot(tmp_path / "a", prs=(1, 2))
    write_tiny_snapshot(tmp_path / "b", prs=(1, 2))
    folder = tmp_path / "b"
    prs = pq.read_table(folder / "pull_requests.parquet")
    later = [datetime(2026, 3, 1, tzinfo=UTC), prs["created_at"][1].as_py()]
    prs = prs.set_column(
        prs.schema.get_field_index("created_at"),
        "created_at",
        pa.array(later, prs.schema.field("created_at").type),
    )
    _rewrite_table(folder, "pull_requests", prs)
    people = pq.read_table(folder / "contributors.parquet")
    people = people.set_column(
        people.schema.get_field_index("email"),
        "email",
        pa.array(["new@example.org", people["email"][1].as_py()]),
    )
    _rewrite_table(folder, "contributors", people)
    assert pq.read_table(folder / "pull_requests.parquet")["raw"].equals(
        pq.read_table(tmp_path / "a" / "pull_requests.parquet")["raw"]
    )
    d = diff_snapshots(tmp_path / "a", folder)
    assert d.changed == {("o/r", 1): ["pull request"]}
    assert d.contributors_changed == [("o/r", "user1")] and not d.empty
    r = CliRunner().invoke(cli, ["snapshot", "diff", "--exit-code", str(tmp_path / "a"), str(folder)])
    assert r.exit_code == 1, r.output
    assert "~ o/r#1: pull request" in r.output and "~ contributor o/r user1" in r.output
    assert "identical data" not in r.output


def test_snapshot_cli(tmp_path):
    write_tiny_snapshot(tmp_path / "a", prs=(1, 2))
    write_tiny_snapshot(tmp_path / "b", prs=(1, 2, 5))
    runner = CliRunner()
    r = runner.invoke(cli, ["snapshot", "info", str(tmp_path / "a")])
    assert r.exit_code == 0 and "pull_requests" in r.output and "per PR" in r.output
    r = runner.invoke(cli, ["snapshot", "verify", str(tmp_path / "a"), str(tmp_path / "b")])
    assert r.exit_code == 0 and r.output.count("ok ") == 2
    r = runner.invoke(cli, ["snapshot", "diff", "--exit-code", str(tmp_path / "a"), str(tmp_path / "b")])
    assert r.exit_code == 1 and "+ o/r#5" in r.output and "1 added, 0 changed, 0 removed" in r.output
    (tmp_path / "b" / "commits.parquet").write_bytes(b"garbage")
    r = runner.invoke(cli, ["snapshot", "verify", str(tmp_path / "b")])
    assert r.exit_code == 5 and "commits.parquet fails its sha256 check" in r.output


def test_snapshot_sql_uses_the_contract_keys():
    """The key columns spelled in prseed/sql must be the x-key of each snapshot table."""
    import re

    sql_dir = Path(contracts.__file__).with_name("sql")
    check = (sql_dir / "snapshot_check.sql").read_text()
    diff = (sql_dir / "snapshot_diff.sql").read_text()
    for name in contracts.SNAPSHOT_TABLES:
        key = ", ".join(contracts.table_key("snapshot", name))
        block = check.split(f"'{name}' AS table_name")[1].split("FROM")[0]
        assert re.findall(r"(?:ORDER|PARTITION) BY ([a-z_, ]+)\)", block) == [key, key], name
        if name not in ("pull_requests", "contributors"):
            assert f"ORDER BY {key})) AS fp\n    FROM snap_rows(side, '{name}')" in diff, name


def _rewrite_table(folder: Path, name: str, table: pa.Table) -> None:
    """Replace one table of a snapshot and fix its manifest entry, as a careless tool might."""
    import pyarrow.parquet as pq

    pq.write_table(table, folder / f"{name}.parquet")
    m = json.loads((folder / "manifest.json").read_text())
    m["tables"][name].update(rows=table.num_rows, sha256=contracts.sha256_file(folder / f"{name}.parquet"))
    (folder / "manifest.json").write_bytes(contracts.dumps_manifest(m))


def test_verify_detects_unsorted_and_duplicate_rows(tmp_path):
    import pyarrow.parquet as pq

    snap = tmp_path / "s"
    write_tiny_snapshot(snap, prs=(1, 2, 3))
    table = pq.read_table(snap / "reviews.parquet")
    _rewrite_table(snap, "reviews", table.take([2, 0, 1]))
    with pytest.raises(
        SnapshotError, match=r"reviews\.parquet: rows are not sorted by \(repo, pr_number, id\)"
    ):
        verify_snapshot(snap)
    _rewrite_table(snap, "reviews", table.take([0, 0, 1, 2]))
    with pytest.raises(SnapshotError, match=r"reviews\.parquet: 2 rows share their key"):
        verify_snapshot(snap)
