"""The GraphQL extractor against the fake GitHub's /graphql over real HTTP.

Cross-mode: REST and GraphQL extraction of the same repository give the same typed columns,
except the differences README.md documents ("GraphQL and REST"). Every fault mode ends with the
exact snapshot and zero violations; kill -9 + --resume gives the same Parquet.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prseed.extract import ExtractConfig, run
from prseed.extract.graphql.pager import DEFAULT_PAGE
from prseed.extract.workdir import work_dir

from prseed.cli import cli
from prseed.cli.extract_cmd import summary, summary_data
from prseed.contracts import ALL_SNAPSHOT_TABLES, COMMENT_TABLES, table_key, verify_dataset
from prseed.registry import adhoc_project
from tests.fakegithub import FakeGitHub, Faults, generate_repo

# The fake GitHub's /graphql comes from branch gql-server; until it is merged there is nothing
# to run these tests against.
pytest.importorskip("tests.fakegithub.graphql.endpoint", reason="the fake GitHub has no /graphql yet")

TOKEN = "fake-graphql-token-0123456789"
REPO = "octo-org/demo"
PR_TABLES = ("pull_requests", "commits", "reviews", "files", "check_runs")


def config(gh: FakeGitHub, out: Path, **kw: Any) -> ExtractConfig:
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
        synthetic=True,
        api="graphql",
    )
    base.update(kw)
    return ExtractConfig(**base)


def rows_by_key(out: Path, name: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    key = table_key("snapshot", name)
    return {tuple(r[k] for k in key): r for r in pq.read_table(out / f"{name}.parquet").to_pylist()}


def assert_same_bytes(a: Path, b: Path) -> None:
    for name in ALL_SNAPSHOT_TABLES:
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes(), name


@pytest.fixture(scope="module")
def repo():
    return generate_repo(REPO, n_prs=50, seed=11)


@pytest.fixture(scope="module")
def both(repo, tmp_path_factory):
    """REST and GraphQL snapshots of the same repository, and the run results."""
    root = tmp_path_factory.mktemp("cross")
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        rest = run(config(gh, root / "rest", api="rest"))
        gh.reset_stats()
        gql = run(config(gh, root / "graphql"))
        violations = gh.stats.violations
    return root / "rest", root / "graphql", rest, gql, violations


def test_cross_mode_identical_typed_columns_except_documented_differences(repo, both):
    rest_dir, gql_dir, _, gql, violations = both
    assert violations == 0
    verify_dataset(gql_dir, "snapshot")
    long_prs = {n for n, c in repo.commits.items() if len(c) > 250}
    assert long_prs, "the generated repository has a PR with more than 250 commits"
    merged = {p["number"] for p in repo.pulls if p["merged_at"]}
    for name in ALL_SNAPSHOT_TABLES:
        rest, graphql = rows_by_key(rest_dir, name), rows_by_key(gql_dir, name)
        if name in COMMENT_TABLES:
            assert rest, f"the generated repository has {name}"
            assert any(r.get("in_reply_to_id") for r in rest.values()) or name == "issue_comments"
        if name == "commits":
            # All commits of a long PR in GraphQL; REST stops at GitHub's 250.
            extra = {k for k in graphql if k not in rest}
            assert {k[1] for k in extra} == long_prs
            assert all(len([k for k in graphql if k[1] == n]) == len(repo.commits[n]) for n in long_prs)
            graphql = {k: v for k, v in graphql.items() if k not in extra}
        assert rest.keys() == graphql.keys(), name
        for key, r in rest.items():
            g = dict(graphql[key])
            r = dict(r)
            if name != "contributors":
                # raw holds the API object of each side: a GraphQL node vs a REST object.
                assert json.loads(g.pop("raw")) and r.pop("raw")
            if name == "commits":
                assert g.pop("parents_count") is None  # documented: null through GraphQL
                r.pop("parents_count")
            if name == "pull_requests":
                if key[1] in long_prs:
                    assert r.pop("commits_truncated") and not g.pop("commits_truncated")
                if key[1] not in merged:
                    # REST's merge_commit_sha of an unmerged PR is a test merge GraphQL's
                    # mergeCommit does not give.
                    assert g.pop("merge_commit_sha") is None
                    r.pop("merge_commit_sha")
            assert g == r, (name, key, {k for k in r if r[k] != g.get(k)})
    manifest = json.loads((gql_dir / "manifest.json").read_text())
    assert manifest["api"] == "graphql" and manifest["parameters"]["api"] == "graphql"
    assert manifest["truncated_prs"] == []
    assert gql.manifest["graphql"]["queries"] > 0


def test_graphql_points_per_pr_and_requests(both):
    _, _, rest, gql, _ = both
    stats = gql.manifest["graphql"]
    # 0.1 points per PR at most, plus the fixed queries of a run: the first list page, the
    # profiles, the continuation rounds of the 262-commit PR, the review comments (one query for
    # every review) and the threads of the PR with a review comment outside any review (bench/
    # measures 1,000 PRs).
    assert stats["points"] <= 0.1 * gql.prs + 5, stats
    assert gql.manifest["requests"]["by_kind"]["graphql-comments"] == 2
    # REST calls left in GraphQL mode: /rate_limit, the repository (its current name),
    # contributors, targeted files lists.
    core = gql.requests - stats["queries"]
    assert core <= 3 + stats["rest_file_lists"] + 2
    assert rest.requests > 10 * gql.requests


FAULTS = {
    "rate-limited-200": Faults(graphql_limit=3, reset_seconds=1.5),
    "rate-limit-code": Faults(graphql_limit=3, reset_seconds=1.5, graphql_limited_answer="RATE_LIMIT"),
    "rate-limit-403": Faults(graphql_limit=3, reset_seconds=1.5, graphql_limited_answer="403"),
    "rate-limit-429": Faults(graphql_limit=3, reset_seconds=1.5, graphql_limited_answer="429"),
    "secondary-points-per-minute": Faults(graphql_points_per_minute=1, graphql_minute_seconds=2.0),
    "secondary-every": Faults(secondary_every=5, secondary_retry_after=1),
    "heavy-502": Faults(graphql_heavy_nodes=3_000, graphql_heavy_answer="502"),
    "heavy-504": Faults(graphql_heavy_nodes=3_000, graphql_heavy_answer="504"),
    "heavy-timeout": Faults(graphql_heavy_nodes=3_000, graphql_heavy_answer="timeout"),
    "heavy-resource-limits": Faults(graphql_heavy_nodes=3_000, graphql_heavy_answer="resource_limits"),
    "missing-prs": Faults(graphql_missing_prs=frozenset({3, 7, 20})),
    "server-errors": Faults(server_error_every=4, server_error_status=502),
    "connection-resets": Faults(reset_every=5),
    "truncated-bodies": Faults(truncate_every=5),
    "concurrency": Faults(max_concurrency=2),
    # The REST calls GraphQL mode still makes (files lists, contributors) spend core.
    "core-limit": Faults(core_limit=6, reset_seconds=1.5),
    "slow": Faults(slow_every=3, slow_seconds=0.3),
}


@pytest.fixture(scope="module")
def small():
    return generate_repo(REPO, n_prs=40, seed=5)


@pytest.fixture(scope="module")
def clean(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "s"
    with FakeGitHub(repos=[small], tokens={TOKEN}) as gh:
        run(config(gh, out))
        assert gh.stats.violations == 0
    return out


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_exact_snapshot_in_every_graphql_fault_mode(mode, small, clean, tmp_path):
    with FakeGitHub(repos=[small], tokens={TOKEN}, faults=FAULTS[mode]) as gh:
        result = run(config(gh, tmp_path / "s", max_workers=3, read_timeout=5))
        assert gh.stats.violations == 0, gh.stats.violation_log[:5]
    assert_same_bytes(tmp_path / "s", clean)
    stats = result.manifest["graphql"]
    if mode.startswith("heavy"):
        assert stats["heavy"] > 0 and stats["page_size"] < DEFAULT_PAGE
    elif mode.startswith("rate-limit") or mode == "core-limit":
        assert result.waits > 0
    elif mode not in ("concurrency", "missing-prs", "slow"):
        assert result.retries > 0


def test_ghes_path_and_no_commit_stats(small, tmp_path):
    with FakeGitHub(repos=[small], tokens={TOKEN}, prefix="/api/v3") as gh:
        assert gh.url.endswith("/api/v3")
        result = run(config(gh, tmp_path / "s", commit_stats=False))
        assert gh.stats.violations == 0
    commits = pq.read_table(tmp_path / "s" / "commits.parquet").to_pylist()
    assert commits and all(c["additions"] is None for c in commits)
    assert result.manifest["parameters"]["commit_stats"] is False


def test_huge_pr_files_capped_at_3000_and_flagged(tmp_path):
    big = generate_repo(REPO, n_prs=50, seed=2, huge_pr=True)
    with FakeGitHub(repos=[big], tokens={TOKEN}) as gh:
        result = run(config(gh, tmp_path / "s", commit_stats=False))
    rows = rows_by_key(tmp_path / "s", "pull_requests")
    files = rows_by_key(tmp_path / "s", "files")
    huge = [n for n, f in big.files.items() if len(f) > 3000]
    assert huge
    for n in huge:
        assert rows[(REPO, n)]["files_truncated"] and rows[(REPO, n)]["changed_files"] == len(big.files[n])
        assert len([k for k in files if k[1] == n]) == 3000
    assert {(REPO, n) for n in huge} <= set(result.truncated_prs)


def test_resume_after_sigkill_gives_the_same_parquet(tmp_path):
    # 300 PRs: three durable GraphQL batches (128, 128, 44).
    repo = generate_repo(REPO, n_prs=300, seed=9)
    env = {"GITHUB_TOKEN": TOKEN, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())}
    prseed = str(Path(".venv/bin/prseed").resolve())
    out = tmp_path / "killed"
    faults = Faults(graphql_heavy_nodes=12_000)  # the page size halves during the first batch
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults, latency=0.01) as gh:
        run(config(gh, tmp_path / "clean", commit_stats=False))
        args = [
            prseed,
            "extract",
            "--repo",
            REPO,
            "--out",
            str(out),
            "--api-url",
            gh.url,
            "--api",
            "graphql",
            "--batch-delay",
            "0",
            "--since",
            "2000-01-01",
            "--no-commit-stats",
            "--max-prs",
            "500",
            "--quiet",
        ]
        checkpoint = work_dir(out) / "checkpoint.json"
        sizes = []
        for kill_after in (1, 2):
            proc = subprocess.Popen(
                [*args, "--resume"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
            )
            while proc.poll() is None:
                try:
                    state = json.loads(checkpoint.read_text())
                except (OSError, ValueError):
                    state = {}
                if len(state.get("done_batches", [])) >= kill_after:
                    proc.kill()
                    sizes.append(state["graphql_page_size"])
                    break
            proc.wait()
            assert proc.returncode == -9, proc.stderr.read().decode()
        final = subprocess.run([*args, "--resume"], env=env, capture_output=True, cwd=tmp_path)
        assert final.returncode == 0, final.stderr.decode()
        assert gh.stats.violations == 0
    assert sizes and all(isinstance(s, int) and 1 <= s <= DEFAULT_PAGE for s in sizes)  # stored for --resume
    assert_same_bytes(out, tmp_path / "clean")
    assert TOKEN.encode() not in final.stdout + final.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_token_pool_with_one_tokens_graphql_points_spent_waits_for_nothing(small, clean, tmp_path):
    spent, fresh = "ghp_spent_graphql", "ghp_fresh_graphql"
    # 6 points: the list, the details pages, the review comments and the profiles.
    faults = Faults(graphql_limit=6, reset_seconds=3600)
    with FakeGitHub(repos=[small], tokens={spent, fresh}, faults=faults) as gh:
        import requests

        query = {"query": "query { viewer { login } }"}
        for _ in range(6):
            requests.post(gh.url + "/graphql", json=query, headers={"Authorization": f"Bearer {spent}"})
        gh.reset_stats()
        # The run costs the fresh token its 6 points; it is never refused only if it never tries
        # the spent token, whose graphql budget it learnt from /rate_limit before the first query.
        result = run(config(gh, tmp_path / "s", tokens=(spent, fresh)))
        assert gh.stats.violations == 0
        assert gh.graphql.stats.answers.get("RATE_LIMITED", 0) == 0, gh.graphql.stats.answers
    assert result.waits == 0 and result.manifest["graphql"]["points"] == 6
    assert_same_bytes(tmp_path / "s", clean)


def test_check_runs_refused_with_forbidden_are_left_out(small, clean, tmp_path):
    faults = Faults(graphql_forbidden=frozenset({"PullRequest.statusCheckRollup"}))
    with FakeGitHub(repos=[small], tokens={TOKEN}, faults=faults) as gh:
        result = run(config(gh, tmp_path / "s"))
        assert gh.stats.violations == 0
    assert pq.read_table(tmp_path / "s" / "check_runs.parquet").num_rows == 0
    # Each PR's refused check runs are a refusal of the manifest, as REST's refused list.
    heads = {r["number"]: r["head_sha"] for r in pq.read_table(clean / "pull_requests.parquet").to_pylist()}
    assert [r["number"] for r in result.refusals] == sorted(heads)
    for r in result.refusals:
        assert r["target"] == f"/repos/{REPO}/commits/{heads[r['number']]}/check-runs"
        assert (r["endpoint"], r["status"], r["effect"]) == (
            "graphql-details",
            403,
            "stored as an empty list",
        )
        assert r["reason"] == "Resource not accessible by integration"
    for name in ("pull_requests", "commits", "reviews", "files", "contributors"):
        assert (tmp_path / "s" / f"{name}.parquet").read_bytes() == (clean / f"{name}.parquet").read_bytes()


def test_queries_we_stop_waiting_for_halve_the_page_and_still_count_as_spent(small, clean, tmp_path):
    # Heavy queries take 1.5 s (GitHub gives up at 10 s); our read timeout is 0.5 s.
    faults = Faults(graphql_heavy_nodes=3_000, graphql_heavy_answer="504", graphql_heavy_delay=1.5)
    with FakeGitHub(repos=[small], tokens={TOKEN}, faults=faults) as gh:
        result = run(config(gh, tmp_path / "s", read_timeout=0.5))
        assert gh.stats.violations == 0
        charged = gh.graphql.stats.points
    assert_same_bytes(tmp_path / "s", clean)
    stats = result.manifest["graphql"]
    assert stats["heavy"] > 0 and stats["page_size"] < DEFAULT_PAGE
    # Timed-out queries are counted at their computed cost, as the server charged them.
    assert stats["points"] == charged


def test_a_pr_deleted_after_the_listing_is_a_refusal_and_the_run_finishes(tmp_path):
    # Issue 10's robustness through GraphQL: the PR comes back null with NOT_FOUND; after the
    # retries it is left out and recorded, as REST's 404 after the listing.
    repo = generate_repo(REPO, n_prs=12, seed=31)
    gone = sorted(p["number"] for p in repo.pulls)[5]
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:

        def delete_once_listed(progress: Any) -> None:
            # The first "pulls" report comes after the listing, before any PR query is sent.
            if progress.phase == "pulls" and gone in {p["number"] for p in repo.pulls}:
                with gh.mutate() as m:
                    m.delete_pr(gone)

        result = run(config(gh, tmp_path / "s", max_retries=2), delete_once_listed)
        assert gh.stats.violations == 0
    numbers = {r["number"] for r in pq.read_table(tmp_path / "s" / "pull_requests.parquet").to_pylist()}
    assert gone not in numbers and len(numbers) == 11
    assert result.refusals == [
        {
            "repo": REPO,
            "number": gone,
            "endpoint": "graphql-details",
            "target": f"/repos/{REPO}/pulls/{gone}",
            "status": 404,
            "reason": "not found through GraphQL (3 tries)",
            "effect": "pull request left out (deleted or hidden after the listing)",
        }
    ]
    assert json.loads((tmp_path / "s" / "manifest.json").read_text())["refusals"] == result.refusals
    for name in PR_TABLES:
        rows = pq.read_table(tmp_path / "s" / f"{name}.parquet").to_pylist()
        assert all(r.get("number", r.get("pr_number")) != gone for r in rows), name
    # The end summary and snapshot info show the refusal beside the GraphQL cost, in text and
    # in --json.
    said = summary(result)
    assert "  graphql: " in said and f"    {REPO}#{gone} graphql-details: 404 not found" in said
    data = summary_data(result)
    assert data["refusals"] == result.refusals and data["api"] == "graphql"
    assert data["redirects"] == [] and data["unicode_repairs"] == 0
    json.dumps(data)

    text = CliRunner().invoke(cli, ["snapshot", "info", str(tmp_path / "s")])
    assert text.exit_code == 0, text.output
    assert "refused      1 resources" in text.output and f"{REPO}#{gone} graphql-details" in text.output
    assert "api          graphql: " in text.output and " points (" in text.output
    data = json.loads(CliRunner().invoke(cli, ["snapshot", "info", str(tmp_path / "s"), "--json"]).output)
    assert data["refusals"] == result.refusals and data["api"] == "graphql"
    assert data["graphql"]["points"] == result.manifest["graphql"]["points"] > 0


def test_text_that_is_not_valid_unicode_is_repaired_through_graphql(tmp_path):
    repo = generate_repo(REPO, n_prs=8, seed=27)
    pull = repo.pulls[-1]
    n = pull["number"]
    pull["title"] = "Fix launch crash \ud83d"
    repo.pull_details[n]["title"] = pull["title"]
    reviewed = next(k for k, v in repo.reviews.items() if v)
    repo.reviews[reviewed][0]["body"] = "LGTM \udc00 ship it"
    with_commits = next(k for k, v in repo.commits.items() if v)
    sha = repo.commits[with_commits][0]["sha"]
    repo.commits[with_commits][0]["commit"]["message"] = "\ud800 broken"
    repo.commit_detail[sha]["commit"]["message"] = "\ud800 broken"
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        result = run(config(gh, tmp_path / "s"))
        assert gh.stats.violations == 0
    out = tmp_path / "s"
    prs = {r["number"]: r for r in pq.read_table(out / "pull_requests.parquet").to_pylist()}
    assert prs[n]["title"] == "Fix launch crash \ufffd"
    reviews = [r for r in pq.read_table(out / "reviews.parquet").to_pylist() if r["pr_number"] == reviewed]
    assert "LGTM \ufffd ship it" in {r["body"] for r in reviews}
    commit = next(r for r in pq.read_table(out / "commits.parquet").to_pylist() if r["sha"] == sha)
    assert commit["message"] == "\ufffd broken"
    # One string per answer that carried it: the title, the review body, the commit message.
    assert result.unicode_repairs == 3
    assert json.loads((out / "manifest.json").read_text())["unicode_repairs"] == 3


def test_failures_that_persist_stop_with_the_retriable_exit_code(tmp_path):
    # Every query answers 502 (too heavy for GitHub): after the retries the run stops with exit
    # 75 (EX_TEMPFAIL, errors.RetriableError), keeps its work folder, and says to --resume.
    faults = Faults(graphql_heavy_nodes=1, graphql_heavy_answer="502")
    with FakeGitHub(repos=[generate_repo(REPO, n_prs=5, seed=3)], tokens={TOKEN}, faults=faults) as gh:
        args = [
            "extract",
            "--repo",
            REPO,
            "--api",
            "graphql",
            "--api-url",
            gh.url,
            "--out",
            str(tmp_path / "s"),
        ]
        args += ["--max-retries", "1", "--quiet"]
        result = CliRunner().invoke(cli, args, env={"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""})
        assert gh.stats.violations == 0
    assert result.exit_code == 75, result.output
    assert "--resume" in result.output and "HTTP 502" in result.output
    assert not (tmp_path / "s").exists()


def test_moved_repository_is_resolved_through_rest_then_queried_by_its_new_name(tmp_path):
    # GitHub's GraphQL answers NOT_FOUND for a renamed repository's old name; REST redirects it.
    from tests.fakegithub import Quirks

    moved_repo = generate_repo(REPO, n_prs=8, seed=23)
    quirks = Quirks(moved={"octo-org/old-name": REPO})
    out = tmp_path / "moved"
    with FakeGitHub(repos=[moved_repo], tokens={TOKEN}, quirks=quirks) as gh:
        args = ["extract", "--repo", "octo-org/old-name", "--out", str(out), "--api-url", gh.url]
        args += ["--since", "2020-01-01", "--batch-delay", "0", "--points-per-minute", "100000", "--quiet"]
        result = CliRunner().invoke(cli, args, env={"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""})
        assert result.exit_code == 0, result.output
        assert gh.stats.violations == 0
    data = json.loads((out / "manifest.json").read_text())
    assert data["api"] == "graphql"
    moved = [
        {"from": "/repos/octo-org/old-name", "to": f"/repositories/{moved_repo.repo['id']}", "status": 301}
    ]
    assert data["redirects"] == moved
    prs = pq.read_table(out / "pull_requests.parquet").to_pylist()
    assert sorted(r["number"] for r in prs) == sorted(p["number"] for p in moved_repo.pulls)
    assert {r["repo"] for r in prs} == {"octo-org/old-name"}  # the name the user asked for
    assert data["requests"]["by_kind"]["repository"] == 2  # the 301 and the moved repository's answer
