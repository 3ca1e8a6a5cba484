"""The extract stage against the fake GitHub over real HTTP: exact snapshots, faults, errors."""

import json
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prseed.extract import ExtractConfig, http, run
from prseed.extract.github import PR_LISTS, fetch_list
from prseed.extract.governor import Governor
from prseed.extract.http import Client
from prseed.extract.workdir import output_lock, work_dir

from prseed.cli import cli
from prseed.contracts import ALL_SNAPSHOT_TABLES, verify_dataset
from prseed.errors import AuthError, LockError, NotFoundError
from prseed.registry import adhoc_project
from tests.fakegithub import FakeGitHub, Faults, generate_repo

# The fake's handler writes headers and body separately; without TCP_NODELAY every answer
# waits ~40 ms for a delayed ACK. Reported to the fake's owner; harmless for the semantics.

TOKEN = "fake-extract-token-0123456789"
REPO = "octo-org/demo"


@pytest.fixture(scope="module")
def repo():
    return generate_repo(REPO, n_prs=50, seed=11)


def config(gh, out: Path, **kw) -> ExtractConfig:
    base = dict(
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
    )
    base.update(kw)
    return ExtractConfig(**base)


def strip(value):
    if isinstance(value, dict):
        return {
            k: strip(v)
            for k, v in value.items()
            if not (k == "url" or k.endswith("_url") or k in ("_links", "patch"))
        }
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


# What GitHub changes without the PR's updated_at (README, "What a refresh cannot see"): not in raw.
_APP = ("updated_at", "description", "permissions", "events", "installations_count")


def unvolatile(obj, table):
    obj = json.loads(json.dumps(obj))
    if table == "pull_requests":
        obj["base"].pop("repo", None)
        obj["head"].pop("repo", None)
        for key in (
            "open_issues",
            "closed_issues",
            "updated_at",
            "state",
            "closed_at",
            "due_on",
            "description",
        ):
            (obj.get("milestone") or {}).pop(key, None)
        for label in obj.get("labels") or []:
            for key in ("color", "description", "default"):
                label.pop(key, None)
    if table in ("review_comments", "issue_comments"):
        obj.pop("reactions", None)
        for key in _APP:
            (obj.get("performed_via_github_app") or {}).pop(key, None)
    return obj


def canon(obj, table=""):
    return json.dumps(
        strip(unvolatile(obj, table)), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def table(out: Path, name: str):
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def assert_exact(out: Path, repo, commit_stats=True, comments=True):
    """The snapshot holds exactly what the generated repository holds."""
    verify_dataset(out, "snapshot")
    prs = table(out, "pull_requests")
    assert [(r["repo"], r["number"]) for r in prs] == sorted((REPO, p["number"]) for p in repo.pulls)
    by_number = {p["number"]: p for p in repo.pulls}
    for row in prs:
        n = row["number"]
        assert row["raw"] == canon(by_number[n], "pull_requests")
        assert row["title"] == by_number[n]["title"]
        detail = repo.pull_details[n]
        assert (row["additions"], row["deletions"], row["changed_files"], row["commits_count"]) == (
            detail["additions"],
            detail["deletions"],
            detail["changed_files"],
            detail["commits"],
        )
        assert row["commits_truncated"] == (len(repo.commits[n]) > 250)
    commits = table(out, "commits")
    expected = sorted((REPO, n, c["sha"]) for n in by_number for c in repo.commits[n][:250])
    assert [(r["repo"], r["pr_number"], r["sha"]) for r in commits] == expected
    for row in commits:
        stats = repo.commit_detail[row["sha"]]["stats"]
        want = (stats["additions"], stats["deletions"]) if commit_stats else (None, None)
        assert (row["additions"], row["deletions"]) == want
    reviews = table(out, "reviews")
    assert [(r["pr_number"], r["id"]) for r in reviews] == sorted(
        (n, r["id"]) for n in by_number for r in repo.reviews[n]
    )
    files = table(out, "files")
    assert [(r["pr_number"], r["filename"]) for r in files] == sorted(
        (n, f["filename"]) for n in by_number for f in repo.files[n][:3000]
    )
    runs = table(out, "check_runs")
    assert [(r["pr_number"], r["id"]) for r in runs] == sorted(
        (n, c["id"]) for n, p in by_number.items() for c in repo.check_runs.get(p["head"]["sha"], [])
    )
    contributors = table(out, "contributors")
    assert [r["login"] for r in contributors] == sorted(c["login"] for c in repo.contributors)
    if comments:
        for name, source in (
            ("review_comments", repo.review_comments),
            ("issue_comments", repo.issue_comments),
        ):
            got = table(out, name)
            want = sorted(((n, c["id"]), c) for n in by_number for c in source.get(n, []))
            assert [((r["pr_number"], r["id"]), r["raw"]) for r in got] == [
                (k, canon(c, name)) for k, c in want
            ], name
            assert got, f"the generated repo has {name}"
    else:
        assert not (out / "review_comments.parquet").exists()
        assert not (out / "issue_comments.parquet").exists()


def test_exact_snapshot_zero_violations_and_deterministic(repo, tmp_path):
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        first = run(config(gh, tmp_path / "a"))
        assert gh.stats.violations == 0
        run(config(gh, tmp_path / "b", max_workers=1))
    assert_exact(tmp_path / "a", repo)
    for name, entry in first.manifest["tables"].items():
        assert (tmp_path / "a" / entry["file"]).read_bytes() == (
            tmp_path / "b" / entry["file"]
        ).read_bytes(), name
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["completed"] and manifest["synthetic"]
    assert manifest["truncated_prs"] == [
        {"repo": REPO, "number": n, "commits": True, "files": False}
        for n in sorted(n for n, c in repo.commits.items() if len(c) > 250)
    ]
    assert manifest["truncated_prs"], "the generated repo has a PR with > 250 commits"
    # Economy: 6 calls per PR (4 lists, 2 comment lists) plus extra pages, one per commit, contributors
    # and profiles (spread over only 50 PRs here).
    assert first.requests_per_pr <= 6.6
    assert not work_dir(tmp_path / "a").exists()


FAULTS = {
    "primary-403": (Faults(core_limit=150, reset_seconds=1.5), 3),
    "primary-429": (Faults(core_limit=150, reset_seconds=1.5, primary_status=429), 3),
    "secondary-retry-after": (Faults(secondary_every=97, secondary_retry_after=1), 3),
    "secondary-429-quiet": (
        Faults(
            secondary_every=97, secondary_status=429, secondary_retry_after=None, secondary_quiet_seconds=0.8
        ),
        3,
    ),
    "concurrency": (Faults(max_concurrency=3), 3),
    "server-errors": (Faults(server_error_every=13, server_error_status=502), 3),
    "503": (Faults(server_error_every=17, server_error_status=503), 3),
    "connection-resets": (Faults(reset_every=19), 3),
    "truncated-bodies": (Faults(truncate_every=23), 3),
    "slow": (Faults(slow_every=40, slow_seconds=0.3), 3),
}


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_exact_snapshot_in_every_fault_mode(mode, tmp_path):
    faults, workers = FAULTS[mode]
    small = generate_repo(REPO, n_prs=40, seed=5)
    with FakeGitHub(repos=[small], tokens={TOKEN}, faults=faults) as gh:
        result = run(config(gh, tmp_path / "s", max_workers=workers, read_timeout=5))
        assert gh.stats.violations == 0, gh.stats.violation_log[:5]
        hit = sum(gh.stats.faults.values()) + gh.stats.rate_limited
    assert_exact(tmp_path / "s", small)
    if mode != "concurrency":
        if mode.startswith("primary"):
            assert result.waits > 0  # the governor waited for the reset instead of being refused
        elif mode == "slow":
            assert hit > 0
        else:
            assert hit > 0 and result.retries > 0


def test_token_pool_with_one_token_spent_waits_for_nothing(tmp_path):
    small = generate_repo(REPO, n_prs=20, seed=3)
    spent, fresh = "ghp_spent_token", "ghp_fresh_token"
    with FakeGitHub(
        repos=[small], tokens={spent, fresh}, faults=Faults(core_limit=400, reset_seconds=3600)
    ) as gh:
        import requests

        session = requests.Session()
        for _ in range(400):
            session.get(gh.url + f"/repos/{REPO}", headers={"Authorization": f"Bearer {spent}"})
        gh.reset_stats()
        result = run(config(gh, tmp_path / "s", tokens=(spent, fresh)))
        assert gh.stats.violations == 0 and gh.stats.rate_limited == 0
    assert result.waits == 0
    assert_exact(tmp_path / "s", small)


def test_conditional_requests_are_answered_from_the_etag_cache(repo, monkeypatch):
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        client = Client(gh.url, (TOKEN,), Governor(1, points_per_minute=10**6))
        reviews = next(spec.endpoint for spec in PR_LISTS if spec.table == "reviews")
        first = fetch_list(client, reviews, REPO, "pull request", number=1)
        again = fetch_list(client, reviews, REPO, "pull request", number=1)
        assert first == again == repo.reviews[1]
        assert client.counters.not_modified == 1
        # A 304 comes without a Link header: the cached page's links keep the paging going.
        monkeypatch.setattr(http, "ETAG_BODY_MAX", 1 << 24)  # keep the large commit pages
        client = Client(gh.url, (TOKEN,), Governor(1, points_per_minute=10**6), etag_cache_bytes=1 << 24)
        commits = next(spec.endpoint for spec in PR_LISTS if spec.table == "commits")
        big = max(repo.commits, key=lambda n: len(repo.commits[n]))
        assert len(repo.commits[big]) > 100
        first = fetch_list(client, commits, REPO, "pull request", number=big)
        again = fetch_list(client, commits, REPO, "pull request", number=big)
        assert first == again and len(again) == min(250, len(repo.commits[big]))
        assert client.counters.not_modified >= 2
        settle(gh)
        assert gh.stats.not_modified == 1 + client.counters.not_modified


def settle(gh) -> None:
    """Wait until the fake has booked every answer: it sends a 304's headers before counting it."""
    for _ in range(500):
        if gh.stats.inflight == 0:
            return
        time.sleep(0.01)


def test_ghes_prefix_and_no_commit_stats(repo, tmp_path):
    with FakeGitHub(repos=[repo], tokens={TOKEN}, prefix="/api/v3") as gh:
        assert gh.url.endswith("/api/v3")
        result = run(config(gh, tmp_path / "s", commit_stats=False))
    assert_exact(tmp_path / "s", repo, commit_stats=False)
    assert "commit" not in result.requests_by_kind


def test_window_and_max_prs_stop_paging_early(repo, tmp_path):
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        result = run(config(gh, tmp_path / "s", max_prs=7, commit_stats=False))
    prs = table(tmp_path / "s", "pull_requests")
    newest = sorted(repo.pulls, key=lambda p: p["created_at"], reverse=True)[:7]
    assert sorted(r["number"] for r in prs) == sorted(p["number"] for p in newest)
    assert result.requests_by_kind["pulls-list"] == 1


def test_401_and_404_are_clear_and_leave_nothing(repo, tmp_path):
    out = tmp_path / "s"
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        with pytest.raises(AuthError, match=r"401 Bad credentials\): check GITHUB_TOKEN"):
            run(config(gh, out, tokens=("ghp_wrong",)))
        with pytest.raises(NotFoundError, match="repository octo-org/nope"):
            run(config(gh, out, project=adhoc_project("octo-org/nope").manifest_block(), fresh=True))
    assert not out.exists()


def test_lock_makes_a_second_run_fail_at_once(repo, tmp_path):
    out = tmp_path / "s"
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh, output_lock(out):
        with pytest.raises(LockError, match="another prseed extract"):
            run(config(gh, out))
        assert gh.stats.requests == 0


def test_cli_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_SEEDING_TOKENS", raising=False)
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["extract", "no-such-project"])
    assert result.exit_code == 2 and "unknown project 'no-such-project'" in result.output
    result = runner.invoke(cli, ["extract", "--repo", REPO, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "GITHUB_TOKEN" in result.output
    result = runner.invoke(cli, ["extract", "polar", "--dry-run"])
    assert result.exit_code == 2 and "GITHUB_TOKEN" in result.output  # refused as the run is
    result = runner.invoke(cli, ["extract", "polar", "--dry-run"], env={"GITHUB_TOKEN": "ghp_dry_run_only"})
    assert result.exit_code == 0 and "polarsource/polar" in result.output


def test_cli_extract_summary_and_unfinished_work_folder(tmp_path, monkeypatch):
    # The CLI paces at GitHub's 900 requests per minute: keep this repository tiny.
    repo = generate_repo(REPO, n_prs=12, seed=4)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    out = tmp_path / "snap"
    work_dir(out).mkdir(parents=True)
    (work_dir(out) / "checkpoint.json").write_text("{}")
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        args = [
            "extract",
            "--repo",
            REPO,
            "--out",
            str(out),
            "--api-url",
            gh.url,
            "--batch-delay",
            "0",
            "--no-commit-stats",
            "--since",
            "2020-01-01",
        ]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "use --resume" in result.output and "--fresh" in result.output
        result = CliRunner().invoke(cli, [*args, "--fresh"])
    assert result.exit_code == 0, result.output
    assert "PRs 12," in result.output and "requests" in result.output
    assert TOKEN not in result.output


def test_resume_after_sigkill_is_identical_and_redoes_at_most_one_batch(tmp_path):
    # The CLI paces at GitHub's 900 requests per minute: a small repo, no commit stats.
    small = generate_repo(REPO, n_prs=30, seed=9)
    env = {"GITHUB_TOKEN": TOKEN, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())}
    prseed = str(Path(".venv/bin/prseed").resolve())
    out = tmp_path / "killed"
    with FakeGitHub(repos=[small], tokens={TOKEN}, latency=0.004) as gh:
        run(config(gh, tmp_path / "clean", batch_size=3, commit_stats=False))
        clean_requests = gh.stats.requests
        gh.reset_stats()
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
            "rest",  # with a token GraphQL is the default; its own test is in test_extract_graphql.py
            "--batch-size",
            "3",
            "--batch-delay",
            "0",
            "--since",
            "2020-01-01",
            "--no-commit-stats",
            "--max-prs",
            "500",
            "--quiet",
        ]
        checkpoint = work_dir(out) / "checkpoint.json"
        for kill_after in (2, 6):  # done batches before each kill -9
            proc = subprocess.Popen(
                [*args, "--resume"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
            )
            while proc.poll() is None:
                try:
                    done = json.loads(checkpoint.read_text())["done_batches"]
                except (OSError, ValueError, KeyError):
                    done = []
                if len(done) >= kill_after:
                    proc.kill()
                    break
            proc.wait()
            assert proc.returncode == -9, proc.stderr.read().decode()
        final = subprocess.run([*args, "--resume"], env=env, capture_output=True, cwd=tmp_path)
        assert final.returncode == 0, final.stderr.decode()
        total = gh.stats.requests
        assert gh.stats.violations == 0
    for name in ALL_SNAPSHOT_TABLES:
        assert (out / f"{name}.parquet").read_bytes() == (tmp_path / "clean" / f"{name}.parquet").read_bytes()
    # Each kill may lose the batch that was running (and the process startup probe).
    biggest_batch = max_batch_requests(small, 3)
    assert total - clean_requests <= 2 * (biggest_batch + 1), (total, clean_requests)
    for text in (final.stdout, final.stderr):
        assert TOKEN.encode() not in text
    assert_no_token(tmp_path)


def max_batch_requests(repo, size):
    pulls = sorted(repo.pulls, key=lambda p: p["created_at"], reverse=True)
    best = 0
    for i in range(0, len(pulls), size):
        n = 0
        for p in pulls[i : i + size]:
            commits = min(len(repo.commits[p["number"]]), 250)
            n += 4 + max(commits - 1, 0) // 100 + max(len(repo.files[p["number"]]) - 1, 0) // 100 + 1
            for comments in (repo.review_comments, repo.issue_comments):
                n += 1 + max(len(comments.get(p["number"], [])) - 1, 0) // 100
        best = max(best, n)
    return best


def assert_no_token(root: Path):
    for path in root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_huge_pr_files_truncated(tmp_path):
    big = generate_repo(REPO, n_prs=50, seed=2, huge_pr=True)
    with FakeGitHub(repos=[big], tokens={TOKEN}) as gh:
        result = run(config(gh, tmp_path / "s", commit_stats=False))
    rows = {r["number"]: r for r in table(tmp_path / "s", "pull_requests")}
    huge = [n for n, f in big.files.items() if len(f) > 3000]
    assert huge and all(rows[n]["files_truncated"] for n in huge)
    assert all(rows[n]["changed_files"] == big.pull_details[n]["changed_files"] for n in huge)
    assert {(REPO, n) for n in huge} <= set(result.truncated_prs)
    assert_no_token(tmp_path)
