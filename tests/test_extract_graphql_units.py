"""Pure core of the GraphQL extractor: query texts, cost, answer classification, rows, paging."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import parse, validate
from prseed.extract import github
from prseed.extract.graphql import cost
from prseed.extract.graphql import query as q
from prseed.extract.graphql import rows as grows
from prseed.extract.graphql.client import (
    Answer,
    GraphQLStats,
    HeavyQueryError,
    _spent,
    budget_headers,
    classify_answer,
    graphql_url,
)
from prseed.extract.graphql.pager import (
    DEFAULT_PAGE,
    GraphQLBatchRunner,
    PageSizer,
    SlotGate,
    fetch_profiles,
    fetch_pull_list,
)
from prseed.extract.http import Outcome

from tests.fakegithub.graphql.schema import github_schema

# -- every query prseed sends validates against GitHub's public schema ---------------------------


def all_queries() -> list[tuple[str, str, dict[str, Any]]]:
    """Every shape of query the extractor can send, with its variables."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for state in ("all", "open", "closed"):
        out.append((f"list-{state}", q.list_query(state), {"owner": "o", "name": "r", "after": None}))
    for stats in (True, False):
        out.append((f"details-{stats}", q.details_query([1, 2, 3], stats), {"owner": "o", "name": "r"}))
        items = [q.Continuation("PR_x", c.key, "cur", 100) for c in q.connections(stats)]
        text, variables = q.continuation_query(items, stats)
        out.append((f"more-{stats}", text, variables))
    # The comment queries: first pages through named fragments, next pages after their cursors.
    firsts = [q.Continuation(f"R{i}", "review_comments", None, 20) for i in range(3)]
    threads = [q.Continuation(f"PR{i}", "review_threads", None, 20) for i in range(2)]
    later = [
        q.Continuation("R9", "review_comments", "cur", 100),
        q.Continuation("PR9", "review_threads", "cur", 20),
    ]
    text, variables = q.continuation_query([*firsts, *later, *threads], True)
    out.append(("comments", text, variables))
    text, variables = q.users_query(["alice", "bob"])
    out.append(("users", text, variables))
    return out


@pytest.mark.parametrize("name,text,variables", all_queries(), ids=[n for n, _, _ in all_queries()])
def test_every_query_validates_against_the_public_schema(name, text, variables):
    errors = validate(github_schema(), parse(text))
    assert [e.message for e in errors] == []
    # And it stays inside GitHub's query limits (first/last 1..100, 500,000 nodes).
    assert cost.query_cost(text, variables).nodes <= cost.NODE_LIMIT


# -- cost: GitHub's worked examples -----------------------------------------------------------------

DOCS_SIMPLE = """
query { viewer { repositories(first: 50) { edges { repository:node { name
  issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } } }
"""
DOCS_COMPLEX = """
query { viewer { repositories(first: 50) { edges { repository:node { name
  pullRequests(first: 20) { edges { pullRequest:node { title
    comments(first: 10) { edges { comment:node { bodyHTML } } } } } }
  issues(first: 20) { totalCount edges { issue:node { title bodyHTML
    comments(first: 10) { edges { comment:node { bodyHTML } } } } } } } } }
  followers(first: 10) { edges { follower:node { login } } } } }
"""
DOCS_SCORE = """
query { viewer { login repositories(first: 100) { edges { node { id
  issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } } }
"""


def test_cost_of_githubs_worked_examples():
    # docs.github.com, "Rate limits and query limits for the GraphQL API": 550 and 22,060 nodes;
    # the score example needs 1 + 100 + 5,000 = 5,101 requests, i.e. 51 points.
    assert cost.query_cost(DOCS_SIMPLE).nodes == 550
    assert cost.query_cost(DOCS_COMPLEX).nodes == 22_060
    score = cost.query_cost(DOCS_SCORE)
    assert (score.requests, score.points) == (5_101, 51)
    assert score.nodes == 100 + 100 * 50 + 100 * 50 * 60


def test_cost_rules_rounding_minimum_variables_fragments_and_limits():
    assert cost.points_for(0) == 1 and cost.points_for(149) == 1 and cost.points_for(150) == 2
    text = "query($n: Int!) { viewer { ...F } } fragment F on User { repositories(first: $n) { totalCount } }"
    assert cost.query_cost(text, {"n": 30}).nodes == 30
    with pytest.raises(cost.QueryLimitError, match="1..100"):
        cost.query_cost("query { viewer { repositories(first: 101) { totalCount } } }")
    with pytest.raises(cost.QueryLimitError, match="1..100"):
        cost.query_cost("query($n: Int) { viewer { repositories(first: $n) { totalCount } } }", {})
    deep = (
        "query { viewer { repositories(first: 100) { nodes { issues(first: 100) { nodes { "
        "labels(first: 100) { nodes { name } } } } } } } }"
    )
    with pytest.raises(cost.QueryLimitError, match="500,000"):
        cost.query_cost(deep)


@pytest.mark.parametrize("page", [1, 8, 16, 25, 32, 50, 64, 100])
def test_details_query_cost_and_nodes_per_page(page):
    c = cost.query_cost(q.details_query(list(range(1, page + 1)), True), {"owner": "o", "name": "r"})
    # Eight connections per PR (with the conversation comments): 0.08 points per PR before rounding.
    assert c.requests == 8 * page
    assert c.points == max(1, (8 * page + 50) // 100)
    assert c.nodes <= 400 * page


def test_default_page_costs_an_eighteenth_of_a_point_per_pr():
    listing = cost.query_cost(q.list_query("all"), {"owner": "o", "name": "r", "after": None})
    assert listing.points == 1 and q.LIST_PAGE == 100
    c = cost.query_cost(q.details_query(list(range(1, DEFAULT_PAGE + 1)), True), {"owner": "o", "name": "r"})
    # 144 requests: GitHub rounds 1.44 to 1 point; one more PR (152 requests) would cost 2.
    assert (c.requests, c.points) == (144, 1)
    assert c.points / DEFAULT_PAGE + listing.points / q.LIST_PAGE <= 0.1
    more = cost.query_cost(
        q.details_query(list(range(1, DEFAULT_PAGE + 2)), True), {"owner": "o", "name": "r"}
    )
    assert more.points == 2
    # The comment queries: 149 aliases of review comments, 7 of review threads, 1 point each.
    for key, n in (
        ("review_comments", q.REVIEW_COMMENTS_PER_QUERY),
        ("review_threads", q.REVIEW_THREADS_PER_QUERY),
    ):
        text, variables = q.continuation_query([q.Continuation("id", key, None, 20)] * n, True)
        assert cost.query_cost(text, variables).points == 1
        text, variables = q.continuation_query([q.Continuation("id", key, None, 20)] * (n + 1), True)
        assert cost.query_cost(text, variables).points == 2


# -- endpoint and answer classification ------------------------------------------------------------


def test_graphql_url_for_github_and_enterprise_server():
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/graphql"
    assert graphql_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/graphql"


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    "errors",
    [
        [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}],
        [{"type": "RATE_LIMIT", "code": "graphql_rate_limit", "message": "Rate limit exceeded"}],
        [{"extensions": {"code": "graphql_rate_limit"}, "message": "limited"}],
    ],
)
def test_every_form_of_rate_limited_answer_is_a_primary_limit(errors):
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"}
    verdict = classify_answer(200, headers, _body({"data": None, "errors": errors}))
    assert verdict.classified.outcome is Outcome.PRIMARY_LIMIT
    assert verdict.classified.reset == 1_700_000_000


def test_secondary_heavy_partial_and_fatal_answers():
    sec = classify_answer(
        403, {"retry-after": "7"}, _body({"message": "You have exceeded a secondary rate limit."})
    )
    assert sec.classified.outcome is Outcome.SECONDARY_LIMIT and sec.classified.retry_after == 7
    for status, body in [
        (502, b"<html>bad gateway</html>"),
        (504, b""),
        (200, _body({"data": None, "errors": [{"message": "Something went wrong ... a timeout"}]})),
        (200, _body({"errors": [{"message": "Resource limits for this query exceeded."}]})),
    ]:
        verdict = classify_answer(status, {}, body)
        assert (verdict.classified.outcome, verdict.heavy) == (Outcome.TRANSIENT, True), status
    partial = classify_answer(
        200, {}, _body({"data": {"u0": None}, "errors": [{"type": "NOT_FOUND", "path": ["u0"]}]})
    )
    assert partial.classified.outcome is Outcome.OK and partial.payload is not None
    fatal = classify_answer(200, {}, _body({"errors": [{"message": "Field 'x' doesn't exist"}]}))
    assert fatal.classified.outcome is Outcome.FATAL
    # Invalid text is repaired as in every REST answer (issue 10), not retried: bytes that are
    # not UTF-8 and lone surrogates become U+FFFD, each repaired string counted.
    bad = classify_answer(200, {}, b'{"data": {"t": "\xff\xfe"}}')
    assert bad.classified.outcome is Outcome.OK and not bad.heavy
    assert bad.payload == {"data": {"t": "\ufffd\ufffd"}} and bad.repairs == 1
    lone = classify_answer(200, {}, b'{"data": {"a": "x\\ud83d", "b": "\\ud83d\\ude00", "c": ["\\udc00"]}}')
    assert lone.payload == {"data": {"a": "x\ufffd", "b": "\U0001f600", "c": ["\ufffd"]}}
    assert lone.repairs == 2
    not_json = classify_answer(200, {}, b'{"data": ')
    assert not_json.classified.outcome is Outcome.TRANSIENT and not not_json.heavy
    assert classify_answer(401, {}, b"{}").classified.outcome is Outcome.AUTH


def test_budget_from_headers_and_the_rate_limit_object():
    data = {"rateLimit": {"cost": 4, "remaining": 120, "resetAt": "2026-11-29T10:00:00Z", "limit": 5000}}
    learned = budget_headers({}, data)
    assert learned.remaining == 120
    assert learned.limit == 5000
    assert learned.resource == "graphql"
    assert learned.reset == datetime(2026, 11, 29, 10, tzinfo=UTC).timestamp()
    # The lower of the two wins; an overdrawn budget (used 5,004 of 5,000) stays negative.
    assert budget_headers({"X-RateLimit-Remaining": "80"}, data).remaining == 80
    overdrawn = {"rateLimit": {"cost": 9, "remaining": -4, "resetAt": None}}
    assert budget_headers({"x-ratelimit-remaining": "0"}, overdrawn).remaining == -4


# -- adaptive page size ------------------------------------------------------------------------------


def test_page_sizer_halves_on_heavy_and_grows_back_after_successes():
    sizer = PageSizer()
    assert sizer.size == DEFAULT_PAGE == 18
    assert [sizer.too_heavy() for _ in range(6)] == [9, 4, 2, 1, 1, 1]
    grown = [sizer.succeeded() for _ in range(3 * 5)]
    assert grown[:3] == [1, 1, 2] and grown[-1] == 18 and max(grown) == 18
    # A resumed run starts from the stored size, not the default.
    assert PageSizer(12).size == 12
    assert PageSizer(500, ceiling=500).size == 100


# -- rows from sample nodes --------------------------------------------------------------------------

BOT = {"__typename": "Bot", "login": "dependabot", "databaseId": 49699333}
USER = {"__typename": "User", "login": "alice", "databaseId": 7}


def sample_pr(**extra: Any) -> dict[str, Any]:
    pr: dict[str, Any] = {
        "id": "PR_kwDO1",
        "fullDatabaseId": "2000000123",
        "number": 12,
        "title": "Fix",
        "body": "",
        "state": "MERGED",
        "isDraft": False,
        "createdAt": "2026-01-02T03:04:05Z",
        "updatedAt": "2026-01-03T03:04:05Z",
        "closedAt": "2026-01-03T03:04:05Z",
        "mergedAt": "2026-01-03T03:04:05Z",
        "headRefName": "fix",
        "baseRefName": "main",
        "headRefOid": "a" * 40,
        "additions": 10,
        "deletions": 2,
        "changedFiles": 2,
        "authorAssociation": "CONTRIBUTOR",
        "author": BOT,
        "milestone": None,
        "mergeCommit": {"oid": "m" * 40},
        "commits": {"totalCount": 1},
        "labels": {"totalCount": 1},
        "_labels": [{"name": "bug"}],
        "_assignees": [{"login": "alice", "databaseId": 7}],
        "_review_requests": [
            {"requestedReviewer": {"__typename": "User", "login": "bob"}},
            {"requestedReviewer": {"__typename": "Team", "slug": "core"}},
        ],
        "_commits": [
            {
                "commit": {
                    "oid": "c" * 40,
                    "message": "m",
                    "authoredDate": "2026-01-02T03:04:05Z",
                    "committedDate": "2026-01-02T03:04:12Z",
                    "additions": 10,
                    "deletions": 2,
                    "author": {"name": "A", "email": "a@x", "user": USER},
                    "committer": {"email": "49699333+dependabot[bot]@users.noreply.github.com", "user": None},
                }
            }
        ],
        "_reviews": [
            {
                "id": "PRR_1",
                "fullDatabaseId": "99",
                "state": "APPROVED",
                "submittedAt": "2026-01-03T00:00:00Z",
                "body": "",
                "authorAssociation": "MEMBER",
                "author": USER,
                "commit": {"oid": "c" * 40},
            }
        ],
        "_files": [
            {"path": "src/new.py", "additions": 10, "deletions": 0, "changeType": "RENAMED"},
            {"path": "old.py", "additions": 0, "deletions": 2, "changeType": "DELETED"},
        ],
        "_checks": [
            {
                "__typename": "CheckRun",
                "databaseId": 555,
                "name": "ci",
                "status": "COMPLETED",
                "conclusion": "TIMED_OUT",
                "startedAt": "2026-01-02T03:05:00Z",
                "completedAt": None,
                "checkSuite": {"app": {"slug": "github-actions"}},
            },
            {"__typename": "StatusContext"},
        ],
    }
    pr.update(extra)
    return pr


def test_rows_map_graphql_nodes_to_the_rest_contract():
    pr = sample_pr()
    assert grows.needs_rest_files(pr, with_patches=False)
    rest_files = [{"filename": "src/new.py", "previous_filename": "src/old_name.py", "patch": "@@"}]
    rows = grows.pr_rows("o/r", pr, rest_files, stats=True, with_patches=False)
    (row,) = rows["pull_requests"]
    assert row["id"] == 2_000_000_123 and row["node_id"] == "PR_kwDO1"
    assert (row["state"], row["body"], row["author_login"], row["author_type"]) == (
        "closed",
        None,
        "dependabot[bot]",
        "Bot",
    )
    assert row["merge_commit_sha"] == "m" * 40
    assert (
        row["requested_reviewers"] == ["bob"] and row["labels"] == ["bug"] and row["assignees"] == ["alice"]
    )
    assert not row["commits_truncated"] and not row["files_truncated"]
    raw = json.loads(row["raw"])
    assert "commits" not in raw and "_files" not in raw and raw["labels"]["nodes"] == [{"name": "bug"}]
    (commit,) = rows["commits"]
    assert (commit["author_login"], commit["author_id"], commit["parents_count"]) == ("alice", 7, None)
    assert commit["committer_login"] == "dependabot[bot]"
    assert grows.git_account({"email": "x@example.com", "user": None}) == (None, None)
    assert (commit["additions"], commit["deletions"]) == (10, 2)
    (review,) = rows["reviews"]
    assert (review["id"], review["reviewer_type"], review["state"]) == (99, "User", "APPROVED")
    renamed, removed = rows["files"]
    assert (renamed["status"], renamed["previous_filename"], renamed["patch"]) == (
        "renamed",
        "src/old_name.py",
        None,
    )
    assert (removed["status"], removed["changes"], removed["previous_filename"]) == ("removed", 2, None)
    (check,) = rows["check_runs"]
    assert (check["status"], check["conclusion"], check["app_slug"], check["head_sha"]) == (
        "completed",
        "timed_out",
        "github-actions",
        "a" * 40,
    )
    no_stats = grows.pr_rows("o/r", pr, rest_files, stats=False, with_patches=True)
    assert no_stats["commits"][0]["additions"] is None and no_stats["files"][0]["patch"] == "@@"


def test_truncation_flags_and_open_state():
    pr = sample_pr(state="OPEN", changedFiles=3500, commits={"totalCount": 1}, mergedAt=None)
    row = grows.pull_request_row("o/r", pr)
    assert row["state"] == "open" and row["files_truncated"] and not row["commits_truncated"]
    assert not grows.needs_rest_files(sample_pr(_files=[]), with_patches=True)


# -- paging over a scripted GraphQL server ------------------------------------------------------------


class _Governor:
    def __init__(self) -> None:
        self.backoffs = 0

    def backoff(self, attempt: int, base: float, key: str = "") -> float:
        self.backoffs += 1
        return 0.0


class ScriptedGraphQL:
    """Answers the pager's queries from synthetic PRs (number -> commit and file counts)."""

    backoff_base = 0.0
    max_retries = 2

    def __init__(self, prs: dict[int, tuple[int, int]], heavy_above: int = 1000, flaky: int = 0) -> None:
        self.prs = prs
        self.flaky = flaky  # this PR comes back null (NOT_FOUND) the first time
        self.heavy_above = heavy_above
        self.governor = _Governor()
        self.names: dict[str, str] = {}  # no renamed repositories
        self.sent: list[tuple[str, int]] = []

    def _conn(self, number: int, key: str, offset: int, first: int) -> dict[str, Any]:
        commits, files = self.prs[number]
        total = {"commits": commits, "files": files}.get(key, 0)
        end = min(total, offset + first)
        if key == "commits":
            nodes: list[Any] = [{"commit": {"oid": f"{number:04d}{i:036d}"}} for i in range(offset, end)]
        elif key == "files":
            nodes = [
                {"path": f"f{i}", "additions": 1, "deletions": 0, "changeType": "MODIFIED"}
                for i in range(offset, end)
            ]
        else:
            nodes = []
        return {
            "totalCount": total,
            "pageInfo": {"hasNextPage": end < total, "endCursor": f"{end}" if nodes else None},
            "nodes": nodes,
        }

    def execute(self, text: str, variables: dict[str, Any], **kw: Any) -> Answer:
        c = cost.query_cost(text, variables)
        validate_errors = validate(github_schema(), parse(text))
        assert not validate_errors
        if kw["kind"] == "graphql-details":
            numbers = [int(n) for n in re.findall(r"pullRequest\(number: (\d+)\)", text)]
            self.sent.append(("details", len(numbers)))
            if len(numbers) > self.heavy_above:
                raise HeavyQueryError("too heavy")
            repo: dict[str, Any] = {}
            errors = []
            for i, n in enumerate(numbers):
                if n == self.flaky:
                    self.flaky = 0
                    repo[f"p{i}"] = None
                    errors.append({"type": "NOT_FOUND", "path": ["repository", f"p{i}"]})
                    continue
                node: dict[str, Any] = {"id": f"PR_{n}", "number": n, "changedFiles": self.prs[n][1]}
                for conn in q.connections(True):
                    value = self._conn(n, conn.key, 0, conn.first)
                    if conn.parent:
                        node[conn.parent] = {conn.field: value}
                    else:
                        node[conn.field] = value
                repo[f"p{i}"] = node
            return Answer({"repository": repo}, errors, c)
        assert kw["kind"] == "graphql-more"
        data: dict[str, Any] = {}
        aliases = re.findall(
            r"c(\d+): node\(id: \$id\d+\) \{ \.\.\. on PullRequest \{ (?:\w+ \{ )?(\w+)\(first: (\d+)", text
        )
        self.sent.append(("more", len(aliases)))
        field_to_key = {c.field: c.key for c in q.connections(True)}
        for alias, field, first in aliases:
            number = int(variables[f"id{alias}"].split("_")[1])
            after = int(variables[f"after{alias}"])
            data[f"c{alias}"] = {field: self._conn(number, field_to_key[field], after, int(first))}
        return Answer(data, [], c)


def _runner(gql: ScriptedGraphQL, sizer: PageSizer) -> GraphQLBatchRunner:
    runner = GraphQLBatchRunner(gql, None, None, sizer, stats=True, with_patches=False)  # type: ignore[arg-type]
    return runner


def test_pager_fetches_all_262_commits_and_caps_files_at_3000():
    gql = ScriptedGraphQL({1: (262, 5), 2: (3, 3200), 3: (1, 1)})
    runner = _runner(gql, PageSizer(50, ceiling=50))
    prs = runner.fetch_details("o/r", [1, 2, 3])
    runner.fetch_continuations("o/r", prs)
    by_number = {pr["number"]: pr for pr in prs}
    assert len(by_number[1]["_commits"]) == 262
    assert len({c["commit"]["oid"] for c in by_number[1]["_commits"]}) == 262
    assert len(by_number[2]["_files"]) == 3000
    row = grows.pull_request_row(
        "o/r", {**by_number[2], "state": "OPEN", "createdAt": "2026-01-01T00:00:00Z"}
    )
    assert row["files_truncated"] and row["changed_files"] == 3200 and len(by_number[3]["_commits"]) == 1
    # One details query, then rounds of continuations for both lists at once.
    assert gql.sent[0] == ("details", 3) and gql.sent[1] == ("more", 2)


def test_pager_halves_the_page_on_heavy_answers_and_asks_every_pr_once():
    gql = ScriptedGraphQL({n: (1, 1) for n in range(1, 41)}, heavy_above=12)
    sizer = PageSizer(50, ceiling=50)
    runner = _runner(gql, sizer)
    prs = runner.fetch_details("o/r", list(range(1, 41)))
    assert [pr["number"] for pr in prs] == list(range(1, 41))
    assert gql.sent[:3] == [("details", 40), ("details", 25), ("details", 12)]
    assert sum(n for kind, n in gql.sent if kind == "details" and n <= 12) == 40
    assert gql.governor.backoffs == 2 and sizer.size <= 24


def test_profiles_in_one_aliased_query_with_a_gone_user():
    class Users:
        def execute(self, text: str, variables: dict[str, Any], **kw: Any) -> Answer:
            assert not validate(github_schema(), parse(text))
            assert kw["tolerate"]({"type": "NOT_FOUND", "path": ["u1"]})
            data = {"u0": {"login": "alice", "name": "Alice", "email": ""}, "u1": None}
            return Answer(data, [{"type": "NOT_FOUND", "path": ["u1"]}], cost.query_cost(text, variables))

    profiles = fetch_profiles(Users(), ["alice", "ghost"])  # type: ignore[arg-type]
    assert profiles == {"alice": {"login": "alice", "name": "Alice", "email": None}, "ghost": None}


def test_pager_asks_again_for_a_pr_that_came_back_null_and_keeps_the_order():
    gql = ScriptedGraphQL({n: (1, 1) for n in range(1, 6)}, flaky=2)
    prs = _runner(gql, PageSizer(50)).fetch_details("o/r", [1, 2, 3, 4, 5])
    assert [pr["number"] for pr in prs] == [1, 2, 3, 4, 5]
    assert gql.sent == [("details", 5), ("details", 1)]


def test_pager_leaves_out_a_pr_that_stays_missing_as_a_refusal():
    # As REST's 404 for a PR after the listing: the PR is left out, the run goes on, and the
    # manifest's refusals say so.
    class Gone(ScriptedGraphQL):
        def execute(self, text: str, variables: dict[str, Any], **kw: Any) -> Answer:
            self.flaky = 3
            return super().execute(text, variables, **kw)

    runner = _runner(Gone({n: (1, 1) for n in range(1, 5)}), PageSizer(50))
    prs = runner.fetch_details("o/r", [1, 2, 3, 4])
    assert [pr["number"] for pr in prs] == [1, 2, 4]
    assert [(r.repo, r.number, r.endpoint, r.target, r.status, r.effect) for r in runner.refusals] == [
        ("o/r", 3, "graphql-details", "/repos/o/r/pulls/3", 404, github.PR_GONE)
    ]


def test_points_spent_by_each_kind_of_answer():
    c = cost.QueryCost(nodes=10, requests=400, points=4)
    ok = classify_answer(200, {}, _body({"data": {"rateLimit": {"cost": 3, "remaining": 10}}}))
    assert _spent(ok, c) == 3
    assert _spent(classify_answer(200, {}, _body({"data": {"x": 1}})), c) == 4
    assert _spent(classify_answer(504, {}, b""), c) == 4  # a query stopped for time still costs
    limited = classify_answer(200, {}, _body({"data": None, "errors": [{"type": "RATE_LIMITED"}]}))
    assert _spent(limited, c) == 0


def test_a_resumed_run_starts_from_the_stored_page_size(tmp_path):
    from prseed.extract.config import ExtractConfig
    from prseed.extract.governor import Governor
    from prseed.extract.graphql.run import GRAPHQL_BATCH, GraphQLMode, batch_size
    from prseed.extract.http import Client

    config = ExtractConfig(
        project={"repos": ["o/r"]}, out_dir=tmp_path, api="graphql", api_url="http://127.0.0.1:9"
    )
    rest = Client(config.api_url, (), Governor(1))
    assert GraphQLMode(config, rest, 12, {}).sizer.size == 12
    assert GraphQLMode(config, rest, None, {}).sizer.size == DEFAULT_PAGE
    assert batch_size(config) == GRAPHQL_BATCH == 7 * DEFAULT_PAGE
    mode = GraphQLMode(config, rest, None, {"points": 7, "queries": 2})
    assert mode.totals()["points"] == 7 and mode.totals()["queries"] == 2


def test_limits_in_other_words_are_read_as_in_rest():
    # The wordings are extract.ratelimit's (issue 10), for GraphQL's 200-with-errors answers too.
    abuse = "You have triggered an abuse detection mechanism. Please wait a few minutes."
    for status, body in [
        (403, _body({"message": abuse})),
        (200, _body({"data": None, "errors": [{"message": abuse}]})),
        (429, _body({"message": "Too many requests"})),
    ]:
        verdict = classify_answer(status, {}, body)
        assert verdict.classified.outcome is Outcome.SECONDARY_LIMIT, (status, body)
    spent = _body({"data": None, "errors": [{"message": "API rate limit exceeded for user ID 1."}]})
    assert classify_answer(200, {}, spent).classified.outcome is Outcome.PRIMARY_LIMIT
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1900000000"}
    primary = classify_answer(403, headers, _body({"message": "API rate limit exceeded"}))
    assert primary.classified.outcome is Outcome.PRIMARY_LIMIT and primary.classified.reset == 1_900_000_000
    # A 403 that is no limit refuses the whole query; the client stops with a one-line error.
    denied = classify_answer(403, {}, _body({"message": "Resource not accessible by integration"}))
    assert denied.classified.outcome is Outcome.REFUSED
    # The last point spent by a good answer is no limit.
    ok = classify_answer(200, {"x-ratelimit-remaining": "0"}, _body({"data": {"x": 1}}))
    assert ok.classified.outcome is Outcome.OK


def test_a_pr_listed_twice_counts_once_toward_max_prs():
    # A new PR pushed #8 down between two pages: it comes again on page 2. The work folder keeps
    # the later copy; --max-prs 4 still means 4 distinct PRs.
    def node(n: int) -> dict[str, Any]:
        return {"number": n, "id": f"PR_{n}", "createdAt": f"2026-10-{n:02d}T00:00:00Z"}

    pages = {None: ([9, 8], "c1"), "c1": ([8, 7], "c2"), "c2": ([6, 5], None)}

    class Lister:
        max_retries = 2
        backoff_base = 0.0
        governor = _Governor()
        stats = GraphQLStats()
        names: dict[str, str] = {}  # noqa: RUF012 (no renamed repositories)

        def execute(self, text: str, variables: dict[str, Any], **kw: Any) -> Answer:
            numbers, cursor = pages[variables["after"]]
            connection = {
                "nodes": [node(n) for n in numbers],
                "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor},
            }
            data = {"repository": {"pullRequests": connection}}
            return Answer(data, [], cost.query_cost(text, variables))

    listed = [p["number"] for p in fetch_pull_list(Lister(), "o/r", max_prs=4)]  # type: ignore[arg-type]
    assert listed == [9, 8, 8, 7, 6]


def _wait_for(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_slot_gate_keeps_a_slot_for_the_query_and_lets_lists_use_all_without_one():
    gate = SlotGate(3)
    started: list[int] = []

    def fetch_list(i: int) -> None:
        with gate.rest_list():
            started.append(i)
            release.wait(5)

    release = threading.Event()
    with gate.query():
        workers = [threading.Thread(target=fetch_list, args=(i,)) for i in range(3)]
        for w in workers:
            w.start()
        _wait_for(lambda: len(started) >= 2)
        time.sleep(0.2)
        assert len(started) == 2  # a query in flight: 3 slots - 1 for the lists
    _wait_for(lambda: len(started) == 3)  # no query: the third list starts
    release.set()
    for w in workers:
        w.join(5)
    # One slot: a list may still start beside a query (the governor's cap decides).
    one = SlotGate(1)
    with one.query(), one.rest_list():
        pass
