"""Tests of tests/fakegithub/mutate.py: a served repository changed between runs.

Every mutation is checked on both APIs, and against a sweep of every REST URL an extractor
reads: exactly the URLs whose body changed get a new ETag (a conditional GET of every other URL
is answered 304).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.fakegithub import FakeGitHub, GeneratedRepo, generate_repo
from tests.fakegithub.mutate import MutationError, Mutator
from tests.test_fakegithub_comments import as_graphql, graphql_issue_comments, graphql_review_comments

TOKEN = "ghp_valid_token_1"
REPO = "octo-org/demo"
OWNER, NAME = REPO.split("/")


@pytest.fixture()
def repo() -> GeneratedRepo:
    return generate_repo(REPO, n_prs=60, seed=5)


@pytest.fixture()
def gh(repo: GeneratedRepo) -> Iterator[FakeGitHub]:
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as server:
        yield server


def session() -> requests.Session:
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github+json"})
    return s


def gql(gh: FakeGitHub, query: str, **variables: Any) -> Any:
    r = requests.post(
        f"http://127.0.0.1:{gh.port}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"bearer {TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()


def urls_of(repo: GeneratedRepo) -> list[str]:
    """Every REST path an extractor reads for the repository as it is now."""
    base = f"/repos/{REPO}"
    out = [
        base,
        f"{base}/contributors?per_page=100",
        f"{base}/pulls?state=all&per_page=100",
        f"{base}/pulls?state=all&per_page=100&sort=updated&direction=desc",
    ]
    for n, d in repo.pull_details.items():
        out += [
            f"{base}/pulls/{n}",
            f"{base}/pulls/{n}/commits?per_page=100",
            f"{base}/pulls/{n}/files?per_page=100",
            f"{base}/pulls/{n}/reviews?per_page=100",
            f"{base}/pulls/{n}/comments?per_page=100",
            f"{base}/issues/{n}/comments?per_page=100",
            f"{base}/commits/{d['head']['sha']}/check-runs?per_page=100",
        ]
    return out


def sweep(gh: FakeGitHub, paths: list[str]) -> dict[str, str]:
    """path -> ETag (or "404" ...) of each path now."""
    s = session()
    out: dict[str, str] = {}
    for p in paths:
        r = s.get(gh.url + p, timeout=10)
        out[p] = r.headers["ETag"] if r.status_code == 200 else str(r.status_code)
    return out


def changed_after(gh: FakeGitHub, before: dict[str, str]) -> set[str]:
    """Paths whose answer differs from `before`; checks that every other one answers 304."""
    s = session()
    changed: set[str] = set()
    for p, tag in before.items():
        if tag.startswith('W/"'):
            r = s.get(gh.url + p, headers={"If-None-Match": tag}, timeout=10)
            if r.status_code == 304:
                assert r.headers["ETag"] == tag
                continue
            assert r.status_code != 200 or r.headers["ETag"] != tag
        else:
            r = s.get(gh.url + p, timeout=10)
            if str(r.status_code) == tag:
                continue
        changed.add(p)
    return changed


def pr_paths(n: int, *kinds: str) -> set[str]:
    base = f"/repos/{REPO}"
    table = {
        "pull": f"{base}/pulls/{n}",
        "commits": f"{base}/pulls/{n}/commits?per_page=100",
        "files": f"{base}/pulls/{n}/files?per_page=100",
        "reviews": f"{base}/pulls/{n}/reviews?per_page=100",
        "review-comments": f"{base}/pulls/{n}/comments?per_page=100",
        "issue-comments": f"{base}/issues/{n}/comments?per_page=100",
    }
    return {table[k] for k in kinds}


LISTS = {
    f"/repos/{REPO}/pulls?state=all&per_page=100",
    f"/repos/{REPO}/pulls?state=all&per_page=100&sort=updated&direction=desc",
}
PR_QUERY = """
query($owner: String!, $name: String!, $n: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $n) {
      id number title state updatedAt headRefOid mergedAt
      commits(first: 100) { totalCount nodes { commit { oid } } }
      reviews(first: 100) { totalCount nodes { databaseId state submittedAt author { login } } }
      reviewThreads(first: 100) { totalCount nodes { isOutdated comments(first: 100) { totalCount } } }
      comments(first: 100) { totalCount }
      statusCheckRollup { contexts(first: 100) { nodes { ... on CheckRun { databaseId name conclusion } } } }
    }
  }
}"""


def pr_graphql(gh: FakeGitHub, n: int) -> Any:
    body = gql(gh, PR_QUERY, owner=OWNER, name=NAME, n=n)
    assert "errors" not in body, body["errors"]
    return body["data"]["repository"]["pullRequest"]


def rest(gh: FakeGitHub, path: str) -> Any:
    r = session().get(f"{gh.url}/repos/{REPO}{path}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def oldest(repo: GeneratedRepo, state: str = "merged") -> int:
    for p in repo.pulls:
        if (state == "merged" and p["merged_at"]) or (state == "open" and p["state"] == "open"):
            return int(p["number"])
    raise AssertionError(state)


def ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


# -- the clock and determinism -----------------------------------------------------------------


def _script(m: Mutator, repo: GeneratedRepo) -> None:
    m.advance(days=2)
    m.add_prs(4)
    m.add_review(oldest(repo), "CHANGES_REQUESTED", comments=3)
    m.add_issue_comment(oldest(repo))
    m.add_check_run(oldest(repo), "e2e", "failure")
    m.force_push(oldest(repo, "open"))
    m.edit_title(oldest(repo), "Renamed")
    m.delete_pr(repo.pulls[3]["number"])


def test_mutations_are_deterministic() -> None:
    a, b = generate_repo(REPO, n_prs=60, seed=5), generate_repo(REPO, n_prs=60, seed=5)
    _script(Mutator(a), a)
    _script(Mutator(b), b)
    for name in (
        "pulls",
        "pull_details",
        "commits",
        "reviews",
        "files",
        "check_runs",
        "commit_detail",
        "contributors",
        "review_comments",
        "issue_comments",
        "clock",
    ):
        assert getattr(a, name) == getattr(b, name), name
    assert a.pulls != generate_repo(REPO, n_prs=60, seed=5).pulls


def test_clock_moves_forward_and_advance_changes_no_answer(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    before = sweep(gh, urls_of(repo))
    with gh.mutate() as m:
        assert m.now == datetime(2026, 11, 1, tzinfo=UTC)
        assert m.advance(days=10, hours=1) == datetime(2026, 11, 11, 1, tzinfo=UTC)
        with pytest.raises(MutationError):
            m.advance(minutes=-1)
    assert repo.clock == "2026-11-11T01:00:00Z"
    assert changed_after(gh, before) == set()
    # A 180-day window ending now has lost the PRs created in the first 10 days + 1 hour.
    start = ts(repo.clock) - timedelta(days=180)
    aged = [p["number"] for p in repo.pulls if ts(p["created_at"]) < start]
    assert aged and all(ts(p["updated_at"]) < start for p in repo.pulls if p["number"] in aged[:1])


def test_every_new_timestamp_is_after_the_previous_clock(repo: GeneratedRepo) -> None:
    m = Mutator(repo)
    t0 = m.now
    new = m.add_prs(5, state="merged")
    assert t0 < m.now
    for n in new:
        d = repo.pull_details[n]
        assert t0 < ts(d["created_at"]) <= ts(d["merged_at"]) <= ts(d["updated_at"]) <= m.now
        for r in repo.reviews[n]:
            assert r["submitted_at"] is None or t0 < ts(r["submitted_at"]) <= m.now
        for c in repo.review_comments[n] + repo.issue_comments[n]:
            assert t0 < ts(c["created_at"]) <= m.now


def test_unknown_pr_and_impossible_mutations(repo: GeneratedRepo) -> None:
    m = Mutator(repo)
    with pytest.raises(MutationError, match="no PR #99999"):
        m.add_review(99999)
    with pytest.raises(MutationError, match="closed"):
        m.force_push(oldest(repo))
    with pytest.raises(MutationError, match="not open"):
        m.close(oldest(repo))
    with pytest.raises(MutationError, match="pending"):
        m.add_review(oldest(repo), "PENDING", comments=1)
    with pytest.raises(MutationError, match="empty"):
        Mutator(generate_repo("octo-org/empty", n_prs=0, empty=True))


# -- each mutation, on both APIs, with exact ETag changes -------------------------------------


def test_add_prs(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    before = sweep(gh, urls_of(repo))
    old_max = max(repo.pull_details)
    old_total = len(repo.pulls)
    with gh.mutate() as m:
        new = m.add_prs(3, state="open")
    assert min(new) > old_max and new == sorted(new)
    changed = changed_after(gh, before)
    assert changed == LISTS | {f"/repos/{REPO}/contributors?per_page=100"}
    listed = rest(gh, "/pulls?state=all&per_page=100")
    assert [p["number"] for p in listed[:3]] == new[::-1]  # newest first
    for n in new:
        assert rest(gh, f"/pulls/{n}")["state"] == "open"
        assert len(rest(gh, f"/pulls/{n}/commits?per_page=100")) == repo.pull_details[n]["commits"]
        assert pr_graphql(gh, n)["number"] == n
    total = gql(
        gh, 'query { repository(owner: "octo-org", name: "demo") { pullRequests(first: 1) { totalCount } } }'
    )
    assert total["data"]["repository"]["pullRequests"]["totalCount"] == old_total + 3


def test_review_with_comments_on_an_old_closed_pr(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = oldest(repo)
    before = sweep(gh, urls_of(repo))
    reviews_before = pr_graphql(gh, n)["reviews"]["totalCount"]
    with gh.mutate() as m:
        review = m.add_review(n, "APPROVED", comments=2)
    assert changed_after(gh, before) == LISTS | pr_paths(n, "pull", "reviews", "review-comments")
    detail = rest(gh, f"/pulls/{n}")
    assert detail["updated_at"] == repo.clock and detail["review_comments"] == len(repo.review_comments[n])
    assert rest(gh, f"/pulls/{n}/reviews?per_page=100")[-1] == review
    new_comments = rest(gh, f"/pulls/{n}/comments?per_page=100")[-2:]
    assert {c["pull_request_review_id"] for c in new_comments} == {review["id"]}
    assert all(
        c["created_at"] <= repo.clock and c["commit_id"] == detail["head"]["sha"] for c in new_comments
    )
    pr = pr_graphql(gh, n)
    assert pr["updatedAt"] == repo.clock and pr["reviews"]["totalCount"] == reviews_before + 1
    assert pr["reviews"]["nodes"][-1]["databaseId"] == review["id"]
    got, _ = graphql_review_comments(gh, n)
    assert sorted(got, key=lambda c: c["databaseId"]) == [
        as_graphql(c, True) for c in repo.review_comments[n]
    ]
    # The updated-desc list now starts with this PR.
    assert rest(gh, "/pulls?state=all&per_page=100&sort=updated&direction=desc")[0]["number"] == n


def test_reply_and_conversation_comment(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = next(k for k, v in repo.review_comments.items() if v and repo.pull_details[k]["state"] == "closed")
    root = repo.review_comments[n][0]
    before = sweep(gh, urls_of(repo))
    with gh.mutate() as m:
        reply = m.add_review_reply(n, root["id"])
        comment = m.add_issue_comment(n, "Follow-up: see #1 ✨")
    assert reply["in_reply_to_id"] == root["id"] and reply["path"] == root["path"]
    assert changed_after(gh, before) == LISTS | pr_paths(
        n, "pull", "reviews", "review-comments", "issue-comments"
    )
    assert rest(gh, f"/issues/{n}/comments?per_page=100")[-1] == comment
    assert rest(gh, f"/pulls/{n}")["comments"] == len(repo.issue_comments[n])
    assert graphql_issue_comments(gh, n)[-1] == as_graphql(comment, False)
    got, total = graphql_review_comments(gh, n)
    assert as_graphql(reply, True) in got
    assert total == len(repo.review_comments[n]) + len(repo.issue_comments[n])


@pytest.mark.parametrize("bump", [True, False])
def test_check_run_on_an_old_closed_pr(gh: FakeGitHub, repo: GeneratedRepo, bump: bool) -> None:
    n = oldest(repo)
    head = repo.pull_details[n]["head"]["sha"]
    before = sweep(gh, urls_of(repo))
    with gh.mutate() as m:
        run = m.add_check_run(n, "e2e", "failure", bump_updated=bump)
    runs_path = f"/repos/{REPO}/commits/{head}/check-runs?per_page=100"
    expected = {runs_path} | (LISTS | pr_paths(n, "pull") if bump else set())
    assert changed_after(gh, before) == expected
    assert rest(gh, f"/commits/{head}/check-runs?per_page=100")["check_runs"][-1] == run
    pr = pr_graphql(gh, n)
    assert {"databaseId": run["id"], "name": "e2e", "conclusion": "FAILURE"} in pr["statusCheckRollup"][
        "contexts"
    ]["nodes"]
    assert (pr["updatedAt"] == repo.clock) == bump


def test_force_push(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = next(
        k
        for k, d in repo.pull_details.items()
        if d["state"] == "open" and any(c["line"] is not None for c in repo.review_comments[k])
    )
    old_head = repo.pull_details[n]["head"]["sha"]
    before = sweep(gh, urls_of(repo))
    with gh.mutate() as m:
        head = m.force_push(n, commits=3)
    assert head != old_head
    # The old head's check runs still answer (GitHub keeps the commit), unchanged.
    assert changed_after(gh, before) == LISTS | pr_paths(n, "pull", "commits", "files", "review-comments")
    detail = rest(gh, f"/pulls/{n}")
    assert detail["head"]["sha"] == head and detail["commits"] == 3 and detail["updated_at"] == repo.clock
    assert detail["statuses_url"].endswith(head)
    commits = rest(gh, f"/pulls/{n}/commits?per_page=100")
    assert [c["sha"] for c in commits][-1] == head and len(commits) == 3
    assert rest(gh, f"/commits/{head}")["sha"] == head
    runs = rest(gh, f"/commits/{head}/check-runs?per_page=100")
    assert runs["total_count"] >= 1 and {r["head_sha"] for r in runs["check_runs"]} == {head}
    assert all(f["blob_url"].split("/")[6] == head for f in rest(gh, f"/pulls/{n}/files?per_page=100"))
    comments = rest(gh, f"/pulls/{n}/comments?per_page=100")
    assert all(c["line"] is None and c["commit_id"] == c["original_commit_id"] for c in comments)
    pr = pr_graphql(gh, n)
    assert pr["headRefOid"] == head and [c["commit"]["oid"] for c in pr["commits"]["nodes"]] == [
        c["sha"] for c in commits
    ]
    assert all(t["isOutdated"] for t in pr["reviewThreads"]["nodes"] if t)
    assert {r["name"] for r in pr["statusCheckRollup"]["contexts"]["nodes"]} == {
        r["name"] for r in runs["check_runs"]
    }


def test_delete_pr(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = repo.pulls[10]["number"]
    node_id = repo.pull_details[n]["node_id"]
    paths = pr_paths(n, "pull", "commits", "files", "reviews", "review-comments", "issue-comments")
    before = sweep(gh, urls_of(repo))
    with gh.mutate() as m:
        m.delete_pr(n)
    assert changed_after(gh, before) == LISTS | paths
    s = session()
    for p in paths:
        assert s.get(gh.url + p, timeout=10).status_code == 404
    assert n not in {p["number"] for p in rest(gh, "/pulls?state=all&per_page=100")}
    body = gql(gh, PR_QUERY, owner=OWNER, name=NAME, n=n)
    assert body["errors"][0]["type"] == "NOT_FOUND"
    body = gql(gh, "query($id: ID!) { node(id: $id) { id } }", id=node_id)
    assert body["errors"][0]["type"] == "NOT_FOUND"
    last = repo.pulls[-1]["number"]
    with gh.mutate() as m:
        new = m.add_prs(1)
    assert new[0] > last and n not in repo.pull_details  # numbers are never reused


def test_edit_title(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = oldest(repo)
    before = sweep(gh, urls_of(repo))
    with gh.mutate() as m:
        m.edit_title(n, "Fix “quoted” title ✨")
    assert changed_after(gh, before) == LISTS | pr_paths(n, "pull")
    assert rest(gh, f"/pulls/{n}")["title"] == "Fix “quoted” title ✨"
    listed = {p["number"]: p for p in rest(gh, "/pulls?state=all&per_page=100")}
    assert listed[n]["title"] == "Fix “quoted” title ✨" and listed[n]["updated_at"] == repo.clock
    pr = pr_graphql(gh, n)
    assert (pr["title"], pr["updatedAt"]) == ("Fix “quoted” title ✨", repo.clock)


def test_merge_an_open_pr(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = oldest(repo, "open")
    head = repo.pull_details[n]["head"]["sha"]
    before = sweep(gh, urls_of(repo))
    with gh.mutate() as m:
        m.close(n, merged=True)
    runs = f"/repos/{REPO}/commits/{head}/check-runs?per_page=100"
    # The head's check runs no longer list the PR in `pull_requests` (they list open PRs only).
    had_runs = bool(repo.check_runs.get(head))
    assert changed_after(gh, before) == LISTS | pr_paths(n, "pull") | ({runs} if had_runs else set())
    detail = rest(gh, f"/pulls/{n}")
    assert detail["state"] == "closed" and detail["merged"] and detail["merged_at"] == repo.clock
    pr = pr_graphql(gh, n)
    assert (pr["state"], pr["mergedAt"]) == ("MERGED", repo.clock)


def test_mutate_names_the_repository_when_several_are_served(repo: GeneratedRepo) -> None:
    other = generate_repo("octo-org/other", n_prs=20, seed=9)
    with FakeGitHub(repos=[repo, other], tokens={TOKEN}) as gh:
        with pytest.raises(KeyError, match="several"), gh.mutate():
            pass
        with gh.mutate("Octo-Org/Other") as m:
            m.edit_title(other.pulls[0]["number"], "Other repo")
        r = session().get(f"{gh.url}/repos/octo-org/other/pulls/{other.pulls[0]['number']}", timeout=10)
        assert r.json()["title"] == "Other repo"
        assert repo.pulls == generate_repo(REPO, n_prs=60, seed=5).pulls
