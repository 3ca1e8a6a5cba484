"""Stage behaviour: determinism, stability under added PRs, refusal of bad snapshots, rates, CLI."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from prseed import transform
from prseed.cli.transform_cmd import transform_command
from prseed.contracts import BUILD_TABLES, table_key, verify_dataset
from prseed.errors import SnapshotError
from tests.snapgen import GenSpec, write_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "transform_snapshot"


def run(snapshot: Path, out: Path, **options: Any) -> transform.TransformResult:
    return transform.run(transform.TransformConfig(snapshot_dir=snapshot, out_dir=out, **options))


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def keyed(build: Path, table: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    key = table_key("build", table)
    return {tuple(r[k] for k in key): r for r in pq.read_table(build / f"{table}.parquet").to_pylist()}


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    first = run(FIXTURE, tmp_path / "a")
    run(FIXTURE, tmp_path / "b")
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")
    assert set(first.rows) == set(BUILD_TABLES)
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["completed"] is True
    assert manifest["seed"] == 42
    assert manifest["as_of"] == "2025-06-30"  # the snapshot's finished_at date
    verify_dataset(tmp_path / "a", "build")


def test_seed_and_as_of_change_simulations_only(tmp_path: Path) -> None:
    run(FIXTURE, tmp_path / "a")
    run(FIXTURE, tmp_path / "b", seed=7, as_of=date(2025, 6, 1))
    a, b = folder_bytes(tmp_path / "a"), folder_bytes(tmp_path / "b")
    for name in ("metrics_pullrequest", "metrics_commit", "metrics_prfile", "metrics_prreview"):
        assert a[f"{name}.parquet"] == b[f"{name}.parquet"]
    assert a["metrics_aiusagedaily.parquet"] != b["metrics_aiusagedaily.parquet"]
    usage = pq.read_table(tmp_path / "b" / "metrics_aiusagedaily.parquet").to_pylist()
    assert max(r["date"] for r in usage) <= date(2025, 6, 1)


def test_generator_is_deterministic(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "a", GenSpec(n_prs=30, seed=5))
    write_snapshot(tmp_path / "b", GenSpec(n_prs=30, seed=5))
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")


def test_ten_extra_prs_change_only_their_rows_and_aggregates(tmp_path: Path) -> None:
    base_spec = GenSpec(n_prs=60)
    extra_spec = GenSpec(n_prs=60, extra=(GenSpec(n_prs=10, first_number=10000),))
    write_snapshot(tmp_path / "s1", base_spec)
    write_snapshot(tmp_path / "s2", extra_spec)
    run(tmp_path / "s1", tmp_path / "b1")
    run(tmp_path / "s2", tmp_path / "b2")
    new_prs = {
        (r["github_repo"], r["github_pr_id"])
        for r in keyed(tmp_path / "b2", "metrics_pullrequest").values()
        if r["github_pr_id"] >= 10000
    }
    assert len(new_prs) == 10
    new_pr_people: set[str] = set()
    for table in ("metrics_pullrequest", "metrics_prreview", "metrics_commit"):
        for r in keyed(tmp_path / "b2", table).values():
            if (r["github_repo"], r["github_pr_id"]) in new_prs:
                new_pr_people |= {r.get("author_github_id") or "", r.get("reviewer_github_id") or ""}
    changed_weekly = 0
    for table in BUILD_TABLES:
        if table == "metrics_dailyinsight":
            continue  # team-wide aggregates over every PR: any of them may change with new PRs
        before, after = keyed(tmp_path / "b1", table), keyed(tmp_path / "b2", table)
        assert set(before) <= set(after), f"{table}: rows disappeared"
        for key, row in after.items():
            if key in before and before[key] == row:
                continue
            if table == "metrics_weeklymetrics":
                # an aggregate: it may change or appear only for people of the new PRs
                assert row["member_github_id"] in new_pr_people, (table, key)
                changed_weekly += 1
            elif table == "metrics_jiraissue":
                assert key not in before, (table, key)
                assert int(row["jira_key"].split("-")[1]) % 1000000 >= 10000, row["jira_key"]
            elif table in ("metrics_teammember", "metrics_aiusagedaily"):
                assert key not in before, (table, key)  # a new member may appear, none changes
            else:
                assert key not in before, (table, key)
                assert (row["github_repo"], row["github_pr_id"]) in new_prs, (table, key)
    assert changed_weekly > 0


@pytest.fixture
def good_build(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    snapshot = tmp_path / "snap"
    shutil.copytree(FIXTURE, snapshot)
    out = tmp_path / "build"
    run(snapshot, out)
    return snapshot, out, folder_bytes(out)


def test_tampered_snapshot_is_refused(good_build: tuple[Path, Path, dict[str, bytes]]) -> None:
    snapshot, out, before = good_build
    path = snapshot / "commits.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="sha256"):
        run(snapshot, out)
    assert folder_bytes(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["build", "snap"]  # no staging left


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("schema_version", 3, "schema_version"),
        ("completed", False, "never completed"),
    ],
)
def test_bad_manifest_is_refused(
    good_build: tuple[Path, Path, dict[str, bytes]], field: str, value: Any, message: str
) -> None:
    snapshot, out, before = good_build
    manifest = json.loads((snapshot / "manifest.json").read_text())
    manifest[field] = value
    (snapshot / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match=message):
        run(snapshot, out)
    assert folder_bytes(out) == before


def test_cli_transform_and_dry_run(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    dry = runner.invoke(transform_command, ["fx", "--snapshot", str(FIXTURE), "--out", str(out), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and not out.exists()
    done = runner.invoke(
        transform_command, ["fx", "--snapshot", str(FIXTURE), "--out", str(out), "--as-of", "2025-06-15"]
    )
    assert done.exit_code == 0, done.output
    assert "metrics_pullrequest" in done.output
    assert json.loads((out / "manifest.json").read_text())["as_of"] == "2025-06-15"
    missing = runner.invoke(transform_command, ["nope", "--snapshot", str(tmp_path / "none")])
    assert missing.exit_code == 2  # a folder the user named that is not there: usage
    assert "--snapshot" in missing.output and "not a folder" in missing.output
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(transform_command, ["nope", "--snapshot", str(tmp_path / "empty")])
    assert empty.exit_code == 5  # a folder that is no snapshot: bad snapshot
    assert "manifest.json missing" in empty.output


@pytest.fixture(scope="module")
def large_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("large")
    write_snapshot(base / "snap", GenSpec(n_prs=5000, n_users=400))
    run(base / "snap", base / "build")
    return base / "build"


def rows_of(build: Path, table: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = pq.read_table(build / f"{table}.parquet").to_pylist()
    return data


def test_simulated_rates_within_tolerance(large_build: Path) -> None:
    # Configured: survey_response_rate 0.6, ai_base_adoption_rate 0.4 (GenSpec defaults).
    # Tolerances are about 4 standard errors of each sample, so a correct simulation passes
    # and a wrong rate (e.g. 0.5 instead of 0.6) fails.
    surveys = rows_of(large_build, "metrics_prsurvey")
    assert len(surveys) > 2000
    responded = sum(s["author_responded_at"] is not None for s in surveys) / len(surveys)
    assert abs(responded - 0.60) < 0.04

    answers = rows_of(large_build, "metrics_prsurveyreview")
    quality = Counter(a["quality_rating"] for a in answers)
    total = sum(quality.values())
    assert total > 1000
    assert abs(quality[3] / total - 0.50) < 0.05
    assert abs(quality[2] / total - 0.35) < 0.05
    assert abs(quality[1] / total - 0.15) < 0.04
    judged = [a["guess_correct"] for a in answers if a["guess_correct"] is not None]
    assert abs(sum(judged) / len(judged) - 0.675) < 0.05  # accuracy uniform in [0.60, 0.75]

    members = [m for m in rows_of(large_build, "metrics_teammember") if m["is_active"]]
    usage = rows_of(large_build, "metrics_aiusagedaily")
    users = {u["member_github_id"] for u in usage}
    assert abs(len(users) / len(members) - 0.40) < 0.10
    workdays = sum(1 for d in range(181) if date.fromordinal(date(2025, 6, 30).toordinal() - d).weekday() < 5)
    assert abs(len(usage) / (len(users) * workdays) - 0.85) < 0.02
    assert all(u["date"].weekday() < 5 for u in usage)
    sources = Counter(next(u["source"] for u in usage if u["member_github_id"] == m) for m in users)
    assert abs(sources["copilot"] / len(users) - 0.70) < 0.12
    for u in usage:
        assert 1.4 <= float(u["active_hours"]) <= 7.8
        assert u["suggestions_accepted"] <= u["suggestions_shown"]
        assert 0 <= float(u["acceptance_rate"]) <= 50


def test_large_build_respects_unique_constraints(large_build: Path) -> None:
    checks = {
        "metrics_teammember": ["github_id"],
        "metrics_pullrequest": ["github_repo", "github_pr_id"],
        "metrics_prreview": ["github_review_id"],
        "metrics_commit": ["github_sha"],
        "metrics_prfile": ["github_repo", "github_pr_id", "filename"],
        "metrics_prcheckrun": ["github_check_run_id"],
        "metrics_jiraissue": ["jira_id"],
        "metrics_prsurvey": ["github_repo", "github_pr_id"],
        "metrics_prsurveyreview": ["github_repo", "github_pr_id", "reviewer_github_id"],
        "metrics_aiusagedaily": ["member_github_id", "date", "source"],
        "metrics_weeklymetrics": ["member_github_id", "week_start"],
    }
    for table, cols in checks.items():
        data = rows_of(large_build, table)
        keys = [tuple(r[c] for c in cols) for r in data]
        assert len(keys) == len(set(keys)), table
    emails = [m["email"].lower() for m in rows_of(large_build, "metrics_teammember")]
    assert len(emails) == len(set(emails))
    reviews = rows_of(large_build, "metrics_prreview")
    assert {r["state"] for r in reviews} == {"approved", "changes_requested", "commented"}
    files = rows_of(large_build, "metrics_prfile")
    assert {f["status"] for f in files} <= {"added", "modified", "removed", "renamed"}
    assert max(len(f["filename"]) for f in files) <= 500
    assert max(len(c["message"]) for c in rows_of(large_build, "metrics_commit")) <= 500
