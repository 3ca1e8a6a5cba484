"""The extractor finishes on GitHub's real answers (issue 10), through the real CLI.

Each kind is a fake-GitHub quirk: moved repositories (301/302/307), one resource refused for
good, rate limits in other words, pages the server cannot build, text that is not valid Unicode,
lists that move while they are paged. Every case first stops half-way (GitHub keeps failing on
one request: exit 75, "try again with --resume"), then finishes with ``--resume``; its snapshot
holds the stated values, passes ``prseed snapshot verify``, the transform and the load.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prseed.extract import ExtractConfig, github, run
from prseed.extract.workdir import work_dir

from prseed import load, transform
from prseed.cli import cli
from prseed.errors import TransientError
from prseed.registry import adhoc_project
from tests.fakegithub import (
    FakeGitHub,
    Faults,
    Override,
    Quirks,
    generate_repo,
    pushed_down,
    updated_between_pages,
)
from tests.fakegithub.quirks import chain

TOKEN = "fake-answers-token-0123456789"
REPO = "octo-org/demo"
TOO_LARGE = (
    "The history or contributor list is too large to list contributors for this repository via the API."
)
DIFF_TIMEOUT = {
    "message": "Server Error: Sorry, this diff is taking too long to generate.",
    "errors": [{"resource": "Commit", "field": "diff", "code": "not_available"}],
    "documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit",
    "status": "422",
}
ABUSE = "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."


def table(out: Path, name: str) -> list[dict[str, Any]]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text())


def cli_extract(gh: FakeGitHub, out: Path, *extra: str, resume: bool = False) -> Any:
    # These are REST's answers (the CLI's default with a token is GraphQL): GraphQL's own
    # kinds are in tests/test_extract_graphql.py.
    args = [
        "extract",
        "--api",
        "rest",
        *extra,
        "--out",
        str(out),
        "--api-url",
        gh.url,
        "--since",
        "2020-01-01",
        "--batch-size",
        "3",
        "--batch-delay",
        "0",
        "--points-per-minute",
        "100000",
        "--max-retries",
        "2",
        "--quiet",
    ]
    if resume:
        args.append("--resume")
    return CliRunner().invoke(cli, args, env={"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""})


def interrupt_on_last_reviews(repo) -> Override:
    """GitHub keeps failing the reviews of the newest PR (the last batch): the run stops there."""
    last = max(p["number"] for p in repo.pulls)
    return Override(rf"/pulls/{last}/reviews$", 502, {"message": "Server Error"})


def stop_then_resume(gh: FakeGitHub, out: Path, interrupt: Override, *extra: str) -> Any:
    """Run until ``interrupt`` stops the run (exit 75), lift it, finish with --resume (exit 0)."""
    gh.quirks.overrides.insert(0, interrupt)
    first = cli_extract(gh, out, *extra)
    assert first.exit_code == 75, first.output
    assert "try again" in first.output and "--resume" in first.output
    assert work_dir(out).exists() and not out.exists()
    interrupt.times = interrupt.used
    second = cli_extract(gh, out, *extra, resume=True)
    assert second.exit_code == 0, second.output
    assert gh.stats.violations == 0, gh.stats.violation_log[:3]
    assert TOKEN not in first.output + second.output
    return second


def downstream(out: Path, tmp_path: Path, schema_url: str) -> None:
    """The snapshot passes `prseed snapshot verify`, `snapshot info`, the transform and the load."""
    verify = CliRunner().invoke(cli, ["snapshot", "verify", str(out)])
    assert verify.exit_code == 0, verify.output
    build = tmp_path / "build"
    transform.run(transform.TransformConfig(snapshot_dir=out, out_dir=build))
    load.run(load.LoadConfig(build_dirs=(build,), database_url=schema_url, create_schema=False))


def test_moved_repository_is_followed_and_recorded(tmp_path, schema_url):
    repo = generate_repo(REPO, n_prs=10, seed=21)
    quirks = Quirks(moved={"octo-org/old-name": REPO})
    out = tmp_path / "moved"
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks) as gh:
        result = stop_then_resume(gh, out, interrupt_on_last_reviews(repo), "--repo", "octo-org/old-name")
        redirected = gh.stats.by_status.get(301, 0)
    prs = table(out, "pull_requests")
    assert sorted(r["number"] for r in prs) == sorted(p["number"] for p in repo.pulls)
    assert {r["repo"] for r in prs} == {"octo-org/old-name"}  # the name the user asked for
    assert len(table(out, "commits")) == sum(len(c) for c in repo.commits.values())
    moved = [{"from": "/repos/octo-org/old-name", "to": f"/repositories/{repo.repo['id']}", "status": 301}]
    assert manifest(out)["redirects"] == moved
    # A permanent move is remembered: one redirect in the first run (its listing), at most one
    # per worker in the resumed one (its first requests go out together), not one per request.
    assert 2 <= redirected <= 4
    assert "redirect" in result.output
    info = CliRunner().invoke(cli, ["snapshot", "info", str(out)])
    assert "/repos/octo-org/old-name -> /repositories/" in info.output
    downstream(out, tmp_path, schema_url)


@pytest.mark.parametrize("status", [302, 307])
def test_temporary_redirects_are_followed_every_time(tmp_path, status):
    repo = generate_repo(REPO, n_prs=4, seed=22)
    quirks = Quirks(moved={"octo-org/old-name": REPO}, redirect_status=status)
    out = tmp_path / "moved"
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks) as gh:
        result = cli_extract(gh, out, "--repo", "octo-org/old-name", "--no-commit-stats")
        assert result.exit_code == 0, result.output
        assert gh.stats.by_status.get(status, 0) > 4  # not remembered: every request is redirected
    assert len(table(out, "pull_requests")) == 4
    assert [r["status"] for r in manifest(out)["redirects"]] == [status]


def test_a_redirect_to_another_host_is_not_followed_with_the_token(tmp_path):
    repo = generate_repo(REPO, n_prs=3, seed=23)
    quirks = Quirks(moved={"octo-org/old-name": REPO}, redirect_host="127.0.0.2:9")
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks) as gh:
        result = cli_extract(gh, tmp_path / "s", "--repo", "octo-org/old-name")
    assert result.exit_code == 8
    assert "redirected" in result.output and "refusing to send the token" in result.output
    assert TOKEN not in result.output and not (tmp_path / "s").exists()


def test_refused_resources_are_recorded_and_the_run_finishes(tmp_path, schema_url):
    repo = generate_repo(REPO, n_prs=12, seed=24)
    empty = generate_repo("octo-org/empty", empty=True, seed=3)
    by_files = sorted(repo.pulls, key=lambda p: len(repo.files[p["number"]]))
    gone, no_files = by_files[-1]["number"], by_files[-2]["number"]  # a deleted PR; a diff too big
    no_runs = next(p for p in repo.pulls if repo.check_runs.get(p["head"]["sha"]) and p["number"] != gone)
    with_commits = [
        p["number"] for p in repo.pulls if p["number"] not in (gone,) and repo.commits[p["number"]]
    ]
    slow_sha = repo.commits[with_commits[0]][0]["sha"]
    empty_sha = repo.commits[with_commits[1]][-1]["sha"]
    quirks = Quirks(
        overrides=[
            Override(r"/demo/contributors$", 403, {"message": TOO_LARGE, "status": "403"}),
            Override(rf"/commits/{slow_sha}$", 422, DIFF_TIMEOUT),
            Override(
                rf"/commits/{empty_sha}$", 409, {"message": "Git Repository is empty.", "status": "409"}
            ),
            Override(rf"/pulls/{gone}(/.*)?$", 404, {"message": "Not Found", "status": "404"}),
            Override(
                rf"/pulls/{no_files}/files$",
                422,
                {"message": "Sorry, the diff exceeded the maximum number of files (300)."},
            ),
            Override(rf"/commits/{no_runs['head']['sha']}/check-runs$", 404, {"message": "Not Found"}),
        ]
    )
    out = tmp_path / "refused"
    with FakeGitHub(repos=[repo, empty], tokens={TOKEN}, quirks=quirks) as gh:
        result = stop_then_resume(
            gh, out, interrupt_on_last_reviews(repo), "--repo", REPO, "--repo", "octo-org/empty"
        )

    prs = {r["number"]: r for r in table(out, "pull_requests")}
    assert sorted(prs) == sorted(p["number"] for p in repo.pulls if p["number"] != gone)
    for name in ("commits", "reviews", "files", "check_runs"):
        assert all(r["pr_number"] != gone for r in table(out, name)), name
    assert table(out, "contributors") == []
    commits = {r["sha"]: r for r in table(out, "commits")}
    assert (commits[slow_sha]["additions"], commits[slow_sha]["deletions"]) == (None, None)
    assert (commits[empty_sha]["additions"], commits[empty_sha]["deletions"]) == (None, None)
    other = next(s for s in commits if s not in (slow_sha, empty_sha))
    stats = repo.commit_detail[other]["stats"]
    assert (commits[other]["additions"], commits[other]["deletions"]) == (
        stats["additions"],
        stats["deletions"],
    )
    assert all(r["pr_number"] != no_files for r in table(out, "files"))
    detail = repo.pull_details[no_files]
    row = prs[no_files]
    assert (row["additions"], row["deletions"], row["changed_files"]) == (
        detail["additions"],
        detail["deletions"],
        detail["changed_files"],
    )
    assert row["files_truncated"]
    assert all(r["pr_number"] != no_runs["number"] for r in table(out, "check_runs"))

    entries = manifest(out)["refusals"]
    refusals = {(r["endpoint"], r["status"]): r for r in entries if r["number"] != gone}
    assert sorted(refusals) == [
        ("check-runs", 404),
        ("commit", 409),
        ("commit", 422),
        ("contributors", 403),
        ("pull-files", 422),
    ]
    assert refusals[("contributors", 403)]["reason"] == TOO_LARGE
    assert refusals[("commit", 422)]["reason"] == DIFF_TIMEOUT["message"]
    assert refusals[("commit", 422)]["effect"] == "commit additions/deletions stored as NULL"
    # A deleted PR answers 404 on each of its lists: recorded once.
    gone_entries = [r for r in entries if r["number"] == gone]
    assert len(gone_entries) == 1 and gone_entries[0]["status"] == 404
    # Whichever of its lists answered first (comment lists included) names the refusal.
    assert gone_entries[0]["endpoint"] in {spec.endpoint.kind for spec in github.PR_LISTS}
    assert "refused 6" in result.output and TOO_LARGE in result.output
    info = CliRunner().invoke(cli, ["snapshot", "info", str(out)])
    assert info.exit_code == 0 and "refused      6 resources" in info.output and "too large" in info.output
    downstream(out, tmp_path, schema_url)


LIMIT_WORDINGS = [
    (
        403,
        {
            "message": ABUSE,
            "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#abuse-rate-limits",
        },
    ),
    (
        403,
        {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
        },
    ),
    (429, {"message": "Too Many Requests"}),
]


@pytest.mark.parametrize(("status", "body"), LIMIT_WORDINGS)
def test_rate_limits_in_other_words_rest_and_retry(tmp_path, status, body):
    repo = generate_repo(REPO, n_prs=6, seed=25)
    # No retry-after: the token is blocked for the quiet period; anything sent on it meanwhile
    # is a violation. (The extractor rests secondary_min_wait: 60 s by default, 1 s here.)
    quirks = Quirks(overrides=[Override(r"/pulls/\d+/files$", status, body, times=1, blocks=0.8)])
    # Requests already on their way get the same 403, without retry-after either.
    faults = Faults(secondary_retry_after=None)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks, faults=faults) as gh:
        config = ExtractConfig(
            project=adhoc_project(REPO).manifest_block(),
            out_dir=tmp_path / "s",
            tokens=(TOKEN,),
            api_url=gh.url,
            batch_delay=0.0,
            points_per_minute=100_000,
            secondary_min_wait=1.0,
            max_retries=2,
            backoff_base=0.05,
            synthetic=True,
        )
        interrupt = interrupt_on_last_reviews(repo)
        gh.quirks.overrides.insert(0, interrupt)
        with pytest.raises(TransientError, match="--resume"):
            run(config)
        interrupt.times = interrupt.used
        result = run(dataclasses.replace(config, resume=True))
        assert gh.stats.violations == 0, gh.stats.violation_log[:3]
        assert gh.stats.rate_limited >= 1
    waits = result.manifest["waits"]["by_reason"]
    # One rest of about secondary_min_wait (as planned when the wait began): answers to the same
    # event are not repeats. Zero violations above is what proves nothing was sent meanwhile.
    assert waits["secondary"]["count"] == 1 and 0.9 <= waits["secondary"]["seconds"] <= 1.1
    assert len(table(tmp_path / "s", "files")) == sum(len(f) for f in repo.files.values())
    # The failed run's requests count too: 6 PRs' reviews, plus the ones GitHub kept failing.
    assert result.manifest["requests"]["by_kind"]["pull-reviews"] > 6


def test_pages_the_server_cannot_build_are_asked_smaller_and_the_cursor_survives(tmp_path, schema_url):
    repo = generate_repo(REPO, n_prs=130, seed=26)
    big = max(repo.pulls, key=lambda p: len(repo.files[p["number"]]))["number"]
    quirks = Quirks(
        overrides=[
            # The first page of the listing fails at 100 per page, every time.
            Override(r"/pulls$", 502, {"message": "Server Error"}, query=r"per_page=100"),
            Override(rf"/pulls/{big}/files$", 502, {"message": "Server Error"}, query=r"per_page=100"),
        ]
    )
    out = tmp_path / "pages"
    # The listing stops on its third page (GitHub refuses it once): the cursor is saved.
    interrupt = Override(
        r"/pulls$", 403, {"message": "Resource not accessible by integration"}, query=r"page=3"
    )
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks) as gh:
        gh.quirks.overrides.insert(0, interrupt)
        first = cli_extract(gh, out, "--repo", REPO, "--no-commit-stats")
        assert first.exit_code == 8, first.output
        cursor = json.loads((work_dir(out) / "checkpoint.json").read_text())["list_cursor"]
        assert "per_page=50" in cursor["url"] and "page=3" in cursor["url"]
        interrupt.times = interrupt.used
        gh.reset_stats()
        second = cli_extract(gh, out, "--repo", REPO, "--no-commit-stats", resume=True)
        assert second.exit_code == 0, second.output
        listing = [line for line in gh.stats.request_log if "/pulls?" in line]
        files = [line for line in gh.stats.request_log if f"/pulls/{big}/files" in line]
        assert gh.stats.violations == 0
    # The resumed listing starts at the saved page, at the page size that worked.
    assert "per_page=50" in listing[0] and "page=3" in listing[0]
    assert not any("per_page=100" in line for line in listing)
    assert any("per_page=50" in line and line.startswith("200") for line in files)
    prs = table(out, "pull_requests")
    assert sorted(r["number"] for r in prs) == sorted(p["number"] for p in repo.pulls)
    got = sorted(r["filename"] for r in table(out, "files") if r["pr_number"] == big)
    assert got == sorted(f["filename"] for f in repo.files[big])
    downstream(out, tmp_path, schema_url)


def test_text_that_is_not_valid_unicode_is_repaired_everywhere(tmp_path, schema_url):
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
    with_files = next(k for k, v in repo.files.items() if v)
    name = repo.files[with_files][0]["filename"]
    repo.files[with_files][0]["filename"] = "src/\udfff.py"
    out = tmp_path / "unicode"
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        result = stop_then_resume(
            gh, out, interrupt_on_last_reviews(repo), "--repo", REPO, "--no-commit-stats"
        )
    prs = {r["number"]: r for r in table(out, "pull_requests")}
    assert prs[n]["title"] == "Fix launch crash \ufffd"
    assert json.loads(prs[n]["raw"])["title"] == "Fix launch crash \ufffd"
    reviews = [r for r in table(out, "reviews") if r["pr_number"] == reviewed]
    assert reviews[0]["body"] == "LGTM \ufffd ship it" or any(
        r["body"] == "LGTM \ufffd ship it" for r in reviews
    )
    commit = next(r for r in table(out, "commits") if r["sha"] == sha)
    assert (
        commit["message"] == "\ufffd broken"
        and "\ufffd broken" in json.loads(commit["raw"])["commit"]["message"]
    )
    files = {r["filename"] for r in table(out, "files") if r["pr_number"] == with_files}
    assert "src/\ufffd.py" in files and name not in files
    # One string per answer that carried it: title, review body, commit message, file name.
    assert manifest(out)["unicode_repairs"] == 4
    assert "unicode repairs 4" in result.output
    downstream(out, tmp_path, schema_url)


def test_lists_that_move_while_paged_keep_the_later_copy(tmp_path, schema_url):
    repo = generate_repo(REPO, n_prs=14, seed=21)
    newest = sorted(repo.pulls, key=lambda p: p["created_at"], reverse=True)
    newcomer = copy.deepcopy(newest[0])
    newcomer["number"] = max(p["number"] for p in repo.pulls) + 1
    # Page 1 shows the 5th newest PR with an old title; page 2 starts with it again, as it is now.
    fifth = newest[4]["number"]
    runs_pr = next(p for p in newest[:8] if len(repo.check_runs.get(p["head"]["sha"], [])) >= 2)

    def in_progress(run: dict[str, Any]) -> dict[str, Any]:
        return {**run, "status": "in_progress", "conclusion": None, "completed_at": None}

    def old_title(pull: dict[str, Any]) -> dict[str, Any]:
        return {**pull, "title": "an older title"}

    quirks = Quirks(
        page_caps={"pulls-list": 5, "check-runs": 1},
        list_hook=chain(
            pushed_down("pulls-list", 2, newcomer, stale=old_title),
            updated_between_pages("check-runs", 1, in_progress),
        ),
    )
    out = tmp_path / "moving"
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks) as gh:
        stop_then_resume(
            gh, out, interrupt_on_last_reviews(repo), "--repo", REPO, "--max-prs", "8", "--no-commit-stats"
        )
    prs = {r["number"]: r for r in table(out, "pull_requests")}
    assert sorted(prs) == sorted(p["number"] for p in newest[:8])
    assert prs[fifth]["title"] == newest[4]["title"]
    runs = [r for r in table(out, "check_runs") if r["pr_number"] == runs_pr["number"]]
    want = repo.check_runs[runs_pr["head"]["sha"]]
    assert sorted((r["id"], r["status"], r["conclusion"]) for r in runs) == sorted(
        (c["id"], c["status"], c["conclusion"]) for c in want
    )
    downstream(out, tmp_path, schema_url)


def test_faults_and_quirks_together_still_give_an_exact_snapshot(tmp_path):
    """The old fault modes on top of a moved repository: exact and without violations."""
    repo = generate_repo(REPO, n_prs=12, seed=28)
    quirks = Quirks(moved={"octo-org/old-name": REPO})
    faults = Faults(server_error_every=11, reset_every=17, secondary_every=29, secondary_retry_after=1)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks, faults=faults) as gh:
        result = cli_extract(gh, tmp_path / "s", "--repo", "octo-org/old-name", "--no-commit-stats")
        assert result.exit_code == 0, result.output
        assert gh.stats.violations == 0
    assert len(table(tmp_path / "s", "pull_requests")) == 12


def test_summary_and_messages_count_what_was_spent(tmp_path):
    # Issue 12 §4: a resumed run re-asks the commit stats of the batch the interruption lost;
    # the summary says so instead of "122 commit-stats calls for 99 commits" unexplained.
    repo = generate_repo(REPO, n_prs=9, seed=27)
    out = tmp_path / "s"
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        second = stop_then_resume(gh, out, interrupt_on_last_reviews(repo), "--repo", REPO)
        calls = manifest(out)["requests"]["by_kind"]["commit"]
        commits = len(table(out, "commits"))
        assert calls > commits  # the lost batch's commits were asked twice
        assert (
            f"{calls} commit-stats calls for {commits} commits, {calls - commits} of them retries"
            in second.output
        )
        # --max-retries 0: one attempt, no retries (not "after 1 retries").
        gh.quirks.overrides.insert(0, Override(r"/pulls$", 502, {"message": "Server Error"}))
        args = ["extract", "--api", "rest", "--repo", REPO, "--out", str(tmp_path / "t"), "--api-url", gh.url]
        args += ["--since", "2020-01-01", "--points-per-minute", "100000", "--max-retries", "0"]
        none = CliRunner().invoke(cli, args, env={"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""})
        assert none.exit_code == 75 and "after 1 attempt (no retries)" in none.output, none.output
    # The ad-hoc banner gives the window this run takes, not the defaults.
    banner = CliRunner().invoke(
        cli,
        ["extract", "--repo", REPO, "--max-prs", "40", "--since", "2020-01-01", "--dry-run", "--api", "rest"],
        env={"GITHUB_TOKEN": "", "GITHUB_SEEDING_TOKENS": ""},
    )
    assert "max 40 PRs per repository, since 2020-01-01" in banner.output, banner.output


def test_quirks_are_switched_on_from_the_fake_githubs_command_line(tmp_path):
    import signal
    import subprocess
    import sys

    help_text = subprocess.run(
        [sys.executable, "-m", "tests.fakegithub", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    for name in ("moved", "refusals", "abuse-limit", "bad-pages", "moving-lists", "surrogates"):
        assert name in help_text
    args = ["--port", "0", "--prs", "8", "--token", TOKEN, "--anchor", "2026-01-01"]
    args += ["--quirk", "moved", "--quirk", "refusals", "--quirk", "surrogates"]
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegithub", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = [server.stdout.readline() for _ in range(5)]
        url = banner[0].rsplit(" at ", 1)[1].strip()
        assert any(line.startswith("quirk moved: ") for line in banner), banner
        assert any(line.startswith("quirk surrogates: ") for line in banner), banner
        out = tmp_path / "q"
        args = [
            "extract",
            "--api",
            "rest",
            "--repo",
            "octo-org/old-demo",
            "--out",
            str(out),
            "--api-url",
            url,
        ]
        args += ["--since", "2020-01-01", "--points-per-minute", "100000", "--batch-delay", "0", "--quiet"]
        result = CliRunner().invoke(cli, args, env={"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""})
        assert result.exit_code == 0, result.output
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    data = manifest(out)
    assert [r["from"] for r in data["redirects"]] == ["/repos/octo-org/old-demo"]
    assert {r["endpoint"] for r in data["refusals"]} >= {"contributors", "pull-files"}
    assert data["unicode_repairs"] >= 2
