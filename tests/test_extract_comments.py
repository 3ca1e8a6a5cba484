"""Comments through the real CLI against the fake GitHub (REST and GraphQL alike).

Review comments (``/pulls/{n}/comments``; GraphQL: per review) and conversation comments
(``/issues/{n}/comments``; GraphQL: ``PullRequest.comments``) land in the version-2 snapshot's
``review_comments`` and ``issue_comments``; ``--no-comments`` keeps a version-1 snapshot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from prseed.cli import cli
from prseed.contracts import COMMENT_TABLES, table_key, verify_dataset
from tests.fakegithub import FakeGitHub, Override, Quirks, generate_repo

TOKEN = "fake-comments-token-0123456789"
REPO = "octo-org/talkative"


@pytest.fixture(scope="module")
def repo():
    # Three PRs with more than 100 review and/or conversation comments: every list is paged.
    return generate_repo(REPO, n_prs=50, seed=31, many_comments=True)


def extract(gh: FakeGitHub, out: Path, *extra: str) -> dict[str, Any]:
    """Run ``prseed extract`` (the click command) and return the snapshot's manifest."""
    args = ["extract", "--repo", REPO, "--api-url", gh.url, "--out", str(out), "--since", "2020-01-01"]
    args += ["--max-prs", "500", "--batch-delay", "0", "--no-commit-stats", "--quiet", *extra]
    result = CliRunner().invoke(cli, args, env={"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""})
    assert result.exit_code == 0, result.output
    assert gh.stats.violations == 0
    verify_dataset(out, "snapshot")
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    return manifest


def rows(out: Path, name: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    key = table_key("snapshot", name)
    return {tuple(r[k] for k in key): r for r in pq.read_table(out / f"{name}.parquet").to_pylist()}


def expected_ids(repo: Any, name: str) -> set[tuple[str, int, int]]:
    source = repo.review_comments if name == "review_comments" else repo.issue_comments
    return {(REPO, n, c["id"]) for n, comments in source.items() for c in comments}


@pytest.fixture(scope="module")
def both(repo, tmp_path_factory):
    root = tmp_path_factory.mktemp("comments")
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        rest = extract(gh, root / "rest", "--api", "rest")
        gql = extract(gh, root / "graphql", "--api", "graphql")
    return root, rest, gql


def test_both_apis_page_every_comment_list_and_agree_on_every_typed_column(repo, both):
    root, rest_manifest, gql_manifest = both
    paged = [n for n, c in repo.review_comments.items() if len(c) > 100]
    assert paged and [n for n, c in repo.issue_comments.items() if len(c) > 100], "many_comments"
    for manifest in (rest_manifest, gql_manifest):
        assert manifest["schema_version"] == 2 and set(COMMENT_TABLES) <= set(manifest["tables"])
        assert manifest["parameters"]["comments"] is True
    for name in COMMENT_TABLES:
        rest, gql = rows(root / "rest", name), rows(root / "graphql", name)
        assert set(rest) == expected_ids(repo, name), name
        assert rest.keys() == gql.keys(), name
        for key, r in rest.items():
            r, g = dict(r), dict(gql[key])
            # raw holds each side's API object: the REST comment vs the GraphQL node.
            assert json.loads(r.pop("raw"))["id"] == key[2]
            assert json.loads(g.pop("raw"))["fullDatabaseId"] == str(key[2])
            assert g == r, (name, key, {k for k in r if r[k] != g.get(k)})
    replies = [r for r in rows(root / "rest", "review_comments").values() if r["in_reply_to_id"]]
    assert replies, "the fake has replies: in_reply_to_id comes from GraphQL's replyTo"
    # Requests: 2 comment lists per PR plus the extra pages of the long lists.
    by_kind = rest_manifest["requests"]["by_kind"]
    prs = rest_manifest["tables"]["pull_requests"]["rows"]
    pages = sum(1 + (len(c) - 1) // 100 for c in repo.review_comments.values() if c) + sum(
        1 + (len(c) - 1) // 100 for c in repo.issue_comments.values() if c
    )
    empty = sum(1 for p in repo.pulls if not repo.review_comments.get(p["number"])) + sum(
        1 for p in repo.pulls if not repo.issue_comments.get(p["number"])
    )
    assert by_kind["pull-review-comments"] + by_kind["issue-comments"] == pages + empty
    assert prs == len(repo.pulls)
    assert gql_manifest["requests"]["by_kind"]["graphql-comments"] >= 1


def test_no_comments_keeps_a_version_1_snapshot_without_comment_requests(repo, tmp_path):
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        for api in ("rest", "graphql"):
            manifest = extract(gh, tmp_path / api, "--api", api, "--no-comments")
            assert manifest["schema_version"] == 1 and manifest["parameters"]["comments"] is False
            assert not set(COMMENT_TABLES) & set(manifest["tables"])
            for name in COMMENT_TABLES:
                assert not (tmp_path / api / f"{name}.parquet").exists()
            kinds = manifest["requests"]["by_kind"]
            assert not {"pull-review-comments", "issue-comments", "graphql-comments"} & set(kinds), kinds
    info = CliRunner().invoke(cli, ["snapshot", "info", str(tmp_path / "rest")])
    assert info.exit_code == 0, info.output


def test_a_refused_conversation_comment_list_is_a_refusal_and_the_rest_is_kept(repo, tmp_path):
    # "List issue comments" documents 410 Gone (issues disabled): the PR stays, without them.
    target = max(repo.issue_comments, key=lambda n: len(repo.issue_comments[n]))
    gone = {"message": "Issues are disabled for this repo", "documentation_url": "https://docs.github.com"}
    quirks = Quirks(overrides=[Override(rf"/issues/{target}/comments$", 410, gone)])
    with FakeGitHub(repos=[repo], tokens={TOKEN}, quirks=quirks) as gh:
        manifest = extract(gh, tmp_path / "s", "--api", "rest")
    refusals = manifest["refusals"]
    assert [(r["number"], r["endpoint"], r["status"]) for r in refusals] == [(target, "issue-comments", 410)]
    assert refusals[0]["target"] == f"/repos/{REPO}/issues/{target}/comments"
    assert "no conversation comments" in refusals[0]["effect"]
    issue = rows(tmp_path / "s", "issue_comments")
    assert set(issue) == {k for k in expected_ids(repo, "issue_comments") if k[1] != target}
    assert repo.issue_comments[target], "the refused list had comments"
    assert set(rows(tmp_path / "s", "review_comments")) == expected_ids(repo, "review_comments")
    prs = rows(tmp_path / "s", "pull_requests")
    assert (REPO, target) in prs
    info = CliRunner().invoke(cli, ["snapshot", "info", str(tmp_path / "s")])
    assert info.exit_code == 0 and "issue-comments" in info.output, info.output


def test_the_dry_run_counts_the_two_comment_lists_per_pr(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_SEEDING_TOKENS", raising=False)
    args = ["extract", "--repo", REPO, "--max-prs", "100", "--no-commit-stats", "--api", "rest", "--dry-run"]
    env = {"GITHUB_TOKEN": "ghp_dry_run_only"}  # a dry run for GitHub needs a token, as the run does
    with_comments = CliRunner().invoke(cli, args, env=env)
    without = CliRunner().invoke(cli, [*args, "--no-comments"], env=env)
    assert with_comments.exit_code == 0 and without.exit_code == 0, with_comments.output + without.output

    def estimate(output: str) -> int:
        line = next(x for x in output.splitlines() if "estimated requests" in x)
        return int(line.split("~")[1].split()[0])

    # 6 requests per PR with comments, 4 without: 200 more for 100 PRs.
    assert estimate(with_comments.output) - estimate(without.output) == 200
    assert "6 per PR with the 2 comment lists" in with_comments.output
