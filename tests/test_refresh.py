"""Incremental refresh (issue 14) against the fake GitHub over real HTTP.

The refresh of a snapshot after the repository changed must equal a full extraction of the
changed repository, byte for byte in every Parquet table, in REST and GraphQL mode.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from prseed.extract import ExtractConfig, run
from prseed.extract.etags import token_fingerprint
from prseed.extract.workdir import work_dir

from prseed.contracts import ALL_SNAPSHOT_TABLES, verify_dataset
from prseed.registry import adhoc_project
from tests.fakegithub import FakeGitHub, GeneratedRepo, generate_repo
from tests.test_cli import PRSEED

TOKEN = "fake-refresh-token-0123456789"
REPO = "octo-org/fresh"
SINCE = date(2026, 6, 1)
LATER = date(2026, 6, 15)


def config(gh: FakeGitHub, out: Path, api: str, **kw: Any) -> ExtractConfig:
    base: dict[str, Any] = dict(
        project=adhoc_project(REPO).manifest_block(),
        out_dir=out,
        tokens=(TOKEN,),
        api_url=gh.url,
        batch_delay=0.0,
        points_per_minute=100_000,
        secondary_min_wait=1.0,
        backoff_base=0.05,
        max_prs=None,
        since=SINCE,
        synthetic=True,
        api=api,
    )
    base.update(kw)
    return ExtractConfig(**base)


def assert_same_tables(a: Path, b: Path) -> None:
    for name in ALL_SNAPSHOT_TABLES:
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes(), name


def numbers(out: Path) -> list[int]:
    return [r["number"] for r in pq.read_table(out / "pull_requests.parquet", columns=["number"]).to_pylist()]


@pytest.fixture()
def repo() -> GeneratedRepo:
    return generate_repo(REPO, n_prs=60, seed=23)


@pytest.fixture()
def gh(repo: GeneratedRepo) -> Iterator[FakeGitHub]:
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as server:
        yield server


def created(repo: GeneratedRepo, n: int) -> date:
    return date.fromisoformat(repo.pull_details[n]["created_at"][:10])


def mutate_everything(gh: FakeGitHub, repo: GeneratedRepo) -> dict[str, int]:
    """The issue's list of changes; returns the PR numbers touched by kind."""
    window = sorted(n for n in repo.pull_details if created(repo, n) >= LATER)
    closed = [n for n in window if repo.pull_details[n]["state"] == "closed"]
    opened = [n for n in window if repo.pull_details[n]["state"] == "open"]
    aging = next(n for n in sorted(repo.pull_details) if SINCE <= created(repo, n) < LATER)
    touched = {
        "review": closed[0],
        "check": closed[1],
        "push": opened[0],
        "title": closed[2],
        "deleted": closed[3],
        "aging": aging,
    }
    with gh.mutate() as m:
        m.add_review(touched["review"], "APPROVED", comments=2)
        m.add_check_run(touched["check"], "lint", "failure")
        m.force_push(touched["push"])
        m.edit_title(touched["title"], "A new title ✨")
        m.delete_pr(touched["deleted"])
        m.advance(days=14)
        touched["added"] = m.add_prs(3)[0]
    return touched


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_refresh_equals_full_extraction(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path, api: str
) -> None:
    out = tmp_path / "snap"
    first = run(config(gh, out, api))
    assert first.mode == "full" and first.mode_note == ""
    before = numbers(out)
    old_digest = __import__("hashlib").sha256((out / "manifest.json").read_bytes()).hexdigest()
    touched = mutate_everything(gh, repo)

    refreshed = run(config(gh, out, api, since=LATER))
    full = run(config(gh, tmp_path / "full", api, since=LATER))
    assert refreshed.mode == "refresh", refreshed.mode_note
    assert_same_tables(out, tmp_path / "full")
    verify_dataset(out, "snapshot")

    after = numbers(out)
    assert touched["deleted"] not in after and touched["aging"] not in after
    assert touched["added"] in after
    lineage = refreshed.manifest["lineage"]
    assert lineage["previous"]["digest"] == old_digest
    assert lineage["previous"]["window"]["since"] == SINCE.isoformat()
    assert lineage["window"]["since"] == LATER.isoformat()
    prs = lineage["prs"]
    changed = {touched[k] for k in ("review", "check", "push", "title")}
    assert prs["refetched"] == len(changed)
    assert prs["added"] == 3
    assert prs["kept"] == len(after) - 3 - len(changed)
    assert prs["removed_by"]["deleted"] == 1
    assert prs["removed_by"]["aged_out"] == len([n for n in before if n not in after]) - 1
    assert prs["removed"] == len(set(before) - set(after))
    assert refreshed.requests < full.requests
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["lineage"] == lineage
    assert not work_dir(out).exists()


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_unchanged_refresh_fetches_no_pr_and_every_conditional_request_is_a_304(
    gh: FakeGitHub, tmp_path: Path, api: str
) -> None:
    out = tmp_path / "snap"
    run(config(gh, out, api))
    tables = {name: (out / f"{name}.parquet").read_bytes() for name in ALL_SNAPSHOT_TABLES}
    assert sorted(p.name for p in (out / "etags").iterdir()) == [f"{token_fingerprint(TOKEN)}.json"]
    gh.reset_stats()
    again = run(config(gh, out, api))
    assert again.mode == "refresh"
    assert {name: (out / f"{name}.parquet").read_bytes() for name in ALL_SNAPSHOT_TABLES} == tables
    prs = again.manifest["lineage"]["prs"]
    assert prs["refetched"] == prs["added"] == prs["removed"] == 0
    assert prs["kept"] == again.prs
    assert again.manifest["lineage"]["contributors_kept"] == [REPO]
    by_kind = again.requests_by_kind
    if api == "rest":
        # the listing pages and the contributors page, all 304; plus the free /rate_limit
        pages = (again.prs + 99) // 100
        assert by_kind == {"pulls-list": pages, "contributors": 1, "rate-limit": 1}
        assert again.manifest["requests"]["not_modified"] == pages + 1 == gh.stats.not_modified
        assert again.manifest["lineage"]["spent"]["points"] == 0
        assert again.manifest["lineage"]["listing"] == {REPO: "replay"}
    else:
        # the repository lookup (REST), the contributors (304), one updated-desc page (1 point)
        assert by_kind == {"repository": 1, "contributors": 1, "rate-limit": 1, "graphql-list": 1}
        assert again.manifest["graphql"]["points"] == 1
        assert again.manifest["lineage"]["listing"] == {REPO: "updated"}
        assert again.manifest["requests"]["not_modified"] == 1
    assert again.manifest["lineage"]["saved_estimate"]["requests"] > 0


def test_etags_are_used_with_the_token_that_got_them(repo: GeneratedRepo, tmp_path: Path) -> None:
    """A pool: each page goes with the token holding its ETag; a new token's pages are 200s."""
    one, two = "ghp_refresh_pool_one", "ghp_refresh_pool_two"
    with FakeGitHub(repos=[repo], tokens={one, two}) as gh:
        out = tmp_path / "snap"
        run(config(gh, out, "rest", tokens=(one,)))
        gh.reset_stats()
        pooled = run(config(gh, out, "rest", tokens=(two, one)))
        assert pooled.mode == "refresh"
        pages = (pooled.prs + 99) // 100
        assert gh.stats.not_modified == pages + 1
        assert set(gh.stats.not_modified_by_token) == {gh.token_label(one)}
        gh.reset_stats()
        # a token the store has never seen: no 304, the same snapshot (compared with the rows kept)
        other = run(config(gh, out, "rest", tokens=(two,)))
        assert gh.stats.not_modified == 0
        assert other.manifest["lineage"]["prs"]["kept"] == other.prs
        written = sorted(p.stem for p in (out / "etags").iterdir())
        assert written == [token_fingerprint(two)]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert one.encode() not in data and two.encode() not in data


def test_full_flag_and_changed_options_extract_everything(gh: FakeGitHub, tmp_path: Path) -> None:
    out = tmp_path / "snap"
    run(config(gh, out, "rest"))
    forced = run(config(gh, out, "rest", full=True))
    assert forced.mode == "full" and forced.mode_note == "full extraction (--full)"
    other = run(config(gh, out, "rest", with_patches=True))
    assert other.mode == "full"
    assert "with_patches False -> True" in other.mode_note and "cannot be refreshed" in other.mode_note
    assert "lineage" not in other.manifest


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_SEEDING_TOKENS", "DATABASE_URL")}
    env["GITHUB_TOKEN"] = TOKEN
    return env


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_killed_refresh_resumes_to_the_same_bytes(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path, api: str
) -> None:
    """kill -9 after the kept rows are copied, and again after a fetched batch; --resume finishes."""
    out = tmp_path / "snap"
    run(config(gh, out, api))
    digest = (out / "manifest.json").read_bytes()
    with gh.mutate() as m:
        for n in sorted(repo.pull_details)[-30:]:
            m.add_issue_comment(n, "ping")
        m.add_prs(4)
    args = [
        PRSEED,
        "extract",
        "--repo",
        REPO,
        "--out",
        str(out),
        "--api-url",
        gh.url,
        "--api",
        api,
        "--batch-size",
        "2",
        "--batch-delay",
        "0",
        "--since",
        SINCE.isoformat(),
        "--points-per-minute",
        "100000",
        "--quiet",
    ]
    checkpoint = work_dir(out) / "checkpoint.json"

    def kept(data: dict[str, Any]) -> bool:
        return bool(data.get("refresh", {}).get("kept"))

    def batches(data: dict[str, Any]) -> bool:
        return len(data.get("done_batches", [])) >= 1

    for ready in (kept, batches):
        proc = subprocess.Popen(
            [*args, "--resume"], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        while proc.poll() is None:
            try:
                data = json.loads(checkpoint.read_text())
            except (OSError, ValueError):
                data = {}
            if ready(data):
                proc.kill()
                break
        proc.wait()
        assert proc.returncode == -9, proc.stderr.read().decode()
        # the old snapshot is complete and untouched until the new one replaces it
        assert (out / "manifest.json").read_bytes() == digest
        verify_dataset(out, "snapshot")
    final = subprocess.run([*args, "--resume"], env=_env(), capture_output=True)
    assert final.returncode == 0, final.stderr.decode()
    full = run(config(gh, tmp_path / "full", api))
    assert_same_tables(out, tmp_path / "full")
    lineage = json.loads((out / "manifest.json").read_text())["lineage"]
    assert lineage["prs"]["added"] == 4 and lineage["prs"]["refetched"] == 30
    assert full.prs == lineage["prs"]["kept"] + 34
    assert not work_dir(out).exists()


@pytest.mark.parametrize("api", ["rest", "graphql"])
@pytest.mark.parametrize("state,max_prs", [("all", 20), ("open", 6), ("closed", None)])
def test_refresh_with_max_prs_and_state_equals_full_extraction(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path, api: str, state: str, max_prs: int | None
) -> None:
    out = tmp_path / "snap"
    run(config(gh, out, api, state=state, max_prs=max_prs))
    newest = sorted(repo.pull_details)[-12:]
    opened = [n for n in newest if repo.pull_details[n]["state"] == "open"]
    closed = [n for n in newest if repo.pull_details[n]["state"] == "closed"]
    with gh.mutate() as m:
        m.close(opened[0])  # leaves --state open, joins --state closed
        m.add_review(closed[0], "COMMENTED")
        m.add_prs(3, state="open")
    refreshed = run(config(gh, out, api, state=state, max_prs=max_prs))
    run(config(gh, tmp_path / "full", api, state=state, max_prs=max_prs))
    assert refreshed.mode == "refresh"
    assert_same_tables(out, tmp_path / "full")
    prs = refreshed.manifest["lineage"]["prs"]
    # REST's listing cannot tell a PR closed under --state open from a deleted one (README)
    assert prs["removed_by"]["deleted"] == (1 if (api, state) == ("rest", "open") else 0)
    if api == "graphql":
        # nothing deleted and the window holds: no full number listing
        assert refreshed.manifest["lineage"]["listing"] == {REPO: "updated"}


def test_cli_dry_run_summary_and_info_tell_the_refresh(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from prseed.cli import cli

    out = tmp_path / "snap"
    args = ["extract", "--repo", REPO, "--out", str(out), "--api-url", gh.url, "--api", "rest"]
    args += ["--since", SINCE.isoformat(), "--batch-delay", "0", "--points-per-minute", "100000"]
    runner = CliRunner()
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""}
    first = runner.invoke(cli, [*args, "--dry-run"], env=env)
    assert first.exit_code == 0 and "mode: full extraction" in first.output, first.output
    assert runner.invoke(cli, args, env=env).exit_code == 0
    with gh.mutate() as m:
        m.add_prs(2)
    plan = runner.invoke(cli, [*args, "--dry-run", "--json"], env=env)
    assert json.loads(plan.stdout)["mode"] == "refresh"
    assert json.loads(plan.stdout)["mode_note"].startswith(f"refresh of {out}")
    done = runner.invoke(cli, args, env=env)
    assert done.exit_code == 0, done.output
    assert f"snapshot refreshed {out}" in done.output
    assert "kept" in done.output and "added 2" in done.output
    info = runner.invoke(cli, ["snapshot", "info", str(out)])
    assert "refreshed    from" in info.output and "added 2" in info.output
    data = json.loads(runner.invoke(cli, ["snapshot", "info", str(out), "--json"]).stdout)
    assert data["lineage"]["prs"]["added"] == 2
    forced = runner.invoke(cli, [*args, "--full"], env=env)
    assert forced.exit_code == 0 and "full extraction (--full)" in forced.output
    assert "snapshot written to" in forced.output


def test_a_check_run_that_leaves_updated_at_alone_waits_for_the_pr_or_full(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path
) -> None:
    """README, "What a refresh cannot see": the kept PR keeps its check runs until it changes."""
    out = tmp_path / "snap"
    run(config(gh, out, "rest"))
    n = max(repo.pull_details)
    with gh.mutate() as m:
        m.add_check_run(n, "rerun", "success", bump_updated=False)

    def runs(of: Path) -> int:
        table = pq.read_table(of / "check_runs.parquet", columns=["pr_number"]).to_pylist()
        return sum(1 for r in table if r["pr_number"] == n)

    before = runs(out)
    refreshed = run(config(gh, out, "rest"))
    assert refreshed.manifest["lineage"]["prs"]["refetched"] == 0 and runs(out) == before
    run(config(gh, out, "rest", full=True))
    assert runs(out) == before + 1


def _edit_typed_column(out: Path, table: str, column: str, value: Any) -> None:
    """Change one row's typed column (its raw unchanged) and fix the file's sha256 in the manifest."""
    from prseed.contracts import dumps_manifest, write_parquet

    path = out / f"{table}.parquet"
    rows = pq.read_table(path).to_pylist()
    rows[0][column] = value
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["tables"][table] = write_parquet(
        __import__("pyarrow").Table.from_pylist(rows, schema=pq.read_schema(path)), path, "snapshot", table
    )
    (out / "manifest.json").write_bytes(dumps_manifest(manifest))


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_a_snapshot_that_verify_rejects_is_extracted_in_full_not_refreshed(
    gh: FakeGitHub, tmp_path: Path, api: str
) -> None:
    """t14 #3: checksums fine, a typed column disagrees with raw -> full, with the reason."""
    from prseed.snapshots import verify_snapshot

    out = tmp_path / "snap"
    run(config(gh, out, api))
    _edit_typed_column(out, "pull_requests", "title", "edited by hand")
    with pytest.raises(Exception, match="disagrees with their raw API object"):
        verify_snapshot(out)
    again = run(config(gh, out, api))
    assert again.mode == "full", again.mode_note
    assert "cannot be refreshed" in again.mode_note and "title" in again.mode_note
    verify_snapshot(out)
    run(config(gh, tmp_path / "full", api))
    assert_same_tables(out, tmp_path / "full")


def test_etags_of_another_state_of_the_snapshot_are_ignored_with_one_warning(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path
) -> None:
    """t14 #4: Parquet + manifest of state A beside etags/ of state B (restored from git)."""
    import shutil

    out = tmp_path / "snap"
    run(config(gh, out, "rest"))
    shutil.copytree(out, tmp_path / "before")
    with gh.mutate() as m:
        m.add_prs(6)
    run(config(gh, out, "rest"))
    contributors = "contributors.parquet"
    assert (out / contributors).read_bytes() != (tmp_path / "before" / contributors).read_bytes()
    mix = tmp_path / "mix"
    shutil.copytree(tmp_path / "before", mix)
    shutil.rmtree(mix / "etags")
    shutil.copytree(out / "etags", mix / "etags")
    mixed = run(config(gh, mix, "rest"))
    run(config(gh, tmp_path / "full", "rest"))
    assert_same_tables(mix, tmp_path / "full")
    assert mixed.mode == "refresh"
    assert mixed.manifest["lineage"]["contributors_kept"] == []
    assert len(mixed.warnings) == 1 and "other tables than the snapshot's" in mixed.warnings[0]


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(os.urandom(64)),
        lambda p: (p.unlink(), p.mkdir()),
    ],
    ids=["truncated", "empty", "random", "folder"],
)
def test_a_damaged_etags_file_is_one_warning_line_of_the_cli(
    gh: FakeGitHub, tmp_path: Path, damage: Any
) -> None:
    """t14 #2: the store's warnings reach the user (stderr, --json), the refresh goes on."""
    from click.testing import CliRunner

    from prseed.cli import cli

    out = tmp_path / "snap"
    args = ["extract", "--repo", REPO, "--out", str(out), "--api-url", gh.url, "--api", "rest"]
    args += ["--since", SINCE.isoformat(), "--batch-delay", "0", "--points-per-minute", "100000"]
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""}
    runner = CliRunner()
    assert runner.invoke(cli, args, env=env).exit_code == 0
    (path,) = (out / "etags").iterdir()
    damage(path)
    done = runner.invoke(cli, args, env=env)
    assert done.exit_code == 0, done.output
    warned = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 1 and str(path) in warned[0] and "ignored" in warned[0], done.stderr
    assert "snapshot refreshed" in done.stdout
    damage(next((out / "etags").iterdir()))
    data = json.loads(runner.invoke(cli, [*args, "--json"], env=env).stdout)
    assert len(data["warnings"]) == 1 and data["mode"] == "refresh"


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_saved_estimate_uses_the_last_full_extractions_cost_after_refreshes(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path, api: str
) -> None:
    """t14 #1: extract, refresh twice unchanged, change, refresh: saved against the FULL cost per PR."""
    out = tmp_path / "snap"
    first = run(config(gh, out, api))
    points = first.manifest["graphql"]["points"] if api == "graphql" else first.requests - 1
    cost = {"prs": first.prs, "requests": first.requests, "points": points}
    for _ in range(2):
        assert run(config(gh, out, api)).manifest["lineage"]["full_cost"] == cost
    with gh.mutate() as m:
        for n in sorted(repo.pull_details)[-5:]:
            m.add_issue_comment(n, "ping")
    last = run(config(gh, out, api)).manifest["lineage"]
    assert last["full_cost"] == cost and last["prs"]["refetched"] == 5
    spent = last["spent"]
    assert last["saved_estimate"] == {
        "requests": round(cost["requests"] * first.prs / cost["prs"]) - spent["requests"],
        "points": round(cost["points"] * first.prs / cost["prs"]) - spent["points"],
    }
    assert last["saved_estimate"]["requests"] > first.requests // 2


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_without_api_a_refresh_keeps_the_snapshots_api(gh: FakeGitHub, tmp_path: Path, api: str) -> None:
    """t14 #6: the default --api (graphql with a token) must not turn a refresh into a full run."""
    from click.testing import CliRunner

    from prseed.cli import cli

    out = tmp_path / "snap"
    args = ["extract", "--repo", REPO, "--out", str(out), "--api-url", gh.url]
    args += ["--since", SINCE.isoformat(), "--batch-delay", "0", "--points-per-minute", "100000"]
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""}
    runner = CliRunner()
    assert runner.invoke(cli, [*args, "--api", api], env=env).exit_code == 0
    planned = runner.invoke(cli, [*args, "--dry-run", "--json"], env=env)
    assert planned.exit_code == 0, planned.output
    data = json.loads(planned.stdout)
    assert data["api"] == api and data["mode"].startswith("refresh"), data
    assert f"--api {api}: the API of the snapshot in {out}" in planned.stderr
    done = runner.invoke(cli, [*args, "--json"], env=env)
    assert json.loads(done.stdout)["mode"] == "refresh", done.output
    # an explicit other --api is a full extraction that says why
    other = "graphql" if api == "rest" else "rest"
    switched = runner.invoke(cli, [*args, "--api", other, "--json"], env=env)
    summary = json.loads(switched.stdout)
    assert summary["mode"] == "full" and f"api '{api}' -> '{other}'" in summary["mode_note"]


class _Stop(Exception):
    pass


def _stop_when_fetching(progress: Any) -> None:
    if progress.phase == "pulls":
        raise _Stop


def test_resume_with_full_of_an_unfinished_refresh_is_refused(
    gh: FakeGitHub, repo: GeneratedRepo, tmp_path: Path
) -> None:
    """t14 #5: --full cannot change an unfinished refresh's mode; it is refused, not ignored."""
    from prseed.errors import ConfigError

    out = tmp_path / "snap"
    run(config(gh, out, "rest"))
    with gh.mutate() as m:
        m.add_prs(3)
    with pytest.raises(_Stop):
        run(config(gh, out, "rest"), _stop_when_fetching)
    assert work_dir(out).exists()
    with pytest.raises(ConfigError, match="is a refresh, --full does not apply to it.*--fresh --full"):
        run(config(gh, out, "rest", resume=True, full=True))
    resumed = run(config(gh, out, "rest", resume=True))
    assert resumed.mode == "refresh" and resumed.manifest["lineage"]["prs"]["added"] == 3
    forced = run(config(gh, out, "rest", fresh=True, full=True))
    assert forced.mode == "full" and "lineage" not in forced.manifest


@pytest.mark.parametrize("many", [False, True], ids=["one", "many"])
def test_dry_run_refuses_a_run_without_a_token_for_github(tmp_path: Path, many: bool) -> None:
    """t14 #7: GITHUB_SEEDING_TOKENS="" (a missing secret) -> the dry run refuses as the run does."""
    from click.testing import CliRunner

    from prseed.cli import cli

    env = {"GITHUB_TOKEN": "", "GITHUB_SEEDING_TOKENS": ""}
    target = ["--tier", "first-class", "--out", str(tmp_path)] if many else ["--repo", REPO]
    runner = CliRunner()
    for extra in (["--dry-run"], ["--dry-run", "--json"], []):
        result = runner.invoke(cli, ["extract", *target, "--out", str(tmp_path / "x"), *extra], env=env)
        assert result.exit_code == 2, (extra, result.output)
        assert "no GitHub token: set GITHUB_TOKEN" in result.output, result.output


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_dry_run_of_a_refresh_says_the_mode_and_a_refresh_estimate(
    gh: FakeGitHub, tmp_path: Path, api: str
) -> None:
    """t14 #10: a mode field, the refresh's own estimate (what an unchanged refresh really costs)."""
    from click.testing import CliRunner

    from prseed.cli import cli

    out = tmp_path / "snap"
    args = ["extract", "--repo", REPO, "--out", str(out), "--api-url", gh.url, "--api", api]
    args += ["--since", SINCE.isoformat(), "--batch-delay", "0", "--points-per-minute", "100000"]
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""}
    runner = CliRunner()
    first = json.loads(runner.invoke(cli, [*args, "--dry-run", "--json"], env=env).stdout)
    assert first["mode"] == "full" and first["refresh_estimate"] is None
    runner.invoke(cli, args, env=env)
    plan = json.loads(runner.invoke(cli, [*args, "--dry-run", "--json"], env=env).stdout)
    assert plan["mode"] == "refresh" and f"created since {SINCE.isoformat()}, extracted " in plan["mode_note"]
    text = runner.invoke(cli, [*args, "--dry-run"], env=env).stdout
    assert "refresh cost: ~" in text and "a full extraction's estimated" in text and ".. then" not in text
    again = run(config(gh, out, api))
    unchanged = plan["refresh_estimate"]["unchanged"]
    assert unchanged["requests"] == again.requests
    points = again.manifest["lineage"]["spent"]["points"]
    assert unchanged["points"] == points


def test_resume_after_the_snapshot_was_deleted_and_overlap_with_rest_are_said(
    gh: FakeGitHub, tmp_path: Path
) -> None:
    """t14 #12: no advice to run the command being run; --overlap is not silently ignored."""
    import shutil

    from click.testing import CliRunner

    from prseed.cli import cli

    out = tmp_path / "snap"
    run(config(gh, out, "rest"))
    with gh.mutate() as m:
        m.add_prs(2)
    with pytest.raises(_Stop):
        run(config(gh, out, "rest"), _stop_when_fetching)
    shutil.rmtree(out)
    args = ["extract", "--repo", REPO, "--out", str(out), "--api-url", gh.url, "--api", "rest"]
    args += ["--since", SINCE.isoformat(), "--batch-delay", "0", "--points-per-minute", "100000"]
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""}
    runner = CliRunner()
    from prseed.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        run(config(gh, out, "rest", resume=True))
    assert "started from is gone; use --fresh" in str(refused.value)
    assert "run `prseed extract`" not in str(refused.value)
    planned = runner.invoke(cli, [*args, "--overlap", "3", "--dry-run"], env=env)
    assert "--overlap applies to a GraphQL refresh only" in planned.stderr
    quiet = runner.invoke(cli, [*args, "--dry-run"], env=env)
    assert "--overlap" not in quiet.stderr
