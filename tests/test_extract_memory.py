"""The extract stage's bounded-memory parts: the on-disk PR list, the streaming merge, the ETag LRU."""

import hashlib
import json
import random

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prseed.extract import snapshot
from prseed.extract.governor import Governor
from prseed.extract.http import Client, _Cached
from prseed.extract.snapshot import merge_table, write_part
from prseed.extract.workdir import WorkDir

from prseed.cli import cli


def item(repo, number):
    return {"repo": repo, "pull": {"number": number, "title": f"PR \u00e9\n{number}\u2028x", "body": None}}


def test_pull_list_is_stored_in_key_order_once_and_read_batch_by_batch(tmp_path):
    work = WorkDir(tmp_path / "snap")
    work.path.mkdir(parents=True)
    listed = [item("o/b", 3), item("o/b", 1), item("o/a", 9), item("o/b", 2), item("o/b", 1), item("o/a", 10)]
    assert work.write_pulls(iter(listed)) == 5
    assert work.count_pulls() == 5
    batches = list(work.read_pull_batches(2))
    keys = [[(i["repo"], i["pull"]["number"]) for i in b] for _, b in batches]
    assert [n for n, _ in batches] == [0, 1, 2]
    assert keys == [[("o/a", 9), ("o/a", 10)], [("o/b", 1), ("o/b", 2)], [("o/b", 3)]]
    assert batches[0][1][0] == item("o/a", 9)  # the JSON round trip keeps every character
    assert [n for n, _ in work.read_pull_batches(2, skip={0, 2})] == [1]
    assert sorted(p.name for p in work.path.iterdir()) == ["pulls.jsonl"]


def test_a_pull_listed_twice_keeps_its_later_copy(tmp_path):
    # A PR opened while the list is paged pushes the others down: one shows up on two pages.
    work = WorkDir(tmp_path / "snap")
    work.path.mkdir(parents=True)
    old = {"repo": "o/r", "pull": {"number": 4, "state": "open"}}
    new = {"repo": "o/r", "pull": {"number": 4, "state": "closed"}}
    size = work.append_listed([item("o/r", 5), old])
    work.append_listed([item("o/r", 9)])
    work.truncate_listed(size)  # a resumed listing drops what came after its checkpoint
    work.append_listed([new, item("o/r", 3)])
    assert work.listed_numbers("o/r") == {3, 4, 5}
    assert work.finish_listing() == 3
    assert [b for _, b in work.read_pull_batches(5)] == [[item("o/r", 3), new, item("o/r", 5)]]


def file_rows(pr_numbers, per_pr):
    rows = []
    for n in pr_numbers:
        for k in range(per_pr):
            noise = hashlib.sha256(f"{n}/{k}".encode()).hexdigest() * 12  # ~770 incompressible bytes
            rows.append(
                {
                    "repo": "o/r",
                    "pr_number": n,
                    "filename": f"src/f{k:03d}.py",
                    "status": "modified",
                    "additions": k,
                    "deletions": n % 7,
                    "changes": k + n % 7,
                    "previous_filename": None,
                    "patch": None if k % 3 else "@@ -1 +1 @@",
                    "raw": json.dumps({"n": n, "k": k, "x": noise}),
                }
            )
    return rows


def write_parts(folder, groups, per_pr):
    paths = []
    for i, numbers in enumerate(groups):
        path = folder / f"b{i:06d}.parquet"
        write_part(file_rows(numbers, per_pr), "files", path)
        paths.append(path)
    random.Random(3).shuffle(paths)  # the merge must not depend on the order it is given
    return paths


def merged_both_ways(tmp_path, monkeypatch, parts):
    """The streaming merge and DuckDB's sort of the same parts: (entry, bytes) of each, and the path taken."""
    calls = []
    real_sort = snapshot._sorted_batches

    def sort(*args):
        calls.append("duckdb")
        return real_sort(*args)

    monkeypatch.setattr(snapshot, "_sorted_batches", sort)
    fast = merge_table(parts, "files", tmp_path / "fast" / "files.parquet", tmp_path / "spill")
    streamed = not calls

    def unordered(*args):
        raise snapshot._Unordered

    monkeypatch.setattr(snapshot, "_concatenated", unordered)
    slow = merge_table(parts, "files", tmp_path / "slow" / "files.parquet", tmp_path / "spill")
    return (
        (fast, (tmp_path / "fast" / "files.parquet").read_bytes()),
        (slow, (tmp_path / "slow" / "files.parquet").read_bytes()),
        streamed,
    )


def test_streaming_merge_writes_the_bytes_of_duckdbs_sort(tmp_path, monkeypatch):
    # Small row groups so a few thousand rows span several, each over the 1 MB page size.
    monkeypatch.setattr(snapshot, "ROW_GROUP_ROWS", 2048)
    groups = [range(i * 10 + 1, i * 10 + 11) for i in range(24)]  # 240 PRs in 24 key-disjoint parts
    parts = write_parts(tmp_path / "parts", groups, per_pr=23)
    (fast, fast_bytes), (slow, slow_bytes), streamed = merged_both_ways(tmp_path, monkeypatch, parts)
    assert streamed
    assert fast == slow and fast_bytes == slow_bytes
    meta = pq.ParquetFile(tmp_path / "fast" / "files.parquet").metadata
    assert fast["rows"] == 240 * 23 and meta.num_row_groups == 3
    assert [meta.row_group(i).num_rows for i in range(3)] == [2048, 2048, 240 * 23 - 4096]


OVERLAPS = {
    "overlapping": [range(1, 40, 2), range(2, 41, 2)],
    "repeated-key": [range(1, 21), range(20, 41)],  # PR 20 in both parts: its keys twice
}


@pytest.mark.parametrize("case", sorted(OVERLAPS))
def test_merge_sorts_parts_whose_keys_overlap_or_repeat(tmp_path, monkeypatch, case):
    groups = OVERLAPS[case]
    parts = write_parts(tmp_path / "parts", groups, per_pr=3)
    (fast, fast_bytes), (slow, slow_bytes), streamed = merged_both_ways(tmp_path, monkeypatch, parts)
    assert not streamed
    assert fast == slow and fast_bytes == slow_bytes
    got = pq.read_table(tmp_path / "fast" / "files.parquet").to_pylist()
    keys = [(r["pr_number"], r["filename"]) for r in got]
    assert keys == sorted(keys) and len(got) == sum(len(g) for g in groups) * 3


def test_etag_cache_is_bounded_in_entries_and_bytes():
    client = Client("http://127.0.0.1:9", (), Governor(1), etag_cache_size=3, etag_cache_bytes=100)
    for i in range(5):
        client._remember(f"u{i}", _Cached(f"e{i}", b"x" * 30, ""))
    assert list(client._etags) == ["u2", "u3", "u4"] and client._etag_bytes == 90
    client._remember("big", _Cached("e", b"y" * 60, '<n>; rel="next"'))  # evicts until the bytes fit
    assert list(client._etags) == ["u4", "big"] and client._etag_bytes == 90
    client._remember("huge", _Cached("e", b"z" * 101, ""))  # larger than the whole cache: not kept
    client._forget("u4")
    assert list(client._etags) == ["big"] and client._etag_bytes == 60
    assert client._cached("big") == _Cached("e", b"y" * 60, '<n>; rel="next"')


def test_cli_points_per_minute(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    runner = CliRunner()
    env = {"GITHUB_TOKEN": "ghp_dry_run_only"}  # a dry run for GitHub needs a token, as the run does
    result = runner.invoke(cli, ["extract", "polar", "--dry-run", "--points-per-minute", "300"], env=env)
    assert result.exit_code == 0 and "at most 300 requests per minute" in result.output
    result = runner.invoke(cli, ["extract", "polar", "--dry-run"], env=env)
    assert "at most 900 requests per minute" in result.output
    result = runner.invoke(cli, ["extract", "polar", "--points-per-minute", "0"])
    assert result.exit_code == 2 and "--points-per-minute" in result.output
    assert "--points-per-minute" in runner.invoke(cli, ["extract", "--help"]).output
