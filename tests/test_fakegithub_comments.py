"""Tests of the fake GitHub's PR comments: generated data, REST endpoints, GraphQL fields."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from tests.fakegithub import FakeGitHub, Faults, GeneratedRepo, generate_repo

TOKEN = "ghp_valid_token_1"
REPO = "octo-org/demo"
OWNER, NAME = REPO.split("/")
API_DIR = Path(__file__).resolve().parents[2] / "shared" / "github-api"
if not API_DIR.exists():  # a worktree under /work/wt/<name>
    API_DIR = Path("/work/shared/github-api")


@pytest.fixture(scope="module")
def repo() -> GeneratedRepo:
    return generate_repo(REPO, n_prs=120, seed=7, many_comments=True)


@pytest.fixture()
def gh(repo: GeneratedRepo) -> Iterator[FakeGitHub]:
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as server:
        yield server


def session() -> requests.Session:
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github+json"})
    return s


def get_all(s: requests.Session, url: str, **params: Any) -> tuple[list[Any], int]:
    """Follow Link rel=next from url; return (items, pages)."""
    items: list[Any] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        r = s.get(next_url, params=params if pages == 0 else None, timeout=10)
        assert r.status_code == 200, r.text
        items.extend(r.json())
        pages += 1
        next_url = r.links.get("next", {}).get("url")
    return items, pages


# -- adding comments changed no value that existed before -------------------------------------

LEGACY_FIELDS = (
    "repo",
    "pulls",
    "pull_details",
    "commits",
    "reviews",
    "files",
    "check_runs",
    "commit_detail",
    "contributors",
    "users",
    "edge_cases",
)


def legacy_digest(gen: GeneratedRepo) -> str:
    """sha256 over every generated value that existed before comments were added."""
    h = hashlib.sha256()
    for name in LEGACY_FIELDS:
        value = getattr(gen, name)
        if isinstance(value, dict):
            value = {str(k): v for k, v in value.items()}
        h.update(name.encode() + b"\x00")
        h.update(json.dumps(value, sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


# Computed on main at 4de2973 (before comments existed), with the digest function above.
LEGACY_DIGESTS = [
    (REPO, {"n_prs": 120, "seed": 7}, "1202c3e0df15ebfa5907e1a48a2f90a2b86c08f127859997e83adc3c2429c897"),
    (
        "prseed-demo/acme-app",
        {"n_prs": 300, "seed": 7, "anchor": "2026-11-01"},
        "53971318c9460a8f254e7a17811760064988d3c7ccdd1abcf1c833134e56f177",
    ),
    (
        "octo-org/huge",
        {"n_prs": 50, "seed": 2, "huge_pr": True},
        "b099b53c64921350969a799a7c501c241ff014e741432a6d4de791ede475f9b9",
    ),
    (
        "octo-org/x",
        {"n_prs": 60, "seed": 23, "anchor": "2026-10-01", "days": 90},
        "8f8c668bea32f595c591f40fac2fe8fc06c27484958b463fd8a1bb33a0db152e",
    ),
    (
        "octo-org/empty",
        {"n_prs": 0, "empty": True},
        "525be5b8ff281caf936f5ee8a7ea589e675fbbc69360397bcb974d06293c6933",
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "digest"), LEGACY_DIGESTS, ids=[c[0] for c in LEGACY_DIGESTS])
def test_comments_change_no_existing_value(name: str, kwargs: dict[str, Any], digest: str) -> None:
    gen = generate_repo(name, **kwargs)
    assert legacy_digest(gen) == digest
    if not kwargs.get("empty"):
        assert sum(map(len, gen.review_comments.values())) > 0


def test_many_comments_only_touches_its_three_prs() -> None:
    plain = generate_repo(REPO, n_prs=120, seed=7)
    many = generate_repo(REPO, n_prs=120, seed=7, many_comments=True)
    planted = {many.edge_cases[k] for k in ("many_review_comments", "many_issue_comments", "many_comments")}
    assert len(planted) == 3
    for n in plain.pull_details:
        if n in planted:
            continue
        assert plain.pull_details[n] == many.pull_details[n]
        assert plain.review_comments[n] == many.review_comments[n]
        assert plain.issue_comments[n] == many.issue_comments[n]
    assert {k: v for k, v in many.edge_cases.items() if "comments" not in k} == plain.edge_cases


def test_comments_are_deterministic() -> None:
    a = generate_repo("octo-org/x", n_prs=60, seed=11)
    b = generate_repo("octo-org/x", n_prs=60, seed=11)
    c = generate_repo("octo-org/x", n_prs=60, seed=12)
    assert a.review_comments == b.review_comments and a.issue_comments == b.issue_comments
    assert a.review_comments != c.review_comments


# -- the generated data ---------------------------------------------------------------------------


def _ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_counts_match_the_pr_detail(repo: GeneratedRepo) -> None:
    for n, d in repo.pull_details.items():
        assert len(repo.review_comments[n]) == d["review_comments"]
        assert len(repo.issue_comments[n]) == d["comments"]
    review_counts = [len(v) for v in repo.review_comments.values()]
    issue_counts = [len(v) for v in repo.issue_comments.values()]
    assert review_counts.count(0) >= 5 and issue_counts.count(0) >= 5
    assert len(repo.review_comments[repo.edge_cases["many_review_comments"]]) == 137
    assert len(repo.issue_comments[repo.edge_cases["many_issue_comments"]]) == 112
    both = repo.edge_cases["many_comments"]
    assert len(repo.review_comments[both]) > 100 and len(repo.issue_comments[both]) > 100


def _nullable(schema: dict[str, Any], *names: str) -> dict[str, Any]:
    out = copy.deepcopy(schema)
    for name in names:
        prop = out["items"]["properties"][name]
        prop["type"] = [prop["type"], "null"]
    return out


def test_review_comments_follow_githubs_schema(repo: GeneratedRepo) -> None:
    schema = json.loads((API_DIR / "schemas" / "pull-review-comments.json").read_text())
    comments = [c for cs in repo.review_comments.values() for c in cs]
    # GitHub answers null `line`/`position` for outdated comments and null `line`/`original_line`
    # for file-level ones, although its OpenAPI description types them as integers.
    assert list(Draft202012Validator(schema).iter_errors(comments))
    relaxed = _nullable(schema, "line", "position", "original_line")
    assert not list(Draft202012Validator(relaxed).iter_errors(comments))
    for c in comments:
        if c["subject_type"] == "file":
            assert c["line"] is None and c["original_line"] is None and c["position"] is None
        else:
            assert isinstance(c["original_line"], int) and c["original_line"] >= 1
            outdated = c["line"] is None
            assert (c["position"] is None) == outdated
            assert (c["commit_id"] == c["original_commit_id"]) or not outdated
        assert c["html_url"].endswith(f"#discussion_r{c['id']}")
        assert c["url"] == f"https://api.github.com/repos/{REPO}/pulls/comments/{c['id']}"
    example = json.loads((API_DIR / "examples" / "pull-review-comments.json").read_text())[0]
    keys = [k for k in comments[0] if k in example]
    assert keys == [k for k in example if k in keys and k != "in_reply_to_id"]


def test_issue_comments_shape(repo: GeneratedRepo) -> None:
    required = {
        "id",
        "node_id",
        "url",
        "html_url",
        "issue_url",
        "user",
        "created_at",
        "updated_at",
        "author_association",
        "body",
        "reactions",
        "performed_via_github_app",
    }
    for n, cs in repo.issue_comments.items():
        for c in cs:
            assert set(c) == required
            assert c["issue_url"] == f"https://api.github.com/repos/{REPO}/issues/{n}"
            assert c["html_url"] == f"https://github.com/{REPO}/pull/{n}#issuecomment-{c['id']}"
            assert isinstance(c["body"], str) and c["body"]


def test_threads_reviews_and_times_are_consistent(repo: GeneratedRepo) -> None:
    ids: set[int] = set()
    replies = edited = deleted = bots = nonascii = outdated = 0
    for n, cs in repo.review_comments.items():
        d = repo.pull_details[n]
        reviews = {r["id"]: r for r in repo.reviews[n]}
        created, updated = _ts(d["created_at"]), _ts(d["updated_at"])
        by_id = {c["id"]: c for c in cs}
        assert [c["id"] for c in cs] == sorted(by_id)
        assert [c["created_at"] for c in cs] == sorted(c["created_at"] for c in cs)
        for c in cs:
            assert created <= _ts(c["created_at"]) <= _ts(c["updated_at"]) <= updated
            rid = c["pull_request_review_id"]
            if rid is not None:
                review = reviews[rid]
                assert review["state"] != "PENDING"
                assert review["user"] == c["user"]
                if "in_reply_to_id" not in c:  # a reply keeps its thread's commits
                    assert c["original_commit_id"] == review["commit_id"]
            else:
                assert not any(r["state"] != "PENDING" for r in reviews.values())
            if "in_reply_to_id" in c:
                root = by_id[c["in_reply_to_id"]]
                assert "in_reply_to_id" not in root and root["id"] < c["id"]
                where = ("path", "line", "original_line", "side", "commit_id", "original_commit_id")
                assert [root[k] for k in where] == [c[k] for k in where]
                replies += 1
            edited += c["updated_at"] != c["created_at"]
            deleted += c["user"] is None
            bots += c["user"] is not None and c["user"]["type"] == "Bot"
            nonascii += not c["body"].isascii()
            outdated += c["subject_type"] == "line" and c["line"] is None
        ids |= set(by_id)
    for n, cs in repo.issue_comments.items():
        d = repo.pull_details[n]
        for c in cs:
            assert (
                _ts(d["created_at"]) <= _ts(c["created_at"]) <= _ts(c["updated_at"]) <= _ts(d["updated_at"])
            )
            deleted += c["user"] is None
            bots += c["user"] is not None and c["user"]["type"] == "Bot"
            nonascii += not c["body"].isascii()
        assert [c["id"] for c in cs] == sorted(c["id"] for c in cs)
    assert min(replies, edited, deleted, bots, nonascii, outdated) > 0
    assert all(i > 2**31 for i in ids)


def test_planted_text_edge_cases_reach_comments(repo: GeneratedRepo) -> None:
    weird = repo.edge_cases["weird_text"]
    bodies = [c["body"] for c in repo.review_comments[weird] + repo.issue_comments[weird]]
    assert not bodies or any("DROP TABLE" in b for b in bodies)
    nul = repo.edge_cases["nul_text"]
    bodies = [c["body"] for c in repo.review_comments[nul] + repo.issue_comments[nul]]
    assert not bodies or any("\x00" in b for b in bodies)


# -- REST ---------------------------------------------------------------------------------------


def test_review_comments_pages_follow_links(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    n = repo.edge_cases["many_review_comments"]
    url = f"{gh.url}/repos/{REPO}/pulls/{n}/comments"
    items, pages = get_all(s, url, per_page=100)
    assert (len(items), pages) == (137, 2)
    assert items == repo.review_comments[n]
    items, pages = get_all(s, url)  # GitHub's default page size is 30
    assert (len(items), pages) == (137, 5)
    items, pages = get_all(s, url, per_page=500)  # capped at 100
    assert pages == 2
    r = s.get(url, params={"per_page": 100}, timeout=10)
    assert r.links["next"]["url"].endswith("per_page=100&page=2")
    assert r.links["last"]["url"].endswith("per_page=100&page=2")


def test_issue_comments_pages_follow_links(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    n = repo.edge_cases["many_issue_comments"]
    items, pages = get_all(s, f"{gh.url}/repos/{REPO}/issues/{n}/comments", per_page=50)
    assert (len(items), pages) == (112, 3)
    assert items == repo.issue_comments[n]
    empty = next(k for k, v in repo.issue_comments.items() if not v)
    r = s.get(f"{gh.url}/repos/{REPO}/issues/{empty}/comments", timeout=10)
    assert r.status_code == 200 and r.json() == [] and "Link" not in r.headers


def test_review_comments_sort_direction_since(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    n = repo.edge_cases["many_comments"]
    url = f"{gh.url}/repos/{REPO}/pulls/{n}/comments"
    everything = repo.review_comments[n]
    by_updated = sorted(everything, key=lambda c: (c["updated_at"], c["id"]))
    assert get_all(s, url, per_page=100, sort="updated", direction="asc")[0] == by_updated
    assert get_all(s, url, per_page=100, sort="updated", direction="desc")[0] == by_updated[::-1]
    by_created = sorted(everything, key=lambda c: (c["created_at"], c["id"]))
    assert get_all(s, url, per_page=100, sort="created")[0] == by_created[::-1]
    assert get_all(s, url, per_page=100, direction="desc")[0] == everything  # ignored without sort
    since = by_updated[len(by_updated) // 2]["updated_at"]
    got = get_all(s, url, per_page=100, since=since)[0]
    assert got == [c for c in everything if c["updated_at"] >= since] and 0 < len(got) < len(everything)
    issue_url = f"{gh.url}/repos/{REPO}/issues/{n}/comments"
    issues = repo.issue_comments[n]
    since = sorted(c["updated_at"] for c in issues)[-10]
    assert get_all(s, issue_url, since=since)[0] == [c for c in issues if c["updated_at"] >= since]
    assert len(get_all(s, issue_url, since="2000-01-01")[0]) == len(issues)
    r = s.get(issue_url, params={"since": "last tuesday"}, timeout=10)
    assert r.status_code == 422 and r.json()["message"] == "Validation Failed"


def test_single_comment_and_not_found(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    n = repo.edge_cases["many_comments"]
    rc, ic = repo.review_comments[n][7], repo.issue_comments[n][7]
    assert s.get(f"{gh.url}/repos/{REPO}/pulls/comments/{rc['id']}", timeout=10).json() == rc
    assert s.get(f"{gh.url}/repos/{REPO}/issues/comments/{ic['id']}", timeout=10).json() == ic
    for path in (
        "/pulls/comments/1",
        "/issues/comments/1",
        "/pulls/999999/comments",
        "/issues/999999/comments",
    ):
        r = s.get(f"{gh.url}/repos/{REPO}{path}", timeout=10)
        assert r.status_code == 404 and r.json()["message"] == "Not Found"
    assert s.get(f"{gh.url}/repos/octo-org/nope/pulls/1/comments", timeout=10).status_code == 404


def test_comment_lists_get_etags_rate_limits_and_stats(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    n = repo.edge_cases["many_comments"]
    for kind, path in (("pull-review-comments", "pulls"), ("issue-comments", "issues")):
        url = f"{gh.url}/repos/{REPO}/{path}/{n}/comments"
        r = s.get(url, timeout=10)
        assert r.status_code == 200 and r.headers["ETag"].startswith('W/"')
        assert r.headers["x-ratelimit-resource"] == "core"
        used = int(r.headers["x-ratelimit-used"])
        again = s.get(url, headers={"If-None-Match": r.headers["ETag"]}, timeout=10)
        assert again.status_code == 304 and again.content == b""
        assert int(again.headers["x-ratelimit-used"]) == used  # a 304 costs nothing
        other = s.get(url, params={"page": 2}, headers={"If-None-Match": r.headers["ETag"]}, timeout=10)
        assert other.status_code == 200 and other.headers["ETag"] != r.headers["ETag"]
        assert gh.stats.by_kind[kind] == 3
    assert gh.stats.not_modified == 2


def test_faults_apply_to_comment_endpoints(repo: GeneratedRepo) -> None:
    n = repo.edge_cases["many_comments"]
    faults = Faults(server_error_every=1, server_error_status=502)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}/issues/{n}/comments"
        assert s.get(url, timeout=10).status_code == 502
        assert s.get(url, timeout=10).status_code == 200  # each path fails once
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(core_limit=1, reset_seconds=60)) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}/pulls/{n}/comments"
        assert s.get(url, timeout=10).status_code == 200
        r = s.get(url, params={"page": 2}, timeout=10)
        assert r.status_code == 403 and r.headers["x-ratelimit-remaining"] == "0"
        assert gh.stats.violations == 1


# -- GraphQL --------------------------------------------------------------------------------------

COMMENT_FIELDS = """
  databaseId body createdAt updatedAt authorAssociation author { __typename login }
"""
REVIEW_COMMENT_FIELDS = (
    COMMENT_FIELDS
    + """
  path line originalLine startLine originalStartLine diffHunk position originalPosition outdated
  subjectType replyTo { databaseId } commit { oid } originalCommit { oid }
  pullRequestReview { databaseId }
"""
)
THREADS_QUERY = """
query($owner: String!, $name: String!, $n: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $n) {
      totalCommentsCount
      reviewThreads(first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes {
          id path line originalLine diffSide isOutdated isResolved subjectType
          comments(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { FIELDS } }
        }
      }
    }
  }
}""".replace("FIELDS", REVIEW_COMMENT_FIELDS)
THREAD_COMMENTS_QUERY = """
query($id: ID!, $after: String) {
  node(id: $id) {
    ... on PullRequestReviewThread {
      comments(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { FIELDS } }
    }
  }
}""".replace("FIELDS", REVIEW_COMMENT_FIELDS)
ISSUE_COMMENTS_QUERY = """
query($owner: String!, $name: String!, $n: Int!, $after: String, $order: IssueCommentOrder) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $n) {
      comments(first: 100, after: $after, orderBy: $order) {
        totalCount pageInfo { hasNextPage endCursor } nodes { FIELDS }
      }
    }
  }
}""".replace("FIELDS", COMMENT_FIELDS)
REVIEWS_QUERY = """
query($owner: String!, $name: String!, $n: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $n) {
      reviews(first: 100) {
        nodes { databaseId comments(first: 100) { totalCount nodes { databaseId } } }
      }
    }
  }
}"""


def gql(gh: FakeGitHub, query: str, **variables: Any) -> Any:
    r = requests.post(
        f"http://127.0.0.1:{gh.port}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"bearer {TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def as_graphql(c: dict[str, Any], review: bool) -> dict[str, Any]:
    """A REST comment as the GraphQL fields above should answer it (GitHub's mapping)."""
    user = c["user"]
    out: dict[str, Any] = {
        "databaseId": c["id"],
        "body": c["body"],
        "createdAt": c["created_at"],
        "updatedAt": c["updated_at"],
        "authorAssociation": c["author_association"],
        "author": None
        if user is None
        else {"__typename": user["type"], "login": user["login"].removesuffix("[bot]")},
    }
    if review:
        out.update(
            {
                "path": c["path"],
                "line": c["line"],
                "originalLine": c["original_line"],
                "startLine": c["start_line"],
                "originalStartLine": c["original_start_line"],
                "diffHunk": c["diff_hunk"],
                "position": c["position"],
                "originalPosition": c["original_position"],
                "outdated": c["subject_type"] == "line" and c["line"] is None,
                "subjectType": c["subject_type"].upper(),
                "replyTo": {"databaseId": c["in_reply_to_id"]} if "in_reply_to_id" in c else None,
                "commit": {"oid": c["commit_id"]},
                "originalCommit": {"oid": c["original_commit_id"]},
                "pullRequestReview": None
                if c["pull_request_review_id"] is None
                else {"databaseId": c["pull_request_review_id"]},
            }
        )
    return out


def graphql_review_comments(gh: FakeGitHub, n: int) -> tuple[list[dict[str, Any]], int]:
    """Every review comment of PR n through reviewThreads (node(id) for long threads)."""
    out: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        pr = gql(gh, THREADS_QUERY, owner=OWNER, name=NAME, n=n, after=after)["repository"]["pullRequest"]
        threads = pr["reviewThreads"]
        for t in threads["nodes"]:
            out.extend(t["comments"]["nodes"])
            page = t["comments"]["pageInfo"]
            while page["hasNextPage"]:
                more = gql(gh, THREAD_COMMENTS_QUERY, id=t["id"], after=page["endCursor"])["node"]["comments"]
                out.extend(more["nodes"])
                page = more["pageInfo"]
        if not threads["pageInfo"]["hasNextPage"]:
            return out, pr["totalCommentsCount"]
        after = threads["pageInfo"]["endCursor"]


def graphql_issue_comments(gh: FakeGitHub, n: int, order: dict[str, str] | None = None) -> list[Any]:
    out: list[Any] = []
    after: str | None = None
    while True:
        d = gql(gh, ISSUE_COMMENTS_QUERY, owner=OWNER, name=NAME, n=n, after=after, order=order)
        conn = d["repository"]["pullRequest"]["comments"]
        out.extend(conn["nodes"])
        if not conn["pageInfo"]["hasNextPage"]:
            assert len(out) == conn["totalCount"]
            return out
        after = conn["pageInfo"]["endCursor"]


def test_graphql_equals_rest_for_every_pr(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    for n in repo.pull_details:
        rest_review = get_all(s, f"{gh.url}/repos/{REPO}/pulls/{n}/comments", per_page=100)[0]
        rest_issue = get_all(s, f"{gh.url}/repos/{REPO}/issues/{n}/comments", per_page=100)[0]
        review, total = graphql_review_comments(gh, n)
        assert sorted(review, key=lambda c: c["databaseId"]) == [as_graphql(c, True) for c in rest_review]
        assert graphql_issue_comments(gh, n) == [as_graphql(c, False) for c in rest_issue]
        assert total == len(rest_review) + len(rest_issue)
        by_review: dict[int, list[int]] = {}
        for c in rest_review:
            if c["pull_request_review_id"] is not None:
                by_review.setdefault(c["pull_request_review_id"], []).append(c["id"])
        reviews = gql(gh, REVIEWS_QUERY, owner=OWNER, name=NAME, n=n)["repository"]["pullRequest"]["reviews"]
        got = {
            r["databaseId"]: (r["comments"]["totalCount"], [c["databaseId"] for c in r["comments"]["nodes"]])
            for r in reviews["nodes"]
        }
        assert {k: v for k, v in got.items() if v[0]} == {k: (len(v), v[:100]) for k, v in by_review.items()}


def test_graphql_threads_order_skip_and_cost(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = repo.edge_cases["many_comments"]
    issue = repo.issue_comments[n]
    desc = graphql_issue_comments(gh, n, {"field": "UPDATED_AT", "direction": "DESC"})
    expected = sorted(issue, key=lambda c: (c["updated_at"], c["id"]), reverse=True)
    assert [c["databaseId"] for c in desc] == [c["id"] for c in expected]
    query = """
    query($owner: String!, $name: String!, $n: Int!) {
      rateLimit { cost nodeCount }
      repository(owner: $owner, name: $name) { pullRequest(number: $n) {
        reviewThreads(first: 100) { nodes { comments(first: 100, skip: 1) { totalCount } } } } }
    }"""
    d = gql(gh, query, owner=OWNER, name=NAME, n=n)
    # GitHub's rules: 1 + 100 requests -> 1 point; 100 + 100 * 100 nodes.
    assert d["rateLimit"] == {"cost": 1, "nodeCount": 10_100}
    threads = [c for c in repo.review_comments[n] if "in_reply_to_id" not in c]
    counts = [t["comments"]["totalCount"] for t in d["repository"]["pullRequest"]["reviewThreads"]["nodes"]]
    replies = [sum(c.get("in_reply_to_id") == t["id"] for c in repo.review_comments[n]) for t in threads]
    assert counts == replies[:100]


def test_graphql_comment_nodes_by_id(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = repo.edge_cases["many_comments"]
    reply = next(c for cs in repo.review_comments.values() for c in cs if "in_reply_to_id" in c)
    ic = repo.issue_comments[n][0]
    review = next(
        r
        for r in repo.reviews[n]
        if any(c["pull_request_review_id"] == r["id"] for c in repo.review_comments[n])
    )
    query = """
    query($ids: [ID!]!) {
      nodes(ids: $ids) {
        __typename
        ... on PullRequestReviewComment { databaseId replyTo { databaseId } pullRequest { number } }
        ... on IssueComment { databaseId pr: pullRequest { number } }
        ... on PullRequestReview { databaseId comments(first: 100) { totalCount } }
      }
    }"""
    nodes = gql(gh, query, ids=[reply["node_id"], ic["node_id"], review["node_id"]])["nodes"]
    assert nodes[0]["databaseId"] == reply["id"]
    assert nodes[0]["replyTo"] == {"databaseId": reply["in_reply_to_id"]}
    assert nodes[1] == {"__typename": "IssueComment", "databaseId": ic["id"], "pr": {"number": n}}
    assert nodes[2]["comments"]["totalCount"] == sum(
        c["pull_request_review_id"] == review["id"] for c in repo.review_comments[n]
    )
