"""``--shift-to``: the build's dates move by whole weeks; nothing else changes (issue 13 §1)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prseed.transform.shift import shift_weeks, shifted_columns

from prseed import load, transform
from prseed.cli import cli
from prseed.contracts import BUILD_TABLES, read_manifest, table_schema
from prseed.seeding import build_is_current

DEMO = Path(__file__).parent.parent / "snapshots" / "demo"
FIXTURE = Path(__file__).parent / "fixtures" / "transform_snapshot"
TARGET = date(2027, 3, 10)  # a Wednesday; the demo ends on Sunday 2026-11-01 (its window end)


def _build(snapshot: Path, out: Path, shift_to: date | None = None) -> dict[str, Any]:
    result = transform.run(transform.TransformConfig(snapshot_dir=snapshot, out_dir=out, shift_to=shift_to))
    return result.manifest


def _moved_back(value: Any, delta: timedelta) -> Any:
    """A JSON value with every ISO date string in it moved back by ``delta``."""
    if isinstance(value, dict):
        return {k: _moved_back(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved_back(v, delta) for v in value]
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return (date.fromisoformat(value) - delta).isoformat()
    return value


def _rows(build: Path, table: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = pq.read_table(build / f"{table}.parquet").to_pylist()
    return data


@pytest.mark.parametrize(
    ("as_of", "target", "weeks"),
    [
        (date(2026, 11, 28), date(2026, 11, 28), 0),
        (date(2026, 11, 28), date(2026, 12, 4), 0),
        (date(2026, 11, 28), date(2026, 12, 5), 1),
        (date(2026, 11, 28), date(2027, 3, 10), 14),
        (date(2026, 11, 28), date(2026, 11, 27), -1),
        (date(2026, 11, 28), date(2026, 11, 21), -1),
        (date(2026, 11, 28), date(2026, 11, 20), -2),
    ],
)
def test_shift_is_the_largest_whole_week_count_keeping_as_of_on_or_before_the_target(
    as_of: date, target: date, weeks: int
) -> None:
    assert shift_weeks(as_of, target) == weeks
    assert as_of + timedelta(weeks=weeks) <= target < as_of + timedelta(weeks=weeks + 1)


@pytest.fixture(scope="module")
def demo_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("shift")
    _build(DEMO, root / "plain")
    manifest = _build(DEMO, root / "shifted", TARGET)
    return root / "plain", root / "shifted", manifest


def test_manifest_records_the_shift(demo_builds: tuple[Path, Path, dict[str, Any]]) -> None:
    plain, _, manifest = demo_builds
    as_of = date.fromisoformat(manifest["as_of"])
    assert manifest["shift"] == {
        "to": TARGET.isoformat(),
        "weeks": 18,
        "days": 126,
        "as_of": (as_of + timedelta(weeks=18)).isoformat(),
    }
    assert as_of == date(2026, 11, 1)  # the window's end, not the later extraction day
    assert "shift" not in read_manifest(plain, "build")


def test_shift_moves_every_date_by_whole_weeks_and_changes_nothing_else(
    demo_builds: tuple[Path, Path, dict[str, Any]],
) -> None:
    """Every timestamp/date column moves by exactly the shift, and so do the dates inside JSON
    values (the insights' weekly trends); every other value (durations, counts, ids, simulated
    values, insight texts) is equal, row for row."""
    plain, moved, manifest = demo_builds
    delta = timedelta(days=manifest["shift"]["days"])
    moved_columns = 0
    for table in BUILD_TABLES:
        before, after = _rows(plain, table), _rows(moved, table)
        assert len(before) == len(after), table
        dates = shifted_columns(table)
        json_columns = {
            c for c, p in table_schema("build", table)["properties"].items() if p["x-arrow"] == "json"
        }
        for old, new in zip(before, after, strict=True):
            for column, value in old.items():
                if column in dates and value is not None:
                    assert new[column] - value == delta, (table, column)
                    moved_columns += 1
                elif column in json_columns and value is not None:
                    assert _moved_back(json.loads(new[column]), delta) == json.loads(value), (table, column)
                else:
                    assert new[column] == value, (table, column)
    assert moved_columns > 1000
    assert _rows(moved, "metrics_dailyinsight"), "the demo has insights"
    # weekdays and hours keep their meaning
    for old, new in zip(
        _rows(plain, "metrics_pullrequest"), _rows(moved, "metrics_pullrequest"), strict=True
    ):
        assert (old["pr_created_at"].weekday(), old["pr_created_at"].hour) == (
            new["pr_created_at"].weekday(),
            new["pr_created_at"].hour,
        )
    assert all(w["week_start"].weekday() == 0 for w in _rows(moved, "metrics_weeklymetrics"))


def test_same_inputs_and_target_give_a_byte_identical_build(
    demo_builds: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, moved, _ = demo_builds
    _build(DEMO, tmp_path / "again", TARGET)
    for path in sorted(moved.iterdir()):
        assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes(), path.name


def test_without_the_option_nothing_moves(tmp_path: Path) -> None:
    a = _build(FIXTURE, tmp_path / "a")
    b = _build(FIXTURE, tmp_path / "b", shift_to=None)
    assert a == b and "shift" not in a
    # a target within the as-of day's week is a shift of 0 weeks: the data is the unshifted data
    as_of = date.fromisoformat(a["as_of"])
    c = _build(FIXTURE, tmp_path / "c", shift_to=as_of + timedelta(days=6))
    assert c["shift"]["weeks"] == 0
    assert {t: e["sha256"] for t, e in c["tables"].items()} == {
        t: e["sha256"] for t, e in a["tables"].items()
    }


def test_the_demo_shifted_to_a_fixed_day_loads_with_last_week_full(
    demo_builds: tuple[Path, Path, dict[str, Any]], schema_url: str
) -> None:
    plain, moved, manifest = demo_builds
    load.run(load.LoadConfig(build_dirs=(moved,), database_url=schema_url, create_schema=False))
    end = datetime.combine(TARGET + timedelta(days=1), datetime.min.time(), UTC)
    with psycopg.connect(schema_url) as conn:
        recent = conn.execute(
            "SELECT count(*) FROM metrics_pullrequest WHERE merged_at >= %s AND merged_at < %s",
            (end - timedelta(days=7), end),
        ).fetchone()
        later = conn.execute(
            "SELECT count(*) FROM metrics_pullrequest WHERE merged_at >= %s", (end,)
        ).fetchone()
        weekly = conn.execute(
            "SELECT (date_trunc('week', merged_at AT TIME ZONE 'UTC'))::date, count(*) "
            "FROM metrics_pullrequest WHERE merged_at IS NOT NULL GROUP BY 1"
        ).fetchall()
        commits = conn.execute(
            "SELECT (date_trunc('week', committed_at AT TIME ZONE 'UTC'))::date, count(*) FROM metrics_commit GROUP BY 1"
        ).fetchall()
    assert recent is not None and recent[0] > 0, "no PR merged in the 7 days before the target"
    assert later is not None and later[0] == 0, "a PR merged after the target day"
    weeks = manifest["shift"]["weeks"]

    def original_weeks(table: str, column: str) -> Counter[date]:
        counts: Counter[date] = Counter()
        for row in _rows(plain, table):
            if row[column] is not None:
                day = row[column].date()
                counts[day - timedelta(days=day.weekday()) + timedelta(weeks=weeks)] += 1
        return counts

    assert dict(weekly) == dict(original_weeks("metrics_pullrequest", "merged_at"))
    assert dict(commits) == dict(original_weeks("metrics_commit", "committed_at"))


def test_a_build_made_with_another_shift_is_stale(tmp_path: Path) -> None:
    snap, build = FIXTURE, tmp_path / "build"
    manifest = _build(snap, build, TARGET)
    as_of = date.fromisoformat(manifest["as_of"])
    weeks = manifest["shift"]["weeks"]
    assert build_is_current(build, snap, {})  # no shift asked: the build as it is
    assert build_is_current(build, snap, {"shift_to": TARGET})
    same_week = as_of + timedelta(weeks=weeks, days=6)
    assert build_is_current(build, snap, {"shift_to": same_week})
    assert not build_is_current(build, snap, {"shift_to": TARGET + timedelta(days=7)})
    assert not build_is_current(build, snap, {"shift_to": None})  # --shift-to none
    _build(snap, build)
    assert build_is_current(build, snap, {"shift_to": None})
    assert not build_is_current(build, snap, {"shift_to": TARGET})


def test_seed_shifts_to_today_by_default_and_load_takes_the_option(tmp_path: Path, schema_url: str) -> None:
    snapshots, builds = tmp_path / "snapshots", tmp_path / "build"
    snapshots.mkdir()
    (snapshots / "acme").symlink_to(FIXTURE)
    common = ["--snapshots", str(snapshots), "--builds", str(builds), "--database-url", schema_url]
    result = CliRunner().invoke(cli, ["seed", *common])
    assert result.exit_code == 0, result.stderr
    manifest = read_manifest(builds / "acme", "build")
    today = datetime.now(UTC).date()
    assert manifest["shift"]["weeks"] == shift_weeks(date.fromisoformat(manifest["as_of"]), today)
    assert today - timedelta(days=6) <= date.fromisoformat(manifest["shift"]["as_of"]) <= today

    result = CliRunner().invoke(cli, ["load", "acme", "--shift-to", "none", *common])
    assert result.exit_code == 0, result.stderr
    assert "transforming acme" in result.stderr
    assert "shift" not in read_manifest(builds / "acme", "build")

    result = CliRunner().invoke(cli, ["transform", "acme", "--snapshot", str(FIXTURE), "--out", str(builds / "t"),
                                      "--shift-to", "2027-01-01"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads((builds / "t" / "manifest.json").read_text())["shift"]["to"] == "2027-01-01"
    result = CliRunner().invoke(cli, ["transform", "acme", "--out", str(builds / "t"), "--shift-to", "soon"])
    assert result.exit_code == 2 and "not a date" in result.stderr
