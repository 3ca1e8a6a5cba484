"""Tests of the fake GitHub's GraphQL API (tests/fakegithub/graphql)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import build_client_schema, parse, validate, validate_schema

from tests.fakegithub import FakeGitHub, Faults, GeneratedRepo, generate_repo
from tests.fakegithub.graphql.accounting import QueryMeasure, measure
from tests.fakegithub.graphql.schema import (
    TOLERATED_SCHEMA_ERROR,
    execution_schema,
    github_schema,
    introspection,
)

SHARED_EXAMPLE = Path("/work/shared/github-api/graphql/pull-requests.example.graphql")


# -- the vendored schema -------------------------------------------------------------------


def test_schema_builds_and_validates_queries() -> None:
    schema = github_schema()
    assert github_schema() is schema  # built once
    pr = schema.get_type("PullRequest")
    assert pr is not None and "headRefOid" in pr.fields  # type: ignore[attr-defined]
    ok = parse('query { repository(owner: "a", name: "b") { pullRequests(first: 1) { totalCount } } }')
    assert validate(schema, ok) == []
    bad = parse('query { repository(owner: "a", name: "b") { pullRequests(first: 1) { nope } } }')
    [error] = validate(schema, bad)
    assert error.message.startswith("Cannot query field 'nope' on type 'PullRequestConnection'.")


def test_schema_only_tolerated_definition_findings() -> None:
    # Built without assume_valid, the only findings are the deprecation mismatches GitHub's own
    # schema has (graphql-core >= 3.3 reports them; 3.2 reports nothing).
    findings = validate_schema(build_client_schema(introspection()))  # type: ignore[arg-type]
    assert all(TOLERATED_SCHEMA_ERROR in e.message for e in findings), findings


# -- cost and node accounting (GitHub's worked examples) ----------------------------------

# "Rate limits and query limits for the GraphQL API", section "Calculating nodes in a call".
DOCS_SIMPLE = """
query {
  viewer {
    repositories(first: 50) {
      edges { repository: node { name
        issues(first: 10) { totalCount edges { node { title bodyHTML } } } } }
    }
  }
}"""
DOCS_COMPLEX = """
query {
  viewer {
    repositories(first: 50) {
      edges { repository: node { name
        pullRequests(first: 20) { edges { pullRequest: node { title
          comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
        issues(first: 20) { totalCount edges { issue: node { title bodyHTML
          comments(first: 10) { edges { comment: node { bodyHTML } } } } } } } }
    }
    followers(first: 10) { edges { follower: node { login } } }
  }
}"""
# Section "Predicting the point value of a query": 5,101 requests, 51 points.
DOCS_POINTS = """
query {
  viewer { login
    repositories(first: 100) { edges { node { id
      issues(first: 50) { edges { node { id
        labels(first: 60) { edges { node { id name } } } } } } } } }
  }
}"""


def measured(query: str, variables: dict[str, Any] | None = None) -> QueryMeasure:
    doc = parse(query)
    assert validate(github_schema(), doc) == []
    return measure(github_schema(), doc, variables)


def test_node_count_matches_githubs_worked_examples() -> None:
    assert measured(DOCS_SIMPLE).node_count == 550
    assert measured(DOCS_COMPLEX).node_count == 22_060
    assert measured(DOCS_SIMPLE).errors == measured(DOCS_COMPLEX).errors == []


def test_cost_matches_githubs_worked_example() -> None:
    m = measured(DOCS_POINTS)
    assert (m.requests, m.cost, m.node_count) == (5_101, 51, 100 + 5_000 + 300_000)
    # Rounded to the nearest whole number, minimum 1.
    assert measured(DOCS_SIMPLE).requests == 51 and measured(DOCS_SIMPLE).cost == 1
    assert measured('{ user(login: "x") { login } rateLimit { cost } }').cost == 1
    assert QueryMeasure(requests=149).cost == 1 and QueryMeasure(requests=150).cost == 2


def test_accounting_follows_fragments_variables_and_aliases() -> None:
    q = """
    query($n: Int!, $m: Int = 7) {
      repository(owner: "o", name: "r") {
        a: pullRequests(first: $n) { nodes { ...Pr } }
        b: pullRequests(last: 3) { nodes { number } }
      }
    }
    fragment Pr on PullRequest {
      commits(first: $m) { nodes { commit { ... on Commit { parents(first: 2) { totalCount } } } } }
    }"""
    m = measured(q, {"n": 10})
    # a: 10 PRs + 10*7 commits + 10*7*2 parents; b: 3 PRs.
    assert m.node_count == 10 + 70 + 140 + 3
    assert m.requests == 1 + 10 + 70 + 1


def test_pagination_boundaries_enforced() -> None:
    [missing] = measured('{ repository(owner: "o", name: "r") { pullRequests { totalCount } } }').errors
    assert missing["type"] == "MISSING_PAGINATION_BOUNDARIES"
    assert "`pullRequests`" in missing["message"]
    [big] = measured(
        '{ repository(owner: "o", name: "r") { pullRequests(first: 101) { totalCount } } }'
    ).errors
    assert big["type"] == "EXCESSIVE_PAGINATION"
    [zero] = measured('{ repository(owner: "o", name: "r") { pullRequests(last: 0) { totalCount } } }').errors
    assert zero["type"] == "INVALID_PAGINATION"
    both = measured(
        '{ repository(owner: "o", name: "r") { pullRequests(first: 1, last: 1) { totalCount } } }'
    )
    assert [e["type"] for e in both.errors] == ["INVALID_PAGINATION"]


def test_node_limit_500000() -> None:
    q = """{ viewer { repositories(first: 100) { nodes { issues(first: 100) { nodes {
      labels(first: %d) { nodes { name } } } } } } } }"""
    assert measured(q % 48).node_count == 100 + 10_000 + 480_000
    assert measured(q % 48).errors == []
    over = measured(q % 50)
    assert over.node_count == 510_100
    assert [e["type"] for e in over.errors] == ["MAX_NODE_LIMIT_EXCEEDED"]
    assert "510,100" in over.errors[0]["message"] and "500,000" in over.errors[0]["message"]


# -- the endpoint over HTTP ----------------------------------------------------------------

TOKEN = "ghp_valid_token_1"
OTHER = "ghp_valid_token_2"
REPO = "octo-org/demo"
OWNER, NAME = REPO.split("/")


@pytest.fixture(scope="module")
def repo() -> GeneratedRepo:
    return generate_repo(REPO, n_prs=120, seed=7)


@pytest.fixture()
def gh(repo: GeneratedRepo) -> Iterator[FakeGitHub]:
    with FakeGitHub(repos=[repo], tokens={TOKEN, OTHER}) as server:
        yield server


def session(token: str = TOKEN) -> requests.Session:
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"})
    return s


def post(
    gh: FakeGitHub,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str = TOKEN,
    path: str = "/graphql",
) -> requests.Response:
    """One GraphQL request (path is relative to the server root, prefix excluded)."""
    base = f"http://127.0.0.1:{gh.port}"
    # One keep-alive connection per server and token, like a real client (the fake knows that
    # connection was told of a block).
    s = _SESSIONS.setdefault((gh.port, token), session(token))
    return s.post(base + path, json={"query": query, "variables": variables or {}}, timeout=30)


_SESSIONS: dict[tuple[int, str], requests.Session] = {}


def data(r: requests.Response) -> Any:
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def rest_all(gh: FakeGitHub, path: str, **params: Any) -> list[Any]:
    s = session()
    items: list[Any] = []
    url: str | None = f"{gh.url}{path}"
    first = True
    while url:
        r = s.get(url, params={"per_page": 100, **params} if first else None, timeout=10)
        first = False
        assert r.status_code == 200, r.text
        items.extend(r.json())
        url = r.links.get("next", {}).get("url")
    return items


def walk(gh: FakeGitHub, query: str, at: list[str], variables: dict[str, Any]) -> tuple[list[Any], int]:
    """Follow one connection (at: path of keys to it in `data`) to its end with `$after`."""
    nodes: list[Any] = []
    after: str | None = None
    pages = 0
    while True:
        d = data(post(gh, query, {**variables, "after": after}))
        for k in at:
            d = d[k]
        nodes.extend(d["nodes"])
        pages += 1
        assert d["totalCount"] >= len(nodes)
        if not d["pageInfo"]["hasNextPage"]:
            assert len(nodes) == d["totalCount"]
            return nodes, pages
        after = d["pageInfo"]["endCursor"]


PULLS_QUERY = """
query($owner: String!, $name: String!, $after: String, $field: IssueOrderField!,
      $dir: OrderDirection!, $states: [PullRequestState!]) {
  repository(owner: $owner, name: $name) {
    pullRequests(first: 7, after: $after, orderBy: {field: $field, direction: $dir}, states: $states) {
      totalCount pageInfo { hasNextPage endCursor } nodes { number }
    }
  }
}"""


def test_routes_and_auth(repo: GeneratedRepo) -> None:
    q = "{ rateLimit { cost } }"
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        assert data(post(gh, q))["rateLimit"]["cost"] == 1
        assert post(gh, q, path="/api/graphql").status_code == 404
        assert session().get(f"{gh.url}/graphql", timeout=10).status_code == 404  # POST only
        no_token = requests.post(f"{gh.url}/graphql", json={"query": q}, timeout=10)
        assert no_token.status_code == 401
        assert no_token.json()["message"] == "This endpoint requires you to be authenticated."
        bad = post(gh, q, token="ghp_wrong")
        assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"
        not_json = session().post(f"{gh.url}/graphql", data=b"{nope", timeout=10)
        assert not_json.status_code == 400 and not_json.json()["message"] == "Problems parsing JSON"
    with FakeGitHub(repos=[repo], prefix="/api/v3") as ghes:  # GitHub Enterprise Server layout
        assert ghes.graphql.path == "/api/graphql"
        assert data(post(ghes, q, path="/api/graphql"))["rateLimit"]["cost"] == 1
        assert post(ghes, q, path="/api/v3/graphql").status_code == 404
        assert post(ghes, q, path="/graphql").status_code == 404


@pytest.mark.parametrize(
    ("field", "direction", "sort", "rest_direction"),
    [
        ("CREATED_AT", "ASC", "created", "asc"),
        ("CREATED_AT", "DESC", "created", "desc"),
        ("UPDATED_AT", "ASC", "updated", "asc"),
        ("UPDATED_AT", "DESC", "updated", "desc"),
    ],
)
def test_pull_requests_pages_in_rest_order(
    gh: FakeGitHub, field: str, direction: str, sort: str, rest_direction: str
) -> None:
    variables = {"owner": OWNER, "name": NAME, "field": field, "dir": direction}
    nodes, pages = walk(gh, PULLS_QUERY, ["repository", "pullRequests"], variables)
    rest = rest_all(gh, f"/repos/{REPO}/pulls", state="all", sort=sort, direction=rest_direction)
    assert [n["number"] for n in nodes] == [p["number"] for p in rest]
    assert pages == -(-len(rest) // 7)


@pytest.mark.parametrize(("states", "rest_state"), [(["OPEN"], "open"), (["CLOSED", "MERGED"], "closed")])
def test_pull_requests_states_filter(gh: FakeGitHub, states: list[str], rest_state: str) -> None:
    variables = {"owner": OWNER, "name": NAME, "field": "CREATED_AT", "dir": "DESC", "states": states}
    nodes, _ = walk(gh, PULLS_QUERY, ["repository", "pullRequests"], variables)
    rest = rest_all(gh, f"/repos/{REPO}/pulls", state=rest_state)
    assert [n["number"] for n in nodes] == [p["number"] for p in rest]


def test_cursors_are_opaque_and_work_backwards(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    q = """query($after: String, $before: String) { repository(owner: "octo-org", name: "demo") {
      fwd: pullRequests(first: 5, after: $after) { pageInfo { startCursor endCursor hasNextPage
        hasPreviousPage } edges { cursor node { number } } }
      back: pullRequests(last: 3, before: $before) { pageInfo { hasPreviousPage hasNextPage }
        nodes { number } } } }"""
    d = data(post(gh, q))["repository"]
    numbers = [p["number"] for p in repo.pulls]
    assert [e["node"]["number"] for e in d["fwd"]["edges"]] == numbers[:5]
    assert d["fwd"]["pageInfo"]["startCursor"] == d["fwd"]["edges"][0]["cursor"]
    assert d["fwd"]["pageInfo"]["endCursor"] == d["fwd"]["edges"][-1]["cursor"]
    assert d["fwd"]["pageInfo"]["hasNextPage"] and not d["fwd"]["pageInfo"]["hasPreviousPage"]
    assert [n["number"] for n in d["back"]["nodes"]] == numbers[-3:]
    cursor = d["fwd"]["edges"][3]["cursor"]
    assert str(numbers[3]) not in cursor
    d = data(post(gh, q, {"after": cursor, "before": cursor}))["repository"]
    assert [e["node"]["number"] for e in d["fwd"]["edges"]] == numbers[4:9]
    assert [n["number"] for n in d["back"]["nodes"]] == numbers[:3]
    assert d["back"]["pageInfo"] == {"hasPreviousPage": False, "hasNextPage": True}
    bad = post(gh, q, {"after": "not-a-cursor"}).json()
    assert bad["errors"][0]["type"] == "INVALID_CURSOR_ARGUMENTS"
    assert bad["errors"][0]["message"] == "`not-a-cursor` does not appear to be a valid cursor."


PR_QUERY = """
query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(first: 25, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes {
        id databaseId fullDatabaseId number title body state isDraft createdAt updatedAt closedAt
        mergedAt authorAssociation headRefName baseRefName headRefOid baseRefOid additions
        deletions changedFiles merged url
        author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
        mergedBy { login }
        mergeCommit { oid }
        milestone { number title state dueOn }
        labels(first: 10) { totalCount nodes { name color description isDefault } }
        assignees(first: 10) { totalCount nodes { login databaseId } }
        reviewRequests(first: 10) { totalCount nodes { requestedReviewer {
          __typename ... on User { login databaseId } } } }
        commits(first: 1) { totalCount }
        reviews(first: 1) { totalCount }
        files(first: 1) { totalCount }
      }
    }
  }
}"""


def test_pull_requests_equal_rest(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    nodes, _ = walk(gh, PR_QUERY, ["repository", "pullRequests"], {"owner": OWNER, "name": NAME})
    assert len(nodes) == len(repo.pulls)
    s = session()
    for n in nodes:
        r = s.get(f"{gh.url}/repos/{REPO}/pulls/{n['number']}", timeout=10)
        p = r.json()
        assert (n["id"], n["databaseId"], n["fullDatabaseId"]) == (p["node_id"], p["id"], str(p["id"]))
        assert (n["title"], n["body"]) == (p["title"], p["body"] or "")
        state = "OPEN" if p["state"] == "open" else "MERGED" if p["merged"] else "CLOSED"
        assert (n["state"], n["isDraft"], n["merged"]) == (state, p["draft"], p["merged"])
        for g, rr in [
            ("createdAt", "created_at"),
            ("updatedAt", "updated_at"),
            ("closedAt", "closed_at"),
            ("mergedAt", "merged_at"),
            ("authorAssociation", "author_association"),
            ("additions", "additions"),
            ("deletions", "deletions"),
            ("changedFiles", "changed_files"),
            ("url", "html_url"),
        ]:
            assert n[g] == p[rr], g
        assert (n["headRefName"], n["headRefOid"]) == (p["head"]["ref"], p["head"]["sha"])
        assert (n["baseRefName"], n["baseRefOid"]) == (p["base"]["ref"], p["base"]["sha"])
        if p["user"] is None:
            assert n["author"] is None
        elif p["user"]["type"] == "Bot":
            assert n["author"] == {
                "__typename": "Bot",
                "login": p["user"]["login"].removesuffix("[bot]"),
                "databaseId": p["user"]["id"],
            }
        else:
            assert n["author"] == {
                "__typename": "User",
                "login": p["user"]["login"],
                "databaseId": p["user"]["id"],
            }
        assert n["mergedBy"] == ({"login": p["merged_by"]["login"]} if p["merged_by"] else None)
        assert n["mergeCommit"] == ({"oid": p["merge_commit_sha"]} if p["merged"] else None)
        m = p["milestone"]
        assert n["milestone"] == (
            {"number": m["number"], "title": m["title"], "state": m["state"].upper(), "dueOn": m["due_on"]}
            if m
            else None
        )
        assert n["labels"]["nodes"] == [
            {
                "name": lb["name"],
                "color": lb["color"],
                "description": lb["description"] or None,
                "isDefault": lb["default"],
            }
            for lb in p["labels"]
        ]
        assert n["assignees"]["nodes"] == [
            {"login": u["login"], "databaseId": u["id"]} for u in p["assignees"]
        ]
        assert [x["requestedReviewer"] for x in n["reviewRequests"]["nodes"]] == [
            {"__typename": "User", "login": u["login"], "databaseId": u["id"]}
            for u in p["requested_reviewers"]
        ]
        assert n["commits"]["totalCount"] == p["commits"]  # all commits, not capped at 250
        assert n["reviews"]["totalCount"] == len(repo.reviews[n["number"]])
        assert n["files"]["totalCount"] == min(p["changed_files"], 3000)
    # The planted edge cases come through.
    by_number = {n["number"]: n for n in nodes}
    assert by_number[repo.edge_cases["deleted_user"]]["author"] is None
    assert by_number[repo.edge_cases["bot_dependabot"]]["author"]["login"] == "dependabot"
    assert "\u0000" in by_number[repo.edge_cases["nul_text"]]["title"]


COMMITS_QUERY = """
query($number: Int!, $after: String) {
  repository(owner: "octo-org", name: "demo") {
    pullRequest(number: $number) {
      commits(first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { commit {
          oid message authoredDate committedDate additions deletions changedFilesIfAvailable
          parents(first: 5) { totalCount nodes { oid } }
          author { name email date user { login databaseId } }
          committer { name email date user { login databaseId } }
        } }
      }
    }
  }
}"""


def test_commits_all_and_equal_rest(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    number = repo.edge_cases["many_commits"]
    nodes, pages = walk(gh, COMMITS_QUERY, ["repository", "pullRequest", "commits"], {"number": number})
    assert (len(nodes), pages) == (263, 3)  # REST stops at 250
    assert len(rest_all(gh, f"/repos/{REPO}/pulls/{number}/commits")) == 250
    for pr_number in [number, repo.edge_cases["weird_text"], repo.pulls[0]["number"]]:
        nodes, _ = walk(gh, COMMITS_QUERY, ["repository", "pullRequest", "commits"], {"number": pr_number})
        for n in nodes:
            c = n["commit"]
            rest = session().get(f"{gh.url}/repos/{REPO}/commits/{c['oid']}", timeout=10).json()
            assert c["message"] == rest["commit"]["message"]
            assert c["authoredDate"] == rest["commit"]["author"]["date"]
            assert c["committedDate"] == rest["commit"]["committer"]["date"]
            assert (c["additions"], c["deletions"]) == (
                rest["stats"]["additions"],
                rest["stats"]["deletions"],
            )
            assert c["changedFilesIfAvailable"] == len(rest["files"])
            assert [p["oid"] for p in c["parents"]["nodes"]] == [p["sha"] for p in rest["parents"]]
            for who in ("author", "committer"):
                git = rest["commit"][who]
                assert (c[who]["name"], c[who]["email"], c[who]["date"]) == (
                    git["name"],
                    git["email"],
                    git["date"],
                )
                account = rest[who]
                expected = (
                    {"login": account["login"], "databaseId": account["id"]}
                    if account and account["type"] == "User"
                    else None
                )
                assert c[who]["user"] == expected


FILES_QUERY = """
query($number: Int!, $after: String) {
  repository(owner: "octo-org", name: "demo") {
    pullRequest(number: $number) {
      changedFiles
      files(first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { path additions deletions changeType }
      }
    }
  }
}"""
CHANGE = {"added": "ADDED", "removed": "DELETED", "modified": "MODIFIED", "renamed": "RENAMED"}


def test_files_paginate_and_equal_rest(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    for key in ("many_files", "renames", "zero_files"):
        number = repo.edge_cases[key]
        nodes, pages = walk(gh, FILES_QUERY, ["repository", "pullRequest", "files"], {"number": number})
        rest = rest_all(gh, f"/repos/{REPO}/pulls/{number}/files")
        assert nodes == [
            {
                "path": f["filename"],
                "additions": f["additions"],
                "deletions": f["deletions"],
                "changeType": CHANGE[f["status"]],
            }
            for f in rest
        ]
        assert pages == max(1, -(-len(rest) // 100))


def test_files_capped_at_3000() -> None:
    big = generate_repo(REPO, n_prs=50, seed=3, huge_pr=True)
    with FakeGitHub(repos=[big], tokens={TOKEN}) as gh:
        number = big.edge_cases["huge_files"]
        nodes, pages = walk(gh, FILES_QUERY, ["repository", "pullRequest", "files"], {"number": number})
        assert (len(nodes), pages) == (3000, 30)
        d = data(post(gh, FILES_QUERY, {"number": number}))["repository"]["pullRequest"]
        assert (d["changedFiles"], d["files"]["totalCount"]) == (3105, 3000)


REVIEWS_QUERY = """
query($number: Int!, $after: String) {
  repository(owner: "octo-org", name: "demo") {
    pullRequest(number: $number) {
      reviews(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { id databaseId fullDatabaseId state body submittedAt authorAssociation url
                author { __typename login } commit { oid } }
      }
    }
  }
}"""


def test_reviews_paginate_and_equal_rest(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    numbers = [n for n, rs in repo.reviews.items() if len(rs) >= 3][:5]
    numbers += [n for n, rs in repo.reviews.items() if any(r["user"] is None for r in rs)][:1]
    assert len(numbers) >= 3
    for number in numbers:
        nodes, pages = walk(gh, REVIEWS_QUERY, ["repository", "pullRequest", "reviews"], {"number": number})
        rest = rest_all(gh, f"/repos/{REPO}/pulls/{number}/reviews")
        assert pages == -(-len(rest) // 2)
        for n, r in zip(nodes, rest, strict=True):
            assert (n["id"], n["databaseId"], n["fullDatabaseId"]) == (r["node_id"], r["id"], str(r["id"]))
            assert (n["state"], n["body"], n["submittedAt"]) == (r["state"], r["body"], r["submitted_at"])
            assert (n["authorAssociation"], n["url"]) == (r["author_association"], r["html_url"])
            assert n["commit"] == {"oid": r["commit_id"]}
            if r["user"] is None:
                assert n["author"] is None
            else:
                assert n["author"]["login"] == r["user"]["login"].removesuffix("[bot]")


CHECKS_QUERY = """
query($number: Int!, $after: String) {
  repository(owner: "octo-org", name: "demo") {
    pullRequest(number: $number) {
      headRefOid
      commits(last: 1) { nodes { commit { oid
        checkSuites(first: 10) { totalCount nodes { databaseId status conclusion app { slug name }
          checkRuns(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
            nodes { databaseId name status conclusion startedAt completedAt detailsUrl } } } }
        statusCheckRollup { state contexts(first: 100) { totalCount nodes {
          __typename ... on CheckRun { databaseId checkSuite { app { slug } } } } } }
      } } }
    }
  }
}"""


def test_check_runs_paginate_and_equal_rest(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    with_runs = [
        n for n in repo.pull_details if len(repo.check_runs[repo.pull_details[n]["head"]["sha"]]) >= 3
    ]
    without = [n for n in repo.pull_details if len(repo.commits[n]) >= 2]  # older commits: no runs
    assert with_runs and without
    for number in with_runs[:4]:
        runs: list[Any] = []
        after = None
        while True:
            pr = data(post(gh, CHECKS_QUERY, {"number": number, "after": after}))["repository"]["pullRequest"]
            commit = pr["commits"]["nodes"][0]["commit"]
            assert commit["oid"] == pr["headRefOid"]
            [suite] = commit["checkSuites"]["nodes"]
            assert suite["app"] == {"slug": "github-actions", "name": "GitHub Actions"}
            runs.extend(suite["checkRuns"]["nodes"])
            if not suite["checkRuns"]["pageInfo"]["hasNextPage"]:
                break
            after = suite["checkRuns"]["pageInfo"]["endCursor"]
        r = session().get(f"{gh.url}/repos/{REPO}/commits/{pr['headRefOid']}/check-runs", timeout=10).json()
        assert runs == [
            {
                "databaseId": x["id"],
                "name": x["name"],
                "status": x["status"].upper(),
                "conclusion": x["conclusion"].upper() if x["conclusion"] else None,
                "startedAt": x["started_at"],
                "completedAt": x["completed_at"],
                "detailsUrl": x["details_url"],
            }
            for x in r["check_runs"]
        ]
        assert suite["databaseId"] == r["check_runs"][0]["check_suite"]["id"]
        rollup = commit["statusCheckRollup"]
        assert [c["databaseId"] for c in rollup["contexts"]["nodes"]] == [x["id"] for x in r["check_runs"]]
        done = all(x["status"] == "completed" for x in r["check_runs"])
        assert suite["status"] == ("COMPLETED" if done else "IN_PROGRESS")
        assert rollup["state"] in (("SUCCESS", "FAILURE") if done else ("PENDING",))
    first_commit = CHECKS_QUERY.replace("commits(last: 1)", "commits(first: 1)")
    pr = data(post(gh, first_commit, {"number": without[0]}))["repository"]["pullRequest"]
    commit = pr["commits"]["nodes"][0]["commit"]
    assert commit["checkSuites"]["totalCount"] == 0 and commit["statusCheckRollup"] is None


def test_labels_and_assignees_paginate(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    q = """query($number: Int!, $after: String) { repository(owner: "octo-org", name: "demo") {
      pullRequest(number: $number) { labels(first: 1, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { name } } } } }"""
    number = next(n for n, d in repo.pull_details.items() if len(d["labels"]) >= 2)
    nodes, pages = walk(gh, q, ["repository", "pullRequest", "labels"], {"number": number})
    assert [x["name"] for x in nodes] == [lb["name"] for lb in repo.pull_details[number]["labels"]]
    assert pages == len(nodes)
    q = q.replace("labels", "assignees").replace("{ name }", "{ login }")
    number = next(n for n, d in repo.pull_details.items() if len(d["assignees"]) >= 2)
    nodes, pages = walk(gh, q, ["repository", "pullRequest", "assignees"], {"number": number})
    assert [x["login"] for x in nodes] == [u["login"] for u in repo.pull_details[number]["assignees"]]


def test_user_profiles_in_one_aliased_query(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    logins = [c["login"] for c in repo.contributors if c["type"] == "User"][:5]
    fields = "login databaseId name email company location createdAt"
    q = "query {" + " ".join(f'u{i}: user(login: "{lg}") {{ {fields} }}' for i, lg in enumerate(logins)) + "}"
    d = data(post(gh, q))
    for i, login in enumerate(logins):
        rest = session().get(f"{gh.url}/users/{login}", timeout=10).json()
        assert d[f"u{i}"] == {
            "login": rest["login"],
            "databaseId": rest["id"],
            "name": rest["name"],
            "email": rest["email"] or "",
            "company": rest["company"],
            "location": rest["location"],
            "createdAt": rest["created_at"],
        }
    body = post(
        gh, 'query { a: user(login: "dependabot[bot]") { login } b: user(login: "nobody-here") { login } }'
    ).json()
    assert body["data"] == {"a": None, "b": None}
    assert [(e["type"], e["path"]) for e in body["errors"]] == [("NOT_FOUND", ["a"]), ("NOT_FOUND", ["b"])]
    assert body["errors"][1]["message"] == "Could not resolve to a User with the login of 'nobody-here'."


def test_not_found_node_and_unmodeled_fields(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    body = post(gh, 'query { repository(owner: "octo-org", name: "nope") { id } }').json()
    assert body["data"] == {"repository": None}
    assert body["errors"][0]["type"] == "NOT_FOUND"
    assert body["errors"][0]["message"] == "Could not resolve to a Repository with the name 'octo-org/nope'."
    pr = repo.pull_details[repo.pulls[3]["number"]]
    d = data(
        post(gh, "query($id: ID!) { node(id: $id) { ... on PullRequest { number } } }", {"id": pr["node_id"]})
    )
    assert d == {"node": {"number": pr["number"]}}
    body = post(gh, 'query { repository(owner: "octo-org", name: "demo") { stargazerCount } }').json()
    assert body["errors"][0]["type"] == "NOT_MODELED"
    assert "Repository.stargazerCount" in body["errors"][0]["message"]


def test_shared_example_query_runs_clean(gh: FakeGitHub) -> None:
    d = data(post(gh, SHARED_EXAMPLE.read_text(), {"owner": OWNER, "name": NAME}))
    assert len(d["repository"]["pullRequests"]["nodes"]) == 50
    assert d["rateLimit"]["nodeCount"] == 50 + 4 * 50 * 100
    assert d["rateLimit"]["cost"] == 2  # (1 + 4 * 50) / 100 rounded


# -- accounting and limits over HTTP -------------------------------------------------------

# 1 + 3 * 100 = 301 requests: 3 points; 100 + 300 nodes.
COST3 = """query { rateLimit { cost limit remaining used resetAt nodeCount }
  repository(owner: "octo-org", name: "demo") { pullRequests(first: 100) { nodes { number
    labels(first: 1) { totalCount } assignees(first: 1) { totalCount } reviews(first: 1) { totalCount } } } } }"""


def test_rate_limit_accounting(repo: GeneratedRepo) -> None:
    faults = Faults(graphql_limit=100, reset_seconds=60.0, core_limit=50)
    with FakeGitHub(repos=[repo], tokens={TOKEN, OTHER}, faults=faults) as gh:
        r = post(gh, COST3)
        rate = data(r)["rateLimit"]
        assert {k: rate[k] for k in ("cost", "limit", "remaining", "used", "nodeCount")} == {
            "cost": 3,
            "limit": 100,
            "remaining": 97,
            "used": 3,
            "nodeCount": 400,
        }
        h = r.headers
        assert (h["x-ratelimit-resource"], h["x-ratelimit-limit"], h["x-ratelimit-used"]) == (
            "graphql",
            "100",
            "3",
        )
        assert h["x-ratelimit-remaining"] == "97"
        reset = int(h["x-ratelimit-reset"])
        assert rate["resetAt"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(reset))
        assert data(post(gh, COST3))["rateLimit"]["used"] == 6
        # REST's core budget is apart, and /rate_limit shows both.
        rest = session().get(f"{gh.url}/repos/{REPO}", timeout=10)
        assert (rest.headers["x-ratelimit-resource"], rest.headers["x-ratelimit-used"]) == ("core", "1")
        resources = session().get(f"{gh.url}/rate_limit", timeout=10).json()["resources"]
        assert resources["graphql"] == {"limit": 100, "used": 6, "remaining": 94, "reset": reset}
        assert resources["core"]["used"] == 1
        # Another token has its own budget.
        assert data(post(gh, COST3, token=OTHER))["rateLimit"]["used"] == 3
        # Rejected queries cost nothing; a dry run costs nothing and resolves nothing else.
        rejected = post(gh, '{ repository(owner: "octo-org", name: "demo") { pullRequests { totalCount } } }')
        assert rejected.json()["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
        assert rejected.headers["x-ratelimit-used"] == "6"
        dry = data(post(gh, COST3.replace("rateLimit {", "rateLimit(dryRun: true) {")))
        assert dry["repository"] is None and dry["rateLimit"]["cost"] == 0 and dry["rateLimit"]["used"] == 6
        assert gh.graphql.stats.costs == [3, 3, 3, 0] and gh.graphql.stats.points == 9
        assert gh.graphql.stats.max_nodes == 400 and gh.graphql.stats.rejected == 1


def test_query_limits_answered_like_github(gh: FakeGitHub) -> None:
    over = post(
        gh,
        """{ repository(owner: "octo-org", name: "demo") { pullRequests(first: 100) { nodes {
        commits(first: 100) { nodes { commit { checkSuites(first: 100) { nodes {
        checkRuns(first: 1) { totalCount } } } } } } } } } }""",
    )
    assert over.status_code == 200
    body = over.json()
    assert "data" not in body
    assert body["errors"][0]["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert body["errors"][0]["message"] == (
        "This query requests up to 2,010,100 nodes which exceeds the maximum limit of 500,000."
    )
    excessive = post(
        gh, '{ repository(owner: "octo-org", name: "demo") { pullRequests(first: 101) { totalCount } } }'
    )
    assert excessive.json()["errors"][0]["message"] == (
        "Requesting 101 records on the `pullRequests` connection exceeds the `first` limit of 100 records."
    )
    syntax = post(gh, "{ repository(owner: ")
    assert syntax.status_code == 200 and "Syntax Error" in syntax.json()["errors"][0]["message"]
    invalid = post(gh, '{ repository(owner: "octo-org", name: "demo") { nope } }').json()
    assert invalid["errors"][0]["locations"] == [{"line": 1, "column": 49}]
    assert gh.graphql.stats.queries == 0 and gh.graphql.stats.points == 0


def obeying_post(gh: FakeGitHub, query: str, tries: int = 10) -> requests.Response:
    """A minimal well-behaved GraphQL client: waits out every limit it is told about."""
    for _ in range(tries):
        r = post(gh, query)
        limited = r.status_code in (403, 429) or (
            r.status_code == 200
            and any(e.get("type") in ("RATE_LIMITED", "RATE_LIMIT") for e in r.json().get("errors", []))
        )
        if limited and "retry-after" in r.headers:
            time.sleep(int(r.headers["retry-after"]))
            continue
        if r.headers.get("x-ratelimit-remaining") == "0":
            time.sleep(max(0.0, int(r.headers["x-ratelimit-reset"]) - time.time()) + 0.01)
        if limited:
            continue
        return r
    raise AssertionError("no answer")


@pytest.mark.parametrize("form", ["RATE_LIMITED", "RATE_LIMIT", "403", "429"])
def test_primary_limit_overdraw_and_violations(repo: GeneratedRepo, form: str) -> None:
    faults = Faults(graphql_limit=5, reset_seconds=3.0, graphql_limited_answer=form)
    with FakeGitHub(repos=[repo], tokens={TOKEN, OTHER}, faults=faults) as gh:
        assert data(post(gh, COST3))["rateLimit"]["remaining"] == 2
        r = post(gh, COST3)  # 2 points left, costs 3: runs and overdraws
        assert data(r)["rateLimit"]["used"] == 6 and data(r)["rateLimit"]["remaining"] == 0
        assert (r.headers["x-ratelimit-used"], r.headers["x-ratelimit-remaining"]) == ("6", "0")
        assert gh.stats.violations == 0
        r = post(gh, COST3)  # ignores remaining=0
        assert r.headers["x-ratelimit-remaining"] == "0"
        if form in ("403", "429"):
            assert r.status_code == int(form)
            assert r.json()["message"].startswith("API rate limit exceeded for user ID")
        else:
            assert r.status_code == 200
            [error] = r.json()["errors"]
            assert error["type"] == form and "data" not in r.json()
            assert ("code" in error) == (form == "RATE_LIMIT")
            assert error.get("code", "graphql_rate_limit") == "graphql_rate_limit"
        assert gh.stats.violations == 1 and gh.stats.rate_limited == 1
        assert "GraphQL budget of 5 points spent" in gh.stats.violation_log[0]
        assert data(post(gh, COST3, token=OTHER))["rateLimit"]["used"] == 3
        time.sleep(max(0.0, int(r.headers["x-ratelimit-reset"]) - time.time()) + 0.01)
        assert data(post(gh, COST3))["rateLimit"]["used"] == 3
        assert gh.stats.violations == 1


def test_primary_limit_zero_violations_when_obeyed(repo: GeneratedRepo) -> None:
    faults = Faults(graphql_limit=7, reset_seconds=1.0)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        for _ in range(6):
            assert obeying_post(gh, COST3).status_code == 200
        assert gh.stats.violations == 0 and gh.stats.rate_limited == 0
        assert gh.graphql.stats.points == 18


def test_secondary_points_per_minute(repo: GeneratedRepo) -> None:
    faults = Faults(graphql_points_per_minute=2, graphql_minute_seconds=3.0, secondary_retry_after=1)
    execution_schema()  # built before the minute starts
    with FakeGitHub(repos=[repo], tokens={TOKEN, OTHER}, faults=faults) as gh:
        q = "{ rateLimit { cost } }"
        assert [post(gh, q).status_code for _ in range(2)] == [200, 200]
        r = post(gh, q)
        assert r.status_code == 403 and "secondary rate limit" in r.json()["message"]
        wait = int(r.headers["retry-after"])  # until the minute is over
        assert 1 <= wait <= 3
        assert post(gh, q).status_code == 403  # ignores retry-after
        assert gh.stats.violations == 1 and "secondary" in gh.stats.violation_log[0]
        assert post(gh, q, token=OTHER).status_code == 200  # per token
        time.sleep(wait + 0.05)
        assert post(gh, q).status_code == 200
        assert gh.stats.violations == 1
        assert gh.stats.faults["graphql_points_per_minute"] == 1


def test_secondary_block_shared_with_rest(repo: GeneratedRepo) -> None:
    faults = Faults(secondary_every=2, secondary_retry_after=1, secondary_status=429)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        q = "{ rateLimit { cost } }"
        assert post(gh, q).status_code == 200
        r = post(gh, q)
        assert r.status_code == 429 and r.headers["retry-after"] == "1"
        time.sleep(0.3)  # past the grace for requests on other connections
        assert session().get(f"{gh.url}/repos/{REPO}", timeout=10).status_code == 429
        assert gh.stats.violations == 1
        time.sleep(2.05)  # the quiet period and the minute are over
        assert post(gh, q).status_code == 200 and gh.stats.violations == 1


def test_concurrency_shared_with_rest(repo: GeneratedRepo) -> None:
    faults = Faults(max_concurrency=1, secondary_retry_after=1)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults, latency=0.4) as gh:
        with ThreadPoolExecutor(2) as pool:
            a = pool.submit(post, gh, "{ rateLimit { cost } }")
            time.sleep(0.1)
            b = pool.submit(lambda: session().get(f"{gh.url}/repos/{REPO}", timeout=10))
            codes = sorted([a.result().status_code, b.result().status_code])
        assert codes == [200, 403] and gh.stats.violations == 1
        assert "in flight" in gh.stats.violation_log[0]


@pytest.mark.parametrize("answer", ["502", "504", "timeout", "resource_limits"])
def test_heavy_queries_fail_and_still_cost(repo: GeneratedRepo, answer: str) -> None:
    faults = Faults(graphql_heavy_nodes=300, graphql_heavy_answer=answer, graphql_limit=1000)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        light = COST3.replace("first: 100", "first: 50")  # 200 nodes
        assert data(post(gh, light))["rateLimit"]["nodeCount"] == 200
        r = post(gh, COST3)  # 400 nodes
        assert r.headers["x-ratelimit-used"] == str(2 + 3)
        if answer in ("502", "504"):
            assert r.status_code == int(answer)
            assert r.json()["message"].startswith("We couldn't respond to your request in time.")
        elif answer == "timeout":
            assert r.status_code == 200 and r.json()["data"] is None
            assert "may be the result of a timeout" in r.json()["errors"][0]["message"]
        else:
            body = r.json()
            assert r.status_code == 200 and body["data"]["repository"] is None
            assert body["data"]["rateLimit"]["cost"] == 3
            assert body["errors"] == [
                {
                    "type": "RESOURCE_LIMITS_EXCEEDED",
                    "path": ["repository"],
                    "message": "Resource limits for this query exceeded.",
                }
            ]
        assert post(gh, COST3).status_code == r.status_code  # every time, until the query shrinks
        assert gh.graphql.stats.answers["heavy"] == 2 and gh.stats.violations == 0


def test_heavy_by_cost(repo: GeneratedRepo) -> None:
    faults = Faults(graphql_heavy_cost=2, graphql_heavy_delay=1.0)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        with pytest.raises(requests.exceptions.ReadTimeout):  # a client that gives up first
            session().post(f"{gh.url}/graphql", json={"query": COST3}, timeout=0.2)
        assert post(gh, COST3).status_code == 502
        assert post(gh, COST3.replace("first: 100", "first: 60")).status_code == 200  # 181 requests: 2


PAGE_QUERY = """query { repository(owner: "octo-org", name: "demo") {
  pullRequests(first: 10) { nodes { number title } edges { node { number } } } } }"""


@pytest.mark.parametrize("once", [True, False])
def test_partial_data_one_pr_not_found(repo: GeneratedRepo, once: bool) -> None:
    target = repo.pulls[3]["number"]
    faults = Faults(graphql_missing_prs=frozenset({target}), graphql_missing_once=once)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        body = post(gh, PAGE_QUERY).json()
        prs = body["data"]["repository"]["pullRequests"]
        assert prs["nodes"][3] is None and prs["edges"][3]["node"] is None
        assert [n["number"] for n in prs["nodes"] if n] == [
            p["number"] for p in repo.pulls[:10] if p["number"] != target
        ]
        assert {e["type"] for e in body["errors"]} == {"NOT_FOUND"}
        assert body["errors"][0]["path"][:4] == ["repository", "pullRequests", "nodes", 3]
        assert f"number of {target}." in body["errors"][0]["message"]
        again = post(gh, PAGE_QUERY).json()
        assert ("errors" in again) is not once
        assert (again["data"]["repository"]["pullRequests"]["nodes"][3] is None) is not once


def test_one_resource_refused(repo: GeneratedRepo) -> None:
    faults = Faults(graphql_forbidden=frozenset({"Commit.checkSuites"}))
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        number = repo.pulls[0]["number"]
        body = post(gh, CHECKS_QUERY, {"number": number}).json()
        commit = body["data"]["repository"]["pullRequest"]["commits"]["nodes"][0]["commit"]
        assert commit["checkSuites"] is None and commit["oid"]
        [error] = body["errors"]
        assert (error["type"], error["message"]) == ("FORBIDDEN", "Resource not accessible by integration")


def test_transport_faults_once_per_query(repo: GeneratedRepo) -> None:
    q1, q2 = "{ rateLimit { cost } }", "{ rateLimit { used } }"
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(server_error_every=2)) as gh:
        assert post(gh, q1).status_code == 200
        assert post(gh, q2).status_code == 502
        assert post(gh, q2).status_code == 200  # the retry gets through
        assert gh.stats.faults["server_error"] == 1
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(reset_every=1)) as gh:
        with pytest.raises(requests.ConnectionError):
            post(gh, q1)
        assert post(gh, q1).status_code == 200
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(truncate_every=1)) as gh:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            post(gh, q1).json()
        assert post(gh, q1).status_code == 200


def test_secondary_points_per_minute_without_retry_after(repo: GeneratedRepo) -> None:
    faults = Faults(
        graphql_points_per_minute=1,
        graphql_minute_seconds=2.0,
        secondary_retry_after=None,
        secondary_quiet_seconds=1.0,
    )
    execution_schema()  # built before the minute starts
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        q = "{ rateLimit { cost } }"
        assert post(gh, q).status_code == 200
        r = post(gh, q)
        assert r.status_code == 403 and "retry-after" not in r.headers
        assert post(gh, q).status_code == 403
        assert gh.stats.violations == 1
        time.sleep(2.05)  # the quiet period and the minute are over
        assert post(gh, q).status_code == 200 and gh.stats.violations == 1


def test_review_requests_paginate(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    q = """query($number: Int!, $after: String) { repository(owner: "octo-org", name: "demo") {
      pullRequest(number: $number) { reviewRequests(first: 1, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { requestedReviewer { ... on User { login } } } } } } }"""
    number = next(n for n, d in repo.pull_details.items() if len(d["requested_reviewers"]) >= 2)
    nodes, pages = walk(gh, q, ["repository", "pullRequest", "reviewRequests"], {"number": number})
    expected = [u["login"] for u in repo.pull_details[number]["requested_reviewers"]]
    assert [x["requestedReviewer"]["login"] for x in nodes] == expected and pages == len(expected)


def test_cli_presets_are_valid_faults() -> None:
    from tests.fakegithub.__main__ import FAULT_PRESETS

    graphql = {k: Faults(**v) for k, v in FAULT_PRESETS.items() if k.startswith("graphql")}  # type: ignore[arg-type]
    assert graphql["graphql-secondary"].graphql_points_per_minute == 2000
    assert graphql["graphql-primary403"].graphql_limited_answer == "403"


def test_nested_connections_continue_through_node(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    """A nested list is continued by its parent's global id, as an extractor does."""
    number = repo.edge_cases["many_commits"]
    pr_id = repo.pull_details[number]["node_id"]
    q = """query($id: ID!, $after: String) { node(id: $id) { ... on PullRequest {
      commits(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { commit { oid } } } } } }"""
    nodes, pages = walk(gh, q, ["node", "commits"], {"id": pr_id})
    assert [n["commit"]["oid"] for n in nodes] == [c["sha"] for c in repo.commits[number]]
    assert pages == 3
    head = repo.pull_details[repo.pulls[0]["number"]]["head"]["sha"]
    d = data(
        post(
            gh,
            "query($id: ID!) { node(id: $id) { ... on Commit { oid checkSuites(first: 5) { nodes { id } } } } }",
            {"id": repo.commit_detail[head]["node_id"]},
        )
    )
    assert d["node"]["oid"] == head
    for suite in d["node"]["checkSuites"]["nodes"]:
        s = data(
            post(
                gh,
                "query($id: ID!) { node(id: $id) { ... on CheckSuite { checkRuns(first: 100) { totalCount } } } }",
                {"id": suite["id"]},
            )
        )
        assert s["node"]["checkRuns"]["totalCount"] == len(repo.check_runs[head])
    bad = post(gh, '{ node(id: "nope") { id } }').json()
    assert bad["data"] == {"node": None} and bad["errors"][0]["type"] == "NOT_FOUND"
    odd = session().post(
        f"{gh.url}/graphql", json={"query": "{ rateLimit { cost } }", "variables": [1]}, timeout=10
    )
    assert odd.status_code == 400
