"""Unit tests of the extract stage's pure parts: classification, governor, paginator, rows."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prseed.extract import rows
from prseed.extract.github import ENDPOINTS, later_copy_wins
from prseed.extract.governor import Governor
from prseed.extract.http import Client, Outcome, check_api_url, classify, decode_json, parse_links, scrub
from prseed.extract.paginator import smaller_page
from prseed.extract.ratelimit import parse_rate_headers
from requests.structures import CaseInsensitiveDict

from prseed.errors import ConfigError, RateLimitError, RetriableError, TransientError


def H(**kv):
    return CaseInsensitiveDict({k.replace("_", "-"): str(v) for k, v in kv.items()})


@pytest.mark.parametrize(
    ("status", "headers", "body", "outcome"),
    [
        (200, H(content_length=2), b"[]", Outcome.OK),
        (200, H(content_length=50), b"[]", Outcome.TRANSIENT),  # truncated body
        (200, H(), b'[{"a":', Outcome.TRANSIENT),  # JSON cut short
        (204, H(), b"", Outcome.OK),
        (304, H(), b"", Outcome.NOT_MODIFIED),
        (
            403,
            H(x_ratelimit_remaining=0, x_ratelimit_reset=99),
            b'{"message":"API rate limit exceeded for user"}',
            Outcome.PRIMARY_LIMIT,
        ),
        (429, H(x_ratelimit_remaining=0), b'{"message":"API rate limit exceeded"}', Outcome.PRIMARY_LIMIT),
        (
            403,
            H(x_ratelimit_remaining=10),
            b'{"message":"You have exceeded a secondary rate limit."}',
            Outcome.SECONDARY_LIMIT,
        ),
        (429, H(retry_after=3), b"{}", Outcome.SECONDARY_LIMIT),
        (
            403,
            H(x_ratelimit_remaining=10),
            b'{"message":"Resource not accessible by integration"}',
            Outcome.REFUSED,
        ),
        (401, H(), b'{"message":"Bad credentials"}', Outcome.AUTH),
        (404, H(), b'{"message":"Not Found"}', Outcome.NOT_FOUND),
        (502, H(), b"<html>bad gateway</html>", Outcome.TRANSIENT),
        (503, H(), b"", Outcome.TRANSIENT),
        (422, H(), b'{"message":"Validation Failed"}', Outcome.REFUSED),
        (400, H(), b'{"message":"Problems parsing JSON"}', Outcome.FATAL),
    ],
)
def test_classify(status, headers, body, outcome):
    assert classify(status, headers, body).outcome is outcome


def test_classify_keeps_retry_after_and_reset():
    c = classify(403, H(retry_after=7, x_ratelimit_reset=1234), b'{"message":"secondary rate limit"}')
    assert (c.retry_after, c.reset) == (7.0, 1234.0)


def test_token_never_goes_to_plain_http_elsewhere():
    with pytest.raises(ConfigError, match="plain http"):
        check_api_url("http://github.example.com/api/v3", has_token=True)
    check_api_url("http://127.0.0.1:9/api/v3", has_token=True)
    check_api_url("https://ghe.example.com/api/v3", has_token=True)
    assert scrub("x ghp_secret y", ("ghp_secret",)) == "x *** y"


def test_parse_link_follows_github_format():
    header = (
        '<https://api.github.com/r?page=2&per_page=100>; rel="next", '
        '<https://api.github.com/r?page=5&per_page=100>; rel="last"'
    )
    links = parse_links(H(link=header))
    assert {rel: link["url"] for rel, link in links.items()} == {
        "next": "https://api.github.com/r?page=2&per_page=100",
        "last": "https://api.github.com/r?page=5&per_page=100",
    }
    assert parse_links(H()) == {}


class FakeTime:
    def __init__(self, now=1_000_000.0):
        self.now = now
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def rl(remaining, reset, limit=5000):
    return parse_rate_headers(
        H(
            x_ratelimit_remaining=remaining,
            x_ratelimit_reset=reset,
            x_ratelimit_limit=limit,
            x_ratelimit_resource="core",
        )
    )


def test_governor_never_sends_on_a_spent_budget_and_waits_for_reset():
    t = FakeTime()
    g = Governor(1, points_per_minute=10**6, clock=t.clock, sleep=t.sleep)
    reset = t.now + 100
    lease = g.acquire()
    g.release(lease, rl(1, reset))
    lease = g.acquire()  # the last unit
    assert t.slept == []
    g.release(lease, rl(0, reset))
    g.acquire()  # must wait for the reset
    assert t.now >= reset
    assert g.waits.by_reason["primary"][0] == 1


def test_governor_reserves_budget_for_requests_in_flight():
    t = FakeTime()
    g = Governor(1, points_per_minute=10**6, max_concurrency=10, clock=t.clock, sleep=t.sleep)
    g.release(g.acquire(), rl(2, t.now + 50))
    a, b = g.acquire(), g.acquire()  # two in flight spend the two units left
    assert t.slept == []
    g.release(a, rl(1, t.now + 50))  # answers may report stale figures
    g.release(b, rl(1, t.now + 50))
    g.acquire()
    assert t.now >= 1_000_050


def test_governor_keeps_each_resources_requests_in_flight_apart():
    # REST lists in flight do not spend the graphql budget an answer announces.
    t = FakeTime()
    g = Governor(1, points_per_minute=10**6, max_concurrency=10, clock=t.clock, sleep=t.sleep)
    rest = [g.acquire("core") for _ in range(3)]
    query = g.acquire("graphql")
    g.release(
        query,
        parse_rate_headers(
            H(x_ratelimit_remaining=1, x_ratelimit_reset=t.now + 100, x_ratelimit_resource="graphql")
        ),
    )
    g.acquire("graphql")  # the last point, at once
    assert t.slept == [] and g.budget_left("graphql") == 0
    for lease in rest:
        g.release(lease, rl(10, t.now + 100))


def test_governor_pool_uses_the_token_with_budget_then_the_earliest_reset():
    t = FakeTime()
    g = Governor(2, points_per_minute=10**6, clock=t.clock, sleep=t.sleep)
    g.release(g.acquire(token=0), rl(0, t.now + 300))
    g.release(g.acquire(token=1), rl(3, t.now + 100))
    used = []
    for _ in range(3):
        lease = g.acquire()
        used.append(lease.token)
        g.release(lease, None)
    assert used == [1, 1, 1] and t.slept == []
    lease = g.acquire()
    assert lease.token == 1 and 1_000_100 <= t.now < 1_000_300


def test_governor_obeys_retry_after_and_backs_off_without_it():
    t = FakeTime()
    g = Governor(1, points_per_minute=10**6, secondary_min_wait=60, clock=t.clock, sleep=t.sleep)
    lease = g.acquire()
    g.release(lease, rl(100, t.now + 3000), ok=False)
    assert g.secondary_limited(0, 5).wait == pytest.approx(5.02)
    start = t.now
    g.release(g.acquire(), rl(99, t.now + 3000))  # a good answer ends the strike series
    assert t.now - start >= 5
    waits = []
    for _ in range(3):
        block = g.secondary_limited(0, None)
        assert block.started
        waits.append(block.wait)
        # Other workers' answers to the same event arrive during the block: no repeat, and
        # not a failed attempt of their requests (sent before the block was known).
        again = g.secondary_limited(0, None)
        assert again.wait == pytest.approx(waits[-1]) and not again.started
        start = t.now
        lease = g.acquire()  # sent only when the block is over: GitHub limits it again
        assert t.now - start >= waits[-1] - 1e-6
        g.release(lease, rl(98, t.now + 3000), ok=False)
    # GitHub: "wait for at least one minute"; doubled only because the limit repeated.
    assert 60 <= waits[0] <= 63 and 120 <= waits[1] <= 126 and 240 <= waits[2] <= 252
    g.release(g.acquire(), rl(97, t.now + 3000))  # a good answer ends the series
    assert 60 <= g.secondary_limited(0, None).wait <= 63


def test_governor_paces_to_points_per_minute():
    t = FakeTime()
    g = Governor(1, points_per_minute=120, max_concurrency=1000, clock=t.clock, sleep=t.sleep)
    times = []
    for _ in range(400):
        g.release(g.acquire(), None)
        times.append(t.now)
    for i in range(len(times)):
        in_window = [x for x in times if times[i] <= x < times[i] + 60]
        assert len(in_window) <= 120


def test_strip_hypermedia_and_canonical_raw():
    obj = {
        "url": "u",
        "html_url": "h",
        "id": 1,
        "_links": {"self": 1},
        "patch": "@@",
        "user": {"login": "a", "avatar_url": "x"},
        "labels": [{"name": "b", "url": "y"}],
        "title": 'NUL\u0000 é "q"',
    }
    assert rows.raw_json(obj) == (
        '{"id":1,"labels":[{"name":"b"}],"title":"NUL\\u0000 é \\"q\\"","user":{"login":"a"}}'
    )


def test_pull_request_row_counts_and_truncation():
    pull = {
        "number": 5,
        "id": 9,
        "node_id": "n",
        "title": "t\u0000",
        "body": None,
        "state": "closed",
        "draft": False,
        "user": None,
        "created_at": "2026-01-02T03:04:05Z",
        "labels": [{"name": "bug"}],
        "assignees": [{"login": "a"}],
        "milestone": {"title": "m"},
        "head": {"ref": "feature", "sha": "abc"},
        "base": {"ref": "main"},
    }
    files = [
        {"filename": "a", "additions": 3, "deletions": 1},
        {"filename": "b", "additions": 2, "deletions": 0},
    ]
    commits = [{"sha": str(i)} for i in range(250)]
    row = rows.pull_request_row("o/r", pull, files, commits)
    assert (row["additions"], row["deletions"], row["changed_files"], row["commits_count"]) == (5, 1, 2, 250)
    assert not row["commits_truncated"] and row["author_login"] is None and row["title"] == "t\u0000"
    assert row["created_at"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    detail = {"additions": 5, "deletions": 1, "changed_files": 2, "commits": 312}
    row = rows.pull_request_row("o/r", pull, files, commits, detail)
    assert row["commits_count"] == 312 and row["commits_truncated"] and not row["files_truncated"]
    assert row["labels"] == ["bug"] and row["milestone"] == "m" and row["assignees"] == ["a"]


def test_contributors_rank_and_profiles_skip_bots():
    items = [
        {"login": "dependabot[bot]", "id": 1, "type": "Bot", "contributions": 90},
        {"login": "ann", "id": 2, "type": "User", "contributions": 50},
        {"login": "bob", "id": 3, "type": "User", "contributions": 10},
    ]
    assert rows.profile_targets(items, 1) == ["ann"]
    out = rows.contributor_rows("o/r", items, {"ann": {"name": "Ann", "email": None}})
    assert [(r["login"], r["rank"], r["profile_fetched"], r["name"]) for r in out] == [
        ("dependabot[bot]", 1, False, None),
        ("ann", 2, True, "Ann"),
        ("bob", 3, False, None),
    ]


def test_file_row_keeps_patch_only_when_asked():
    item = {
        "filename": "x.py",
        "status": "renamed",
        "additions": 1,
        "deletions": 2,
        "changes": 3,
        "previous_filename": "y.py",
        "patch": "@@ -1 +1 @@",
        "blob_url": "b",
    }
    assert rows.file_row("o/r", 1, item, False)["patch"] is None
    with_patch = rows.file_row("o/r", 1, item, True)
    assert with_patch["patch"] == "@@ -1 +1 @@" and "patch" not in with_patch["raw"]


# -- issue 10: GitHub's real answers --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "message", "outcome"),
    [
        # Every wording GitHub has used for a secondary limit, with and without retry-after.
        (
            403,
            H(x_ratelimit_remaining=4000),
            "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.",
            Outcome.SECONDARY_LIMIT,
        ),
        (
            403,
            H(x_ratelimit_remaining=4000),
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            Outcome.SECONDARY_LIMIT,
        ),
        (
            403,
            H(),
            "You have exceeded a secondary rate limit and have been temporarily blocked from content creation.",
            Outcome.SECONDARY_LIMIT,
        ),
        (403, H(), "Abuse rate limit exceeded", Outcome.SECONDARY_LIMIT),
        (403, H(), "was submitted too quickly", Outcome.SECONDARY_LIMIT),
        (403, H(retry_after=30), "", Outcome.SECONDARY_LIMIT),
        (429, H(), "", Outcome.SECONDARY_LIMIT),
        (429, H(), "Too many requests", Outcome.SECONDARY_LIMIT),
        # Primary: the budget is spent (header), or the message says so without headers.
        (
            403,
            H(x_ratelimit_remaining=0, x_ratelimit_reset=99),
            "API rate limit exceeded for user ID 1.",
            Outcome.PRIMARY_LIMIT,
        ),
        (
            403,
            H(),
            "API rate limit of 60 exceeded for 192.0.2.1. (But here's the good news: ...)",
            Outcome.PRIMARY_LIMIT,
        ),
        (403, H(), "API rate limit exceeded for installation ID 7.", Outcome.PRIMARY_LIMIT),
        (429, H(x_ratelimit_remaining=0), "", Outcome.PRIMARY_LIMIT),
        # Not a limit: a refusal of the resource.
        (403, H(x_ratelimit_remaining=10), "Resource not accessible by integration", Outcome.REFUSED),
        (
            403,
            H(x_ratelimit_remaining=10),
            "The history or contributor list is too large to list contributors for this repository via the API.",
            Outcome.REFUSED,
        ),
        (409, H(), "Git Repository is empty.", Outcome.REFUSED),
        (451, H(), "Repository access blocked", Outcome.REFUSED),
        (406, H(), "Unacceptable", Outcome.FATAL),
    ],
)
def test_classify_limits_by_every_wording_and_by_headers(status, headers, message, outcome):
    body = json.dumps({"message": message}).encode() if message else b""
    assert classify(status, headers, body).outcome is outcome


def test_classify_redirects_only_with_a_location():
    moved = classify(301, H(location="/repositories/42/pulls?page=2"), b"{}")
    assert moved.outcome is Outcome.REDIRECT and moved.location == "/repositories/42/pulls?page=2"
    assert classify(307, H(location="x"), b"").outcome is Outcome.REDIRECT
    assert classify(301, H(), b"{}").outcome is Outcome.FATAL


def test_decode_json_repairs_lone_surrogates_and_bad_bytes_everywhere():
    body = b'{"title":"Fix launch crash \\ud83d","ok":"\\ud83d\\ude80 ship","\\udc00k":["\\udfff",1]}'
    data, repairs = decode_json(body)
    assert data == {"title": "Fix launch crash \ufffd", "ok": "\U0001f680 ship", "\ufffdk": ["\ufffd", 1]}
    assert repairs == 3
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # storable
    data, repairs = decode_json(b'{"name":"caf\xe9"}')  # Latin-1, not UTF-8
    assert data == {"name": "caf\ufffd"} and repairs == 1
    assert decode_json(b'{"a":"\\u00e9"}') == ({"a": "\u00e9"}, 0)


def test_smaller_page_continues_from_the_same_item():
    assert (
        smaller_page("https://h/r/pulls?state=all&per_page=100") == "https://h/r/pulls?state=all&per_page=50"
    )
    assert smaller_page("https://h/r/files?per_page=100&page=3") == "https://h/r/files?per_page=50&page=5"
    assert smaller_page("https://h/r/files?per_page=50&page=2") == "https://h/r/files?per_page=25&page=3"
    # 25 per page from item 25 on: 12 does not divide 25, so 5... is below the floor of 10.
    assert smaller_page("https://h/r/files?per_page=25&page=2") is None
    assert smaller_page("https://h/r/files?per_page=25") == "https://h/r/files?per_page=12"
    assert smaller_page("https://h/r/files?per_page=10") is None


def test_later_copy_of_a_repeated_key_wins_at_its_place():
    items = [{"id": 1, "s": "old"}, {"id": 2}, {"login": None}, {"id": 1, "s": "new"}, {"id": 3}]
    assert later_copy_wins(items, lambda i: i.get("id")) == [
        {"id": 2},
        {"login": None},
        {"id": 1, "s": "new"},
        {"id": 3},
    ]


# Documented 4xx answers of the operations we call that must stop the run: the request itself is
# wrong (pulls-list 422: "Validation failed"), or nothing can be listed at all.
STOPS_THE_RUN = {("pulls-list", 422), ("pull", 406)}
# Operations the reference file does not describe, with the codes GitHub's REST reference lists
# (https://docs.github.com/rest/issues/comments#list-issue-comments: 200, 404, 410).
DOCUMENTED_ELSEWHERE = {"issue-comments": {200, 404, 410}}


def test_every_documented_refusal_is_decided_per_endpoint():
    root = Path(__file__).resolve().parents[1]
    reference = next(
        f for f in (root.parent / "shared" / "github-api", root / "tests" / "github_api") if f.is_dir()
    )
    operations = json.loads((reference / "operations.json").read_text())
    for endpoint in ENDPOINTS:
        documented = (
            {int(code) for code in operations[endpoint.kind]["responses"]}
            if endpoint.kind in operations
            else DOCUMENTED_ELSEWHERE[endpoint.kind]
        )
        refusals = {c for c in documented if 400 <= c < 500 and c not in (401,)}
        undecided = {
            c for c in refusals if c not in endpoint.unavailable and (endpoint.kind, c) not in STOPS_THE_RUN
        }
        if endpoint.kind == "rate-limit":
            undecided -= {404}  # GHES without rate limiting: handled as "no budgets"
        assert not undecided, f"{endpoint.kind}: documented {sorted(undecided)} not decided"
        # And every status we accept as "unavailable" is documented, or a parent that vanished.
        for code in endpoint.unavailable:
            assert code in documented or code in (404, 422), (endpoint.kind, code)


def test_retries_running_out_raise_the_retriable_family_with_its_own_exit_code():
    from tests.fakegithub import FakeGitHub, Override, Quirks, generate_repo

    repo = generate_repo("o/r", n_prs=2, seed=1)
    quirks = Quirks(
        overrides=[
            Override(r"/pulls$", 502, {"message": "Server Error"}),
            Override(
                r"/contributors$",
                403,
                {"message": "You have exceeded a secondary rate limit."},
                headers={"retry-after": "0"},
            ),
        ]
    )
    with FakeGitHub(repos=[repo], quirks=quirks) as gh:
        client = Client(gh.url, (), Governor(1, points_per_minute=10**6), max_retries=1, backoff_base=0.01)
        with pytest.raises(
            TransientError,
            match=r"gave up on GET .*HTTP 502.*try again later \(in a few minutes\) with --resume",
        ) as failed:
            client.get(client.url("/repos/o/r/pulls"), kind="pulls-list")
        with pytest.raises(RateLimitError, match="secondary rate limit") as limited:
            client.get(client.url("/repos/o/r/contributors"), kind="contributors")
    for exc in (failed.value, limited.value):
        assert isinstance(exc, RetriableError) and exc.exit_code == 75 and exc.retriable
    assert failed.value.status == 502


def test_backoff_retries_a_one_off_failure_at_once_then_doubles():
    t = FakeTime()
    g = Governor(1, clock=t.clock, sleep=t.sleep)
    assert g.backoff(1, 0.5, key="k") == 0.0 and t.slept == []
    pauses = [g.backoff(n, 0.5, key="k") for n in (2, 3, 4)]
    assert [round(p / b, 2) <= 1.25 for p, b in zip(pauses, (0.5, 1.0, 2.0), strict=True)] == [True] * 3
    assert all(p >= b for p, b in zip(pauses, (0.5, 1.0, 2.0), strict=True))


def test_a_limit_with_retry_after_does_not_double_the_next_headerless_rest():
    t = FakeTime()
    g = Governor(1, points_per_minute=10**6, secondary_min_wait=60, clock=t.clock, sleep=t.sleep)
    g.secondary_limited(0, 1)  # request N: retry-after 1
    g.release(g.acquire(), rl(90, t.now + 3000), ok=False)  # request N+1, after the rest: limited
    assert 60 <= g.secondary_limited(0, None).wait <= 63  # header-less, but the first of its kind


def test_raw_leaves_out_what_github_changes_without_the_pr_changing():
    pull = {
        "number": 7,
        "base": {"ref": "main", "sha": "b", "repo": {"id": 1, "stargazers_count": 5, "pushed_at": "t"}},
        "head": {"ref": "f", "sha": "h", "repo": None},
        "milestone": {"id": 3, "title": "v1", "open_issues": 4, "closed_issues": 9, "updated_at": "t"},
        "labels": [{"id": 2, "name": "bug", "color": "f00", "description": "d", "default": True}],
    }
    assert json.loads(rows.raw_json(pull, "pull_requests")) == {
        "number": 7,
        "base": {"ref": "main", "sha": "b"},
        "head": {"ref": "f", "sha": "h"},
        "milestone": {"id": 3, "title": "v1"},
        "labels": [{"id": 2, "name": "bug"}],
    }
    comment = {"id": 1, "reactions": {"total_count": 3}, "performed_via_github_app": None}
    assert json.loads(rows.raw_json(comment, "issue_comments")) == {"id": 1, "performed_via_github_app": None}
    run = {"id": 1, "app": {"id": 5, "slug": "ci", "updated_at": "t", "events": []}, "pull_requests": []}
    assert json.loads(rows.raw_json(run, "check_runs")) == {
        "id": 1,
        "app": {"id": 5, "slug": "ci"},
        "pull_requests": [],
    }
    commit = {"sha": "s", "commit": {"message": "m", "comment_count": 2, "verification": {"verified": True}}}
    assert json.loads(rows.raw_json(commit, "commits")) == {"sha": "s", "commit": {"message": "m"}}
    # GraphQL nodes and the other tables keep every field
    assert json.loads(rows.raw_json({"reactions": 1})) == {"reactions": 1}


def test_a_limit_answered_to_a_request_sent_before_the_block_is_a_wait_not_a_failure():
    """Another request's secondary limit blocks the token while this one is on the wire.

    Its own limit answer then comes from the same event: the request waits out the block and is
    sent again, even with no retries left for failures (t12 #1: GraphQL queries beside REST lists
    gave up after their attempts were spent on limits they had not set off).
    """
    import threading

    from tests.fakegithub import FakeGitHub, Override, Quirks, generate_repo

    repo = generate_repo("o/r", n_prs=2, seed=1)
    limit = {"message": "You have exceeded a secondary rate limit."}
    quirks = Quirks(
        overrides=[Override(r"/contributors$", 403, limit, headers={"retry-after": "1"}, times=1)]
    )
    with FakeGitHub(repos=[repo], quirks=quirks, latency=0.4) as gh:
        governor = Governor(1, points_per_minute=10**6)
        client = Client(gh.url, (), governor, max_retries=0, backoff_base=0.01)
        # The block begins (another request's limit) after this request went out.
        other = threading.Timer(0.1, governor.secondary_limited, args=(0, 1.0))
        other.start()
        answer = client.get(client.url("/repos/o/r/contributors"), kind="contributors")
        other.join()
    assert isinstance(answer.data, list) and answer.data
    assert client.counters.retries == 1
