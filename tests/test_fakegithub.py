"""Tests of the fake GitHub server (tests/fakegithub): shapes, pagination, limits, faults."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakegithub import FakeGitHub, Faults, GeneratedRepo, generate_repo, paginate

TOKEN = "ghp_valid_token_1"
OTHER = "ghp_valid_token_2"
REPO = "octo-org/demo"


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


def get_all(s: requests.Session, url: str, **params: Any) -> tuple[list[Any], int]:
    """Follow Link rel=next; return (items, pages)."""
    items: list[Any] = []
    pages = 0
    next_url: str | None = url
    first = True
    while next_url:
        r = s.get(next_url, params=params if first else None, timeout=10)
        first = False
        assert r.status_code == 200, r.text
        items.extend(r.json())
        pages += 1
        next_url = r.links.get("next", {}).get("url")
    return items, pages


# -- pagination ------------------------------------------------------------------------------


def test_paginate_links_follow_github_order() -> None:
    items = list(range(250))
    base = "http://h/api/v3/x"
    page, link = paginate(items, [("per_page", "100"), ("state", "all")], base)
    assert page == list(range(100))
    assert link == (
        '<http://h/api/v3/x?per_page=100&state=all&page=2>; rel="next", '
        '<http://h/api/v3/x?per_page=100&state=all&page=3>; rel="last"'
    )
    page, link = paginate(items, [("per_page", "100"), ("page", "2")], base)
    assert page == list(range(100, 200))
    assert link == (
        '<http://h/api/v3/x?per_page=100&page=1>; rel="prev", '
        '<http://h/api/v3/x?per_page=100&page=3>; rel="next", '
        '<http://h/api/v3/x?per_page=100&page=3>; rel="last", '
        '<http://h/api/v3/x?per_page=100&page=1>; rel="first"'
    )
    page, link = paginate(items, [("per_page", "100"), ("page", "3")], base)
    assert page == list(range(200, 250))
    assert link is not None and "next" not in link and 'rel="first"' in link
    assert paginate(items[:30], [], base) == (items[:30], None)
    assert len(paginate(items, [("per_page", "1000")], base)[0]) == 100  # capped at 100
    assert len(paginate(items, [], base)[0]) == 30  # default page size


def test_pulls_list_pages_and_order(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    url = f"{gh.url}/repos/{REPO}/pulls"
    items, pages = get_all(s, url, state="all", per_page=50)
    assert pages == 3
    assert [p["number"] for p in items] == sorted((p["number"] for p in repo.pulls), reverse=True)
    r = s.get(url, params={"state": "all", "per_page": 50})
    assert r.links["next"]["url"].startswith(f"{gh.url}/repos/{REPO}/pulls?")
    assert "per_page=50" in r.links["next"]["url"] and "state=all" in r.links["last"]["url"]
    asc, _ = get_all(s, url, state="all", per_page=100, direction="asc")
    assert [p["number"] for p in asc] == [p["number"] for p in repo.pulls]
    opened, _ = get_all(s, url, per_page=100)  # default state=open
    assert {p["state"] for p in opened} == {"open"}
    assert len(opened) == sum(p["state"] == "open" for p in repo.pulls)
    closed, _ = get_all(s, url, state="closed", per_page=100)
    assert len(opened) + len(closed) == len(repo.pulls)
    upd, _ = get_all(s, url, state="all", sort="updated", direction="desc", per_page=100)
    assert [p["updated_at"] for p in upd] == sorted((p["updated_at"] for p in upd), reverse=True)


def test_single_page_has_no_link(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = next(p["number"] for p in repo.pulls if len(repo.reviews[p["number"]]) >= 1)
    r = session().get(f"{gh.url}/repos/{REPO}/pulls/{n}/reviews", params={"per_page": 100})
    assert r.status_code == 200
    assert "Link" not in r.headers
    assert r.json() == repo.reviews[n]


def test_commits_capped_at_250_but_detail_tells_truth(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    n = repo.edge_cases["many_commits"]
    s = session()
    commits, pages = get_all(s, f"{gh.url}/repos/{REPO}/pulls/{n}/commits", per_page=100)
    assert len(repo.commits[n]) > 250
    assert len(commits) == 250 and pages == 3
    assert commits == repo.commits[n][:250]
    detail = s.get(f"{gh.url}/repos/{REPO}/pulls/{n}").json()
    assert detail["commits"] == len(repo.commits[n]) > 250


def test_files_several_pages_and_zero_files(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    n = repo.edge_cases["many_files"]
    files, pages = get_all(s, f"{gh.url}/repos/{REPO}/pulls/{n}/files", per_page=100)
    assert files == repo.files[n] and len(files) > 200 and pages == 3
    z = repo.edge_cases["zero_files"]
    r = s.get(f"{gh.url}/repos/{REPO}/pulls/{z}/files", params={"per_page": 100})
    assert r.status_code == 200 and r.json() == [] and "Link" not in r.headers
    assert s.get(f"{gh.url}/repos/{REPO}/pulls/{z}").json()["changed_files"] == 0


def test_detail_matches_lists(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    for p in repo.pulls[::17]:
        n = p["number"]
        d = s.get(f"{gh.url}/repos/{REPO}/pulls/{n}").json()
        files = repo.files[n]
        assert d["additions"] == sum(f["additions"] for f in files)
        assert d["deletions"] == sum(f["deletions"] for f in files)
        assert d["changed_files"] == len(files)
        assert d["merged"] == (p["merged_at"] is not None)
        assert {k: v for k, v in d.items() if k in p} == p


def test_commit_detail_and_check_runs(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    p = next(p for p in repo.pulls if len(repo.check_runs[p["head"]["sha"]]) >= 2)
    sha = p["head"]["sha"]
    c = s.get(f"{gh.url}/repos/{REPO}/commits/{sha}").json()
    assert c["stats"]["total"] == c["stats"]["additions"] + c["stats"]["deletions"]
    assert c["stats"]["additions"] == sum(f["additions"] for f in c["files"])
    assert c == repo.commit_detail[sha]
    r = s.get(f"{gh.url}/repos/{REPO}/commits/{sha}/check-runs", params={"per_page": 1})
    body = r.json()
    assert body["total_count"] == len(repo.check_runs[sha])
    assert len(body["check_runs"]) == 1 and 'rel="next"' in r.headers["Link"]
    assert s.get(f"{gh.url}/repos/{REPO}/commits/{'0' * 40}").status_code == 422


def test_contributors_sorted_and_users(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    contributors, _ = get_all(s, f"{gh.url}/repos/{REPO}/contributors", per_page=100)
    assert contributors == repo.contributors
    counts = [c["contributions"] for c in contributors]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    top = contributors[0]["login"]
    u = s.get(f"{gh.url}/users/{top.upper()}").json()
    assert u["login"] == top and "name" in u and "email" in u
    assert s.get(f"{gh.url}/users/nobody-here-xyz").status_code == 404


# -- headers, ETags, auth, errors ------------------------------------------------------------


def test_rate_limit_headers_and_request_ids(gh: FakeGitHub) -> None:
    s = session()
    r1 = s.get(f"{gh.url}/repos/{REPO}")
    r2 = s.get(f"{gh.url}/repos/{REPO}")
    for r in (r1, r2):
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        assert r.headers["x-ratelimit-resource"] == "core"
        assert int(r.headers["x-ratelimit-reset"]) > time.time()
        assert r.headers["ETag"].startswith('W/"')
    assert int(r1.headers["x-ratelimit-remaining"]) - 1 == int(r2.headers["x-ratelimit-remaining"])
    assert int(r2.headers["x-ratelimit-used"]) == 2
    assert r1.headers["x-github-request-id"] != r2.headers["x-github-request-id"]
    # Each token has its own budget.
    r3 = session(OTHER).get(f"{gh.url}/repos/{REPO}")
    assert r3.headers["x-ratelimit-used"] == "1"


def test_conditional_request_304_not_counted(gh: FakeGitHub) -> None:
    s = session()
    url = f"{gh.url}/repos/{REPO}/pulls?state=all&per_page=100"
    r1 = s.get(url)
    r2 = s.get(url, headers={"If-None-Match": r1.headers["ETag"]})
    assert r2.status_code == 304 and r2.content == b""
    assert r2.headers["x-ratelimit-remaining"] == r1.headers["x-ratelimit-remaining"]
    r3 = s.get(url, headers={"If-None-Match": 'W/"stale"'})
    assert r3.status_code == 200
    assert int(r3.headers["x-ratelimit-used"]) == int(r1.headers["x-ratelimit-used"]) + 1
    assert gh.stats.not_modified == 1


def test_rate_limit_endpoint_is_free(gh: FakeGitHub) -> None:
    s = session()
    s.get(f"{gh.url}/repos/{REPO}")
    a = s.get(f"{gh.url}/rate_limit").json()
    b = s.get(f"{gh.url}/rate_limit").json()
    assert a["resources"]["core"]["used"] == b["rate"]["used"] == 1


def test_auth_errors(gh: FakeGitHub) -> None:
    r = session("ghp_wrong").get(f"{gh.url}/repos/{REPO}")
    assert r.status_code == 401 and r.json()["message"] == "Bad credentials"
    r = requests.get(f"{gh.url}/repos/{REPO}", timeout=10)
    assert r.status_code == 401
    r = requests.get(f"{gh.url}/repos/{REPO}", headers={"Authorization": f"token {TOKEN}"}, timeout=10)
    assert r.status_code == 200
    gh.set_faults(Faults(fail_auth=True))
    assert session().get(f"{gh.url}/repos/{REPO}").status_code == 401


def test_not_found_and_case_insensitive(gh: FakeGitHub) -> None:
    s = session()
    r = s.get(f"{gh.url}/repos/octo-org/missing/pulls")
    assert r.status_code == 404
    assert r.json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }
    assert s.get(f"{gh.url}/nope").status_code == 404
    assert s.get(f"{gh.url}/repos/{REPO}/pulls/999999").status_code == 404
    r = s.get(f"{gh.url}/repos/OCTO-ORG/Demo")
    assert r.status_code == 200 and r.json()["full_name"] == REPO


def test_empty_repo_contributors_204() -> None:
    empty = generate_repo("octo-org/empty", n_prs=0, empty=True)
    with FakeGitHub(repos=[empty], tokens={TOKEN}) as gh:
        s = session()
        r = s.get(f"{gh.url}/repos/octo-org/empty/contributors")
        assert r.status_code == 204 and r.content == b""
        assert s.get(f"{gh.url}/repos/octo-org/empty/pulls?state=all").json() == []


def test_api_v3_prefix(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo], tokens={TOKEN}, prefix="/api/v3") as gh:
        assert gh.url.endswith("/api/v3")
        s = session()
        items, pages = get_all(s, f"{gh.url}/repos/{REPO}/pulls", state="all", per_page=100)
        assert len(items) == len(repo.pulls) and pages == 2
        r = s.get(f"{gh.url}/repos/{REPO}/pulls", params={"state": "all", "per_page": 100})
        assert r.links["next"]["url"].startswith(f"{gh.url}/repos/")
        assert s.get(gh.url.replace("/api/v3", "") + f"/repos/{REPO}").status_code == 404


def test_any_token_mode(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo]) as gh:
        assert requests.get(f"{gh.url}/repos/{REPO}", timeout=10).status_code == 200
        assert session("whatever").get(f"{gh.url}/repos/{REPO}").status_code == 200


def test_stats_by_kind(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    n = repo.pulls[0]["number"]
    s.get(f"{gh.url}/repos/{REPO}/pulls/{n}/commits")
    s.get(f"{gh.url}/repos/{REPO}/pulls/{n}/files")
    s.get(f"{gh.url}/repos/{REPO}/pulls/{n}/commits")
    assert gh.stats.by_kind == {"pull-commits": 2, "pull-files": 1}
    assert gh.stats.requests == 3
    gh.reset_stats()
    assert gh.stats.requests == 0 and gh.stats.by_kind == {}


# -- generation ------------------------------------------------------------------------------


def test_generation_is_deterministic() -> None:
    a = generate_repo("octo-org/x", n_prs=60, seed=11)
    b = generate_repo("octo-org/x", n_prs=60, seed=11)
    c = generate_repo("octo-org/x", n_prs=60, seed=12)

    def dump(r: object) -> str:
        parts = (
            "pulls",
            "pull_details",
            "commits",
            "reviews",
            "files",
            "check_runs",
            "commit_detail",
            "contributors",
            "users",
        )
        return json.dumps([getattr(r, name) for name in parts], sort_keys=True, default=str)

    assert dump(a) == dump(b)
    assert dump(a) != dump(c)


# -- faults and violation accounting ---------------------------------------------------------


def obeying_get(s: requests.Session, url: str, quiet: float = 0.0, tries: int = 10) -> requests.Response:
    """A minimal well-behaved client: waits out every limit it is told about."""
    for _ in range(tries):
        r = s.get(url, timeout=10)
        if r.status_code in (403, 429):
            if "retry-after" in r.headers:
                time.sleep(int(r.headers["retry-after"]))
            elif r.headers.get("x-ratelimit-remaining") == "0":
                time.sleep(max(0.0, int(r.headers["x-ratelimit-reset"]) - time.time()) + 0.01)
            else:
                time.sleep(quiet)
            continue
        if r.headers.get("x-ratelimit-remaining") == "0":
            time.sleep(max(0.0, int(r.headers["x-ratelimit-reset"]) - time.time()) + 0.01)
        return r
    raise AssertionError(f"no answer for {url}")


@pytest.mark.parametrize("status", [403, 429])
def test_primary_limit_violations(repo: GeneratedRepo, status: int) -> None:
    faults = Faults(core_limit=3, reset_seconds=1.0, primary_status=status)
    with FakeGitHub(repos=[repo], tokens={TOKEN, OTHER}, faults=faults) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}"
        rs = [s.get(url) for _ in range(3)]
        assert [r.status_code for r in rs] == [200, 200, 200]
        assert rs[-1].headers["x-ratelimit-remaining"] == "0"
        assert rs[-1].headers["x-ratelimit-limit"] == "3"
        r = s.get(url)  # ignores remaining=0
        assert r.status_code == status
        assert r.json()["message"].startswith("API rate limit exceeded")
        assert r.headers["x-ratelimit-remaining"] == "0"
        assert gh.stats.violations == 1 and gh.stats.rate_limited == 1
        assert "primary budget" in gh.stats.violation_log[0]
        assert TOKEN not in gh.stats.violation_log[0]
        # Another token has its own budget.
        assert session(OTHER).get(url).status_code == 200
        # After the advertised reset the budget is back.
        time.sleep(max(0.0, int(r.headers["x-ratelimit-reset"]) - time.time()) + 0.01)
        r = s.get(url)
        assert r.status_code == 200 and r.headers["x-ratelimit-used"] == "1"
        assert gh.stats.violations == 1


def test_primary_limit_zero_violations_when_obeyed(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(core_limit=4, reset_seconds=1.0)) as gh:
        s = session()
        for p in repo.pulls[:6]:
            assert obeying_get(s, f"{gh.url}/repos/{REPO}/pulls/{p['number']}").status_code == 200
        assert gh.stats.violations == 0 and gh.stats.rate_limited == 0


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_limit_with_retry_after(repo: GeneratedRepo, status: int) -> None:
    faults = Faults(secondary_every=3, secondary_retry_after=1, secondary_status=status)
    with FakeGitHub(repos=[repo], tokens={TOKEN, OTHER}, faults=faults) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}"
        assert [s.get(url).status_code for _ in range(2)] == [200, 200]
        r = s.get(url)
        assert r.status_code == status and r.headers["retry-after"] == "1"
        assert "secondary rate limit" in r.json()["message"]
        r2 = s.get(url)  # ignores retry-after
        assert r2.status_code == status and "retry-after" in r2.headers
        assert gh.stats.violations == 1
        assert "secondary" in gh.stats.violation_log[0]
        assert session(OTHER).get(url).status_code == 200  # the block is per token
        time.sleep(1.05)
        assert s.get(url).status_code == 200
        assert gh.stats.violations == 1


def test_secondary_limit_without_retry_after(repo: GeneratedRepo) -> None:
    faults = Faults(secondary_every=2, secondary_retry_after=None, secondary_quiet_seconds=0.5)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}"
        assert s.get(url).status_code == 200
        r = s.get(url)
        assert r.status_code == 403 and "retry-after" not in r.headers
        assert s.get(url).status_code == 403
        assert gh.stats.violations == 1
        time.sleep(0.55)
        assert s.get(url).status_code == 200
        assert gh.stats.violations == 1


def test_secondary_zero_violations_when_obeyed(repo: GeneratedRepo) -> None:
    faults = Faults(secondary_every=4, secondary_retry_after=1)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        s = session()
        for p in repo.pulls[:6]:
            url = f"{gh.url}/repos/{REPO}/pulls/{p['number']}/reviews"
            assert obeying_get(s, url, quiet=0.0).status_code == 200
        assert gh.stats.faults["secondary"] >= 1
        assert gh.stats.rate_limited >= 1 and gh.stats.violations == 0


def test_max_concurrency(repo: GeneratedRepo) -> None:
    faults = Faults(max_concurrency=2, secondary_retry_after=1)
    with FakeGitHub(repos=[repo], tokens={TOKEN, OTHER}, faults=faults, latency=0.4) as gh:
        url = f"{gh.url}/repos/{REPO}"
        with ThreadPoolExecutor(2) as pool:  # within the limit
            codes = list(pool.map(lambda _: session().get(url).status_code, range(4)))
        assert codes == [200] * 4 and gh.stats.violations == 0
        assert gh.stats.max_inflight == 2
        with ThreadPoolExecutor(4) as pool:  # over it
            codes = list(pool.map(lambda _: session(OTHER).get(url).status_code, range(4)))
        assert codes.count(200) == 2 and codes.count(403) == 2
        assert gh.stats.violations == 2
        assert all("in flight" in line for line in gh.stats.violation_log)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_every_fails_once(repo: GeneratedRepo, status: int) -> None:
    faults = Faults(server_error_every=2, server_error_status=status)
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults) as gh:
        s = session()
        a, b = (f"{gh.url}/repos/{REPO}/pulls/{p['number']}" for p in repo.pulls[:2])
        assert s.get(a).status_code == 200
        assert s.get(b).status_code == status
        assert s.get(b).status_code == 200  # the retry of that request succeeds
        assert gh.stats.faults == {"server_error": 1} and gh.stats.violations == 0


def test_connection_reset(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(reset_every=2)) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}/pulls?state=all"
        assert s.get(url).status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            s.get(url + "&per_page=100")
        assert s.get(url + "&per_page=100").status_code == 200
        assert gh.stats.faults == {"reset": 1}


def test_truncated_body(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(truncate_every=1)) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}/pulls?state=all&per_page=100"
        with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
            s.get(url)
        r = s.get(url)
        assert r.status_code == 200 and len(r.json()) == 100
        assert gh.stats.faults == {"truncate": 1}


def test_slow_response(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=Faults(slow_every=2, slow_seconds=1.0)) as gh:
        s = session()
        url = f"{gh.url}/repos/{REPO}"
        assert s.get(url, timeout=5).status_code == 200
        with pytest.raises(requests.exceptions.ReadTimeout):
            s.get(url, timeout=0.2)
        assert session().get(url, timeout=5).status_code == 200  # once per request only
        assert gh.stats.faults == {"slow": 1}


def test_latency_lets_requests_overlap(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo], tokens={TOKEN}, latency=0.3) as gh:
        url = f"{gh.url}/repos/{REPO}"
        with ThreadPoolExecutor(3) as pool:
            assert list(pool.map(lambda _: session().get(url).status_code, range(3))) == [200] * 3
        assert gh.stats.max_inflight == 3 and gh.stats.violations == 0


# -- generated data: edge cases and signals --------------------------------------------------


def test_edge_cases_present(repo: GeneratedRepo) -> None:
    pulls = {p["number"]: p for p in repo.pulls}
    weird = pulls[repo.edge_cases["weird_text"]]
    assert "'); DROP TABLE metrics_pullrequest; --" in weird["title"]
    assert "🚀" in weird["title"] and '"double"' in weird["title"] and "\\" in weird["title"]
    assert "\u0000" in weird["body"]
    assert "\u0000" in pulls[repo.edge_cases["nul_text"]]["title"]
    nul_commits = repo.commits[repo.edge_cases["nul_text"]]
    assert "\u0000" in nul_commits[0]["commit"]["message"]
    assert len(pulls[repo.edge_cases["long_title"]]["title"]) > 500
    deleted = repo.edge_cases["deleted_user"]
    assert pulls[deleted]["user"] is None
    assert all(c["author"] is None for c in repo.commits[deleted])
    assert len(repo.files[repo.edge_cases["zero_files"]]) == 0
    assert len(repo.files[repo.edge_cases["many_files"]]) > 100
    assert len(repo.commits[repo.edge_cases["many_commits"]]) > 250
    renamed = [f for f in repo.files[repo.edge_cases["renames"]] if f["status"] == "renamed"]
    assert renamed and all(f["previous_filename"] != f["filename"] for f in renamed)
    statuses = {f["status"] for f in repo.files[repo.edge_cases["renames"]]}
    assert {"renamed", "removed", "added"} <= statuses
    assert pulls[repo.edge_cases["revert"]]["title"].startswith('Revert "')
    assert "hotfix" in pulls[repo.edge_cases["hotfix"]]["head"]["ref"]
    assert pulls[repo.edge_cases["bot_dependabot"]]["user"]["type"] == "Bot"
    assert "ACME-" in pulls[repo.edge_cases["jira_branch"]]["head"]["ref"]
    trailer = repo.commits[repo.edge_cases["claude_trailer"]][-1]["commit"]["message"]
    assert "Co-authored-by: Claude <noreply@anthropic.com>" in trailer


def test_edge_cases_survive_the_wire(gh: FakeGitHub, repo: GeneratedRepo) -> None:
    s = session()
    for name in ("weird_text", "nul_text", "long_title", "deleted_user"):
        n = repo.edge_cases[name]
        assert s.get(f"{gh.url}/repos/{REPO}/pulls/{n}").json() == repo.pull_details[n]
    n = repo.edge_cases["nul_text"]
    assert s.get(f"{gh.url}/repos/{REPO}/pulls/{n}/commits").json() == repo.commits[n]


def test_edge_cases_are_among_the_50_most_recent(repo: GeneratedRepo) -> None:
    recent = {p["number"] for p in repo.pulls[-50:]}
    assert set(repo.edge_cases.values()) <= recent


def test_realistic_mix(repo: GeneratedRepo) -> None:
    big = generate_repo("octo-org/mix", n_prs=400, seed=5)
    n = len(big.pulls)
    merged = sum(p["merged_at"] is not None for p in big.pulls)
    open_ = sum(p["state"] == "open" for p in big.pulls)
    assert 0.6 < merged / n < 0.8 and 0.08 < open_ / n < 0.25
    assert any(p["draft"] for p in big.pulls)
    assert all(p["merged_at"] is None for p in big.pulls if p["state"] == "open")
    assert all(p["created_at"] < "2026-11-01" and p["created_at"] > "2026-05-04" for p in big.pulls)
    assert all(p["created_at"] <= p["updated_at"] for p in big.pulls)
    sizes = sorted(len(v) for v in big.files.values())
    assert 1 <= sizes[len(sizes) // 2] <= 10
    commits = sorted(len(v) for v in big.commits.values())
    assert 1 <= commits[len(commits) // 2] <= 10
    reviews = [r for v in big.reviews.values() for r in v]
    states = {r["state"] for r in reviews}
    assert {"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"} <= states
    assert all(r["submitted_at"] is None for r in reviews if r["state"] == "PENDING")
    assert any(r["user"] and r["user"]["type"] == "Bot" for r in reviews)
    runs = [c for v in big.check_runs.values() for c in v]
    assert {"success", "failure", "skipped"} <= {c["conclusion"] for c in runs}
    assert any(c["status"] == "in_progress" and c["completed_at"] is None for c in runs)
    assert all(c["app"]["slug"] == "github-actions" for c in runs)
    bodies = [p["body"] or "" for p in big.pulls]
    assert any("Generated with [Claude Code]" in b for b in bodies)
    assert any("no AI was used" in b for b in bodies)
    assert any(p["title"].startswith("ACME-") for p in big.pulls)
    assert any(p["labels"] for p in big.pulls) and any(p["milestone"] for p in big.pulls)
    assert any(p["assignees"] for p in big.pulls)
    bots = {u["login"] for u in big.users.values() if u["type"] == "Bot"}
    assert bots == {
        "dependabot[bot]",
        "github-actions[bot]",
        "coderabbitai[bot]",
        "copilot-pull-request-reviewer[bot]",
    }
    assert 35 <= len(big.users) <= 45


def test_huge_pr_files_capped_at_3000(repo: GeneratedRepo) -> None:
    huge = generate_repo("octo-org/huge", n_prs=50, seed=2, huge_pr=True)
    n = huge.edge_cases["huge_files"]
    assert len(huge.files[n]) > 3000
    assert "huge_files" not in repo.edge_cases  # off by default
    with FakeGitHub(repos=[huge], tokens={TOKEN}) as gh:
        s = session()
        files, pages = get_all(s, f"{gh.url}/repos/octo-org/huge/pulls/{n}/files", per_page=100)
        assert len(files) == 3000 and pages == 30
        assert s.get(f"{gh.url}/repos/octo-org/huge/pulls/{n}").json()["changed_files"] > 3000


def github_api_reference() -> Path:
    """GitHub's reference data: ``../shared/github-api`` beside the repository, else tests' copy."""
    root = Path(__file__).resolve().parents[1]
    for folder in (root.parent / "shared" / "github-api", root / "tests" / "github_api"):
        if (folder / "schemas" / "pulls-list.json").is_file():
            return folder
    pytest.fail(f"GitHub reference schemas are neither in {root.parent / 'shared'} nor in tests/github_api")


def test_responses_validate_against_official_schemas(repo: GeneratedRepo) -> None:
    schemas = github_api_reference() / "schemas"
    import jsonschema  # a dev dependency: a missing one must fail, not skip

    def check(op: str, body: Any) -> None:
        schema = json.loads((schemas / f"{op}.json").read_text())
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(body))
        assert not errors, f"{op}: {errors[0].message} at {list(errors[0].absolute_path)}"

    recent = [p["number"] for p in repo.pulls[-50:]]  # where the edge cases live
    check("pulls-list", repo.pulls[-50:])
    for detail in (repo.pull_details[n] for n in recent):
        # The detail schema says `user` is never null, yet deleted accounts give a null user:
        # served on purpose (the extractor must cope), so only that field is exempt.
        check("pull", detail if detail["user"] else {**detail, "user": repo.pulls[0]["user"]})
    check("pull-commits", [c for n in recent for c in repo.commits[n]])
    check("pull-files", [f for n in recent for f in repo.files[n]])
    # PENDING reviews carry submitted_at null (as GitHub sends them), which the schema omits.
    check(
        "pull-reviews",
        [
            r if r["submitted_at"] else {**r, "submitted_at": "2026-01-01T00:00:00Z"}
            for n in recent
            for r in repo.reviews[n]
        ],
    )
    for sha, runs in list(repo.check_runs.items())[-20:]:
        check("check-runs", {"total_count": len(runs), "check_runs": runs})
        check("commit", repo.commit_detail[sha])
    check("contributors", repo.contributors)
    check("repo", repo.repo)
    for user in repo.users.values():
        check("user", user)


def test_cli_starts_and_serves() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegithub", "--port", "0", "--prs", "5", "--prefix", "/api/v3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.strip().rsplit(" at ", 1)[1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v3")
        lines = [proc.stdout.readline() for _ in range(2)]
        assert f"prseed extract --repo octo-org/demo --api-url {url}" in lines[1]
        r = requests.get(f"{url}/repos/octo-org/demo/pulls?state=all", timeout=10)
        assert r.status_code == 200 and len(r.json()) == 5
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_repository_id_links(repo: GeneratedRepo) -> None:
    with FakeGitHub(repos=[repo], tokens={TOKEN}, prefix="/api/v3", id_links=True) as gh:
        s = session()
        r = s.get(f"{gh.url}/repos/{REPO}/pulls", params={"state": "all", "per_page": 50})
        rid = repo.repo["id"]
        assert r.links["next"]["url"].startswith(f"{gh.url}/repositories/{rid}/pulls?")
        items, pages = get_all(s, f"{gh.url}/repos/{REPO}/pulls", state="all", per_page=50)
        assert pages == 3 and len(items) == len(repo.pulls)
        assert s.get(f"{gh.url}/repositories/999/pulls").status_code == 404


def test_request_headers_accounting(gh: FakeGitHub) -> None:
    url = f"{gh.url}/repos/{REPO}"
    good = session()
    good.headers["X-GitHub-Api-Version"] = "2022-11-28"
    assert good.get(url).status_code == 200
    assert gh.stats.missing_headers == {}
    assert session().get(url).status_code == 200  # no X-GitHub-Api-Version
    assert gh.stats.missing_headers == {"x-github-api-version": 1}
    bad = session()
    bad.headers["X-GitHub-Api-Version"] = "2019-01-01"
    assert bad.get(url).status_code == 400
    conn = http.client.HTTPConnection("127.0.0.1", gh.port, timeout=10)  # sends no User-Agent
    conn.request("GET", f"/repos/{REPO}", headers={"Authorization": f"Bearer {TOKEN}"})
    r = conn.getresponse()
    assert r.status == 403 and "User-Agent" in json.loads(r.read())["message"]
    conn.close()
    assert gh.stats.missing_headers["user-agent"] == 1
    assert gh.stats.request_log[:2] == [f"200 GET /repos/{REPO}"] * 2
    assert gh.stats.request_log[2:] == [f"400 GET /repos/{REPO}", f"403 GET /repos/{REPO}"]


def test_requests_in_flight_when_a_secondary_limit_hits_are_not_violations(
    repo: GeneratedRepo,
) -> None:
    faults = Faults(secondary_every=2, secondary_retry_after=30)  # long: a busy machine must not outlive it
    with FakeGitHub(repos=[repo], tokens={TOKEN}, faults=faults, latency=0.4) as gh:
        url = f"{gh.url}/repos/{REPO}"
        with ThreadPoolExecutor(3) as pool:
            codes = sorted(pool.map(lambda _: session().get(url).status_code, range(3)))
        assert codes == [200, 403, 403]
        assert gh.stats.violations == 0  # the third was sent before the first 403 arrived
        time.sleep(faults.block_grace_seconds)
        assert session().get(url).status_code == 403  # now the client knows: a violation
        assert gh.stats.violations == 1
