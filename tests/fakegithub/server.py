"""A fake GitHub REST API over real HTTP on 127.0.0.1, with rate limits and faults.

Decisions (rate limits, faults, violations) are taken when a request arrives, under one lock;
the configured latency is then slept outside the lock, so concurrent clients really overlap.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakegithub.faults import Faults
from tests.fakegithub.generate import GeneratedRepo
from tests.fakegithub.quirks import Quirks
from tests.fakegithub.rest_comments import KINDS as COMMENT_KINDS
from tests.fakegithub.rest_comments import answer_comments

if TYPE_CHECKING:
    from tests.fakegithub.mutate import Mutator

DOCS = "https://docs.github.com/rest"
UNENFORCED_LIMIT = 1_000_000
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {rid}."
)
COMMITS_CAP = 250
FILES_CAP = 3000
COMMIT_FILES_PAGE = 300
API_VERSIONS = frozenset({"2022-11-28", "2026-03-10"})
REQUEST_LOG_CAP = 200_000


@dataclass
class Stats:
    """Live counters of a FakeGitHub (read them any time; reset with reset_stats()).

    Attributes:
        requests: every request received.
        by_kind: requests per endpoint kind ("pulls-list", "pull", "pull-commits", ...).
        by_status: responses per HTTP status (0 = connection dropped on purpose).
        violations: requests that arrived while the token's primary budget was spent (before
            its reset), while a secondary-limit block ran (retry-after or quiet period) after
            its 403/429 had been sent, or beyond max_concurrency in flight. Requests already
            on their way when a secondary limit was answered are not violations (the client
            could not know); they get the same 403/429.
        violation_log: one line per violation (what and when; tokens shown as token#N).
        not_modified: 304 responses.
        not_modified_by_token: the same per token label (token#N, see FakeGitHub.token_label).
        max_inflight: peak number of concurrent requests.
        rate_limited: 403/429 rate-limit answers (primary and secondary).
        faults: injected faults by name ("server_error", "reset", "truncate", "slow",
            "secondary").
        missing_headers: requests without `Accept: application/vnd.github+json`, without
            `X-GitHub-Api-Version`, or without `User-Agent` (GitHub answers 403 to those).
        request_log: "STATUS METHOD PATH?QUERY" per answered request, in order (status 0:
            dropped on purpose); capped at 200,000 lines.
    """

    requests: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)
    violations: int = 0
    violation_log: list[str] = field(default_factory=list)
    not_modified: int = 0
    not_modified_by_token: dict[str, int] = field(default_factory=dict)
    max_inflight: int = 0
    rate_limited: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    missing_headers: dict[str, int] = field(default_factory=dict)
    request_log: list[str] = field(default_factory=list)
    inflight: int = 0


@dataclass
class _TokenState:
    label: str
    window_start: float | None = None
    used: int = 0
    blocked_until: float = 0.0
    # When the answer that started the current block was sent; requests arriving earlier were
    # already on their way and are not violations (None: not sent yet).
    block_announced_at: float | None = None
    block_announced_on: str | None = None  # the connection that carried that answer
    quiet_block: bool = False  # the running block was announced without retry-after
    inflight: int = 0


@dataclass
class _Resp:
    status: int
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    starts_block: bool = False


def _json(obj: Any) -> bytes:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (legal JSON) has no UTF-8 form: send it as GitHub does, \ud83d.
        return json.dumps(obj, separators=(",", ":")).encode("ascii")


# GitHub's answers vary by these request headers, and its ETags with them: an ETag got with one
# token, sent with another, gets a 200 (GitHub support in eclipse-csi/otterdog#201).
VARY = "Accept, Authorization, Cookie, X-GitHub-OTP"


def _etag(body: bytes, token: str) -> str:
    """A weak ETag of a body as one token sees it (the token is hashed in, as GitHub's Vary says)."""
    digest = hashlib.sha256(token.encode() + b"\0" + body).hexdigest()
    return f'W/"{digest}"'


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def _user_id(label: str) -> int:
    return int(hashlib.sha256(label.encode()).hexdigest()[:7], 16)


def _not_found() -> _Resp:
    return _Resp(404, _json({"message": "Not Found", "documentation_url": DOCS, "status": "404"}))


# A repository is addressed as /repos/{owner}/{repo} or, in GitHub's own Link headers,
# /repositories/{id}.
_REPO = r"^(?:/repos/(?P<o>[^/]+)/(?P<r>[^/]+)|/repositories/(?P<rid>\d+))"
_ROUTES: list[tuple[str, re.Pattern[str]]] = [
    ("rate-limit", re.compile(r"^/rate_limit$")),
    ("user", re.compile(r"^/users/(?P<login>[^/]+)$")),
    ("repo", re.compile(_REPO + r"$")),
    ("pulls-list", re.compile(_REPO + r"/pulls$")),
    ("pull", re.compile(_REPO + r"/pulls/(?P<n>\d+)$")),
    ("pull-commits", re.compile(_REPO + r"/pulls/(?P<n>\d+)/commits$")),
    ("pull-files", re.compile(_REPO + r"/pulls/(?P<n>\d+)/files$")),
    ("pull-reviews", re.compile(_REPO + r"/pulls/(?P<n>\d+)/reviews$")),
    ("commit", re.compile(_REPO + r"/commits/(?P<sha>[^/]+)$")),
    ("check-runs", re.compile(_REPO + r"/commits/(?P<sha>[^/]+)/check-runs$")),
    ("contributors", re.compile(_REPO + r"/contributors$")),
    ("pull-review-comments", re.compile(_REPO + r"/pulls/(?P<n>\d+)/comments$")),
    ("issue-comments", re.compile(_REPO + r"/issues/(?P<n>\d+)/comments$")),
    ("pull-review-comment", re.compile(_REPO + r"/pulls/comments/(?P<cid>\d+)$")),
    ("issue-comment", re.compile(_REPO + r"/issues/comments/(?P<cid>\d+)$")),
]
_REPO_PART = re.compile(r"/repos/[^/]+/[^/]+")


def route(path: str) -> tuple[str, dict[str, str]]:
    """Map a path (prefix removed) to (kind, path parameters); kind "unknown" when none fits."""
    for kind, rx in _ROUTES:
        m = rx.match(path)
        if m:
            return kind, {k: v for k, v in m.groupdict().items() if v is not None}
    return "unknown", {}


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        return default


def paginate(
    items: list[Any],
    query_pairs: list[tuple[str, str]],
    base: str,
    default_per_page: int = 30,
    max_per_page: int = 100,
) -> tuple[list[Any], str | None]:
    """Cut one page out of items and build GitHub's Link header for it.

    Args:
        items: everything the endpoint would list.
        query_pairs: the request's query, in order (kept in the links, page replaced).
        base: scheme://host + prefix + path of the request.
        default_per_page: page size without per_page.
        max_per_page: largest page size honoured.

    Returns:
        (the page's items, the Link header or None when everything fits in one page).
    """
    query = dict(query_pairs)
    per_page = max(1, min(_int_param(query, "per_page", default_per_page), max_per_page))
    page = max(1, _int_param(query, "page", 1))
    last = max(1, math.ceil(len(items) / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    if last == 1 and page == 1:
        return chunk, None

    def url(p: int) -> str:
        pairs = [(k, v) for k, v in query_pairs if k != "page"]
        return f"{base}?{urlencode([*pairs, ('page', str(p))])}"

    rels: list[str] = []
    if page > 1:
        rels.append(f'<{url(min(page - 1, last))}>; rel="prev"')
    if page < last:
        rels.append(f'<{url(page + 1)}>; rel="next"')
        rels.append(f'<{url(last)}>; rel="last"')
    if page > 1:
        rels.append(f'<{url(1)}>; rel="first"')
    return chunk, ", ".join(rels)


def _pull_sort_key(sort: str, details: dict[int, dict[str, Any]]) -> Any:
    if sort == "updated":
        return lambda p: (p["updated_at"], p["number"])
    if sort == "popularity":
        return lambda p: (details[p["number"]]["comments"], p["number"])
    if sort == "long-running":
        return lambda p: (p["updated_at"] > p["created_at"], p["created_at"], p["number"])
    return lambda p: (p["created_at"], p["number"])


class Api:
    """The pure part: what each endpoint answers for a request (no sockets, no limits)."""

    def __init__(
        self, repos: list[GeneratedRepo], id_links: bool = False, quirks: Quirks | None = None
    ) -> None:
        self.id_links = id_links
        self.quirks = quirks or Quirks()
        self.repos = {r.full_name.lower(): r for r in repos}
        self.by_id = {int(r.repo["id"]): r for r in repos}
        self.users: dict[str, dict[str, Any]] = {}
        for r in repos:
            for login, u in r.users.items():
                self.users.setdefault(login.lower(), u)

    def answer(
        self,
        kind: str,
        params: dict[str, str],
        query_pairs: list[tuple[str, str]],
        base: str,
    ) -> _Resp:
        """Build the response for a routed request."""
        if kind == "user":
            user = self.users.get(params["login"].lower())
            return _Resp(200, _json(user)) if user else _not_found()
        if kind == "unknown" or kind == "rate-limit":
            return _not_found()
        if "rid" in params:
            repo = self.by_id.get(int(params["rid"]))
        else:
            repo = self.repos.get(f"{params['o']}/{params['r']}".lower())
        if repo is None:
            return _not_found()
        if self.id_links:
            base = _REPO_PART.sub(f"/repositories/{repo.repo['id']}", base, count=1)
        query = dict(query_pairs)
        link: str | None = None
        if kind in COMMENT_KINDS:
            status, obj, link = answer_comments(repo, kind, params, query_pairs, base, paginate)
            if status == 200:
                return self._page(obj, link)
            return _Resp(status, _json(obj)) if obj is not None else _not_found()
        if kind == "repo":
            return _Resp(200, _json(repo.repo))
        if kind == "pulls-list":
            state = query.get("state", "open")
            pulls = [
                p
                for p in repo.pulls
                if state == "all" or p["state"] == (state if state == "closed" else "open")
            ]
            if "base" in query:
                pulls = [p for p in pulls if p["base"]["ref"] == query["base"]]
            sort = query.get("sort", "created")
            direction = query.get("direction", "desc" if sort == "created" else "asc")
            pulls = sorted(pulls, key=_pull_sort_key(sort, repo.pull_details), reverse=direction == "desc")
            page, link = self._paged(kind, pulls, query_pairs, base)
            return self._page(page, link)
        if kind == "commit":
            detail = repo.commit_detail.get(params["sha"])
            if detail is None:
                return _Resp(
                    422,
                    _json(
                        {
                            "message": f"No commit found for SHA: {params['sha']}",
                            "documentation_url": DOCS,
                            "status": "422",
                        }
                    ),
                )
            files = detail["files"][:FILES_CAP]
            if len(files) <= COMMIT_FILES_PAGE and "page" not in query:
                return _Resp(200, _json(detail))
            page, link = paginate(files, query_pairs, base, COMMIT_FILES_PAGE, COMMIT_FILES_PAGE)
            return self._page({**detail, "files": page}, link)
        if kind == "check-runs":
            if params["sha"] not in repo.commit_detail:
                return _Resp(
                    422,
                    _json(
                        {
                            "message": f"No commit found for SHA: {params['sha']}",
                            "documentation_url": DOCS,
                            "status": "422",
                        }
                    ),
                )
            runs = repo.check_runs.get(params["sha"], [])
            if "check_name" in query:
                runs = [r for r in runs if r["name"] == query["check_name"]]
            if "status" in query:
                runs = [r for r in runs if r["status"] == query["status"]]
            page, link = self._paged(kind, runs, query_pairs, base)
            return self._page({"total_count": len(runs), "check_runs": page}, link)
        if kind == "contributors":
            if not repo.contributors:
                return _Resp(204, None)
            page, link = self._paged(kind, repo.contributors, query_pairs, base)
            return self._page(page, link)
        number = int(params["n"])
        if number not in repo.pull_details:
            return _not_found()
        if kind == "pull":
            return _Resp(200, _json(repo.pull_details[number]))
        items: list[Any]
        if kind == "pull-commits":
            items = repo.commits[number][:COMMITS_CAP]
        elif kind == "pull-files":
            items = repo.files[number][:FILES_CAP]
        else:
            items = repo.reviews[number]
        page, link = self._paged(kind, items, query_pairs, base)
        return self._page(page, link)

    def _paged(
        self, kind: str, items: list[Any], query_pairs: list[tuple[str, str]], base: str
    ) -> tuple[list[Any], str | None]:
        """paginate(), with the quirks' page caps and list hook."""
        cap = self.quirks.page_caps.get(kind, 100)
        if self.quirks.list_hook is not None:
            query = dict(query_pairs)
            per_page = max(1, min(_int_param(query, "per_page", 30), cap))
            items = self.quirks.list_hook(kind, max(1, _int_param(query, "page", 1)), per_page, items)
        return paginate(items, query_pairs, base, max_per_page=cap)

    @staticmethod
    def _page(obj: Any, link: str | None) -> _Resp:
        return _Resp(200, _json(obj), {"Link": link} if link else {})


class FakeGitHub:
    """A fake GitHub REST API on 127.0.0.1 (OS-assigned port) in a daemon thread.

    Use as a context manager, or call start()/stop(). `url` is what a client takes as its API
    base URL (includes `prefix`, e.g. "/api/v3" for GitHub Enterprise Server style).
    """

    def __init__(
        self,
        repos: list[GeneratedRepo],
        tokens: set[str] | None = None,
        faults: Faults | None = None,
        latency: float = 0.0,
        quirks: Quirks | None = None,
        prefix: str = "",
        port: int = 0,
        id_links: bool = False,
    ) -> None:
        """Configure the server (it does not listen before start()).

        Args:
            repos: repositories to serve.
            tokens: accepted tokens (each with its own budget); None accepts any token and
                requests without Authorization.
            faults: misbehaviours (default: none).
            latency: delay before every answer, in seconds.
            prefix: path prefix such as "/api/v3".
            port: TCP port (0: OS-assigned).
            id_links: write Link headers with /repositories/{id}/... paths, as api.github.com
                often does, so a client must follow links rather than rebuild URLs.
            quirks: real GitHub answers the data alone does not give (see quirks.py).
        """
        self.quirks = quirks or Quirks()
        self.api = Api(repos, id_links, self.quirks)
        self.tokens = set(tokens) if tokens is not None else None
        self.faults = faults or Faults()
        self.latency = latency
        self.prefix = prefix.rstrip("/")
        self._port = port
        self._lock = threading.Lock()
        self._stats = Stats()
        self._states: dict[str, _TokenState] = {}
        self._seq = 0
        self._faulted: set[tuple[str, str]] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        from tests.fakegithub.graphql.endpoint import GraphQLEndpoint  # imports this module

        self.graphql = GraphQLEndpoint(self, repos)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        """Start listening; returns self."""
        fake = self

        class Handler(_Handler):
            owner = fake

        server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="fakegithub", kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        assert self._server is not None, "FakeGitHub is not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for clients: http://127.0.0.1:<port><prefix>."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    @property
    def stats(self) -> Stats:
        """Live counters."""
        return self._stats

    def set_faults(self, faults: Faults) -> None:
        """Switch behaviour while running (budgets and blocks already running are kept)."""
        with self._lock:
            self.faults = faults

    @contextlib.contextmanager
    def mutate(self, full_name: str | None = None) -> Iterator[Mutator]:
        """Change a served repository between runs (tests.fakegithub.mutate).

        Yields a Mutator for `full_name` (default: the only repository); on leaving the block the
        GraphQL side re-indexes the repository, so REST and GraphQL both serve the new state.
        Send no requests from inside the block.

        Raises:
            KeyError: no such repository, or several and no name given.
        """
        from tests.fakegithub.mutate import Mutator

        if full_name is None:
            if len(self.api.repos) != 1:
                raise KeyError("several repositories are served: name the one to mutate")
            repo = next(iter(self.api.repos.values()))
        else:
            repo = self.api.repos[full_name.lower()]
        try:
            yield Mutator(repo)
        finally:
            with self._lock:
                self.graphql.world.reindex()

    def reset_stats(self) -> None:
        """Zero the counters (rate-limit windows and blocks are kept)."""
        with self._lock:
            inflight = self._stats.inflight
            self._stats = Stats(inflight=inflight, max_inflight=inflight)
            self.graphql.reset_stats()

    def reset_limits(self) -> None:
        """Forget every token's budget window, blocks, and the fault counters."""
        with self._lock:
            for st in self._states.values():
                st.window_start, st.used, st.blocked_until = None, 0, 0.0
            self._seq = 0
            self._faulted.clear()
            self.graphql.reset()

    def token_label(self, token: str) -> str | None:
        """The label (token#N) the stats and logs use for a token, None before its first request."""
        with self._lock:
            st = self._states.get(token)
            return st.label if st is not None else None

    # -- decisions (called by the handler) -------------------------------------------------

    def _state(self, key: str) -> _TokenState:
        st = self._states.get(key)
        if st is None:
            st = self._states[key] = _TokenState(label=f"token#{len(self._states) + 1}")
        return st

    def _limit(self) -> int:
        return self.faults.core_limit if self.faults.core_limit is not None else UNENFORCED_LIMIT

    def _roll_window(self, st: _TokenState, now: float) -> None:
        if st.window_start is not None and now >= st.window_start + self.faults.reset_seconds:
            st.window_start, st.used = None, 0

    def _rate_headers(self, st: _TokenState | None, now: float) -> dict[str, str]:
        limit = self._limit()
        used = st.used if st else 0
        start = st.window_start if st and st.window_start is not None else now
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - used)),
            "x-ratelimit-used": str(min(used, limit)),
            "x-ratelimit-reset": str(math.ceil(start + self.faults.reset_seconds)),
            "x-ratelimit-resource": "core",
        }

    def _violation(self, st: _TokenState, now: float, what: str, method: str, path: str) -> None:
        self._stats.violations += 1
        self._stats.violation_log.append(f"{now:.3f} {st.label} {what}: {method} {path}")

    def _fault_due(self, every: int | None, name: str, target: str) -> bool:
        if not every or self._seq % every != 0 or (name, target) in self._faulted:
            return False
        self._faulted.add((name, target))
        self._stats.faults[name] = self._stats.faults.get(name, 0) + 1
        return True

    def _secondary(self, st: _TokenState, now: float, rid: str, renewing: bool, quiet: bool = False) -> _Resp:
        f = self.faults
        headers: dict[str, str] = {}
        if quiet and not renewing:
            # Header-less: the token is blocked for the quiet period; renewals say so alike.
            st.blocked_until = now + f.secondary_quiet_seconds
            st.quiet_block = True
        elif f.secondary_retry_after is not None and not (renewing and st.quiet_block):
            if renewing:
                headers["retry-after"] = str(max(1, math.ceil(st.blocked_until - now)))
            else:
                headers["retry-after"] = str(f.secondary_retry_after)
                st.blocked_until = now + f.secondary_retry_after
        elif not renewing:
            st.blocked_until = now + f.secondary_quiet_seconds
        if not renewing and not quiet:
            st.quiet_block = False
        if not renewing:
            st.block_announced_at = None
        self._stats.rate_limited += 1
        body = _json(
            {
                "message": SECONDARY_MESSAGE.format(rid=rid),
                "documentation_url": "https://docs.github.com/rest/overview/"
                "rate-limits-for-the-rest-api#about-secondary-rate-limits",
            }
        )
        return _Resp(f.secondary_status, body, headers, starts_block=not renewing)

    def decide(
        self,
        method: str,
        raw_path: str,
        headers: dict[str, str],
        host: str,
        rid: str,
        conn: str = "",
    ) -> tuple[_Resp, str, float, str | None]:
        """Decide the answer to a request as it arrives.

        Returns:
            (response, special action "" | "reset" | "truncate", extra delay in seconds,
            the budget key whose in-flight count was raised, for done()).
        """
        split = urlsplit(raw_path)
        query_pairs = parse_qsl(split.query, keep_blank_values=True)
        path = split.path
        now = time.time()
        kind: str = "unknown"
        params: dict[str, str] = {}
        if path == self.prefix or path.startswith(self.prefix + "/"):
            kind, params = route(path[len(self.prefix) :] or "/")
        version = headers.get("x-github-api-version")
        with self._lock:
            stats = self._stats
            stats.by_kind[kind] = stats.by_kind.get(kind, 0) + 1
            for name, ok in (
                ("accept", "application/vnd.github+json" in headers.get("accept", "")),
                ("x-github-api-version", version is not None),
                ("user-agent", bool(headers.get("user-agent"))),
            ):
                if not ok:
                    stats.missing_headers[name] = stats.missing_headers.get(name, 0) + 1
            if not headers.get("user-agent"):
                return (
                    _Resp(
                        403,
                        _json(
                            {
                                "message": "Request forbidden by administrative rules. Please make sure "
                                "your request has a User-Agent header "
                                "(https://docs.github.com/en/rest/overview/resources-in-the-"
                                "rest-api#user-agent-required). Check "
                                "https://developer.github.com for other possible causes."
                            }
                        ),
                    ),
                    "",
                    0.0,
                    None,
                )
            if version is not None and version not in API_VERSIONS:
                return (
                    _Resp(
                        400,
                        _json(
                            {
                                "message": f"API version {version!r} is not supported.",
                                "documentation_url": "https://docs.github.com/rest/overview/api-versions",
                                "status": "400",
                            }
                        ),
                    ),
                    "",
                    0.0,
                    None,
                )
            f = self.faults
            auth = headers.get("authorization", "")
            scheme, _, token = auth.partition(" ")
            token = token.strip() if scheme.lower() in ("bearer", "token") else ""
            if f.fail_auth or (self.tokens is not None and token not in self.tokens):
                message = "Bad credentials" if (auth or f.fail_auth) else "Requires authentication"
                resp = _Resp(
                    401,
                    _json({"message": message, "documentation_url": DOCS, "status": "401"}),
                    self._rate_headers(None, now),
                )
                return resp, "", 0.0, None
            key = token or "(anonymous)"
            st = self._state(key)
            st.inflight += 1
            self._roll_window(st, now)
            if kind == "rate-limit":
                return self._rate_limit_resp(st, now), "", 0.0, key
            limited = self._limited(st, now, method, path, rid, conn)
            if limited is not None:
                limited.headers.update(self._rate_headers(st, now))
                return limited, "", 0.0, key

        base = f"http://{host}{path}"
        quirk = self._quirk(path[len(self.prefix) :], split.query, host, st, now)
        resp = quirk if quirk is not None else self.api.answer(kind, params, query_pairs, base)
        if resp.status == 200 and resp.body is not None:
            resp.headers["ETag"] = _etag(resp.body, token)
            resp.headers["Vary"] = VARY
        with self._lock:
            f = self.faults
            if st.blocked_until > now:
                # Another request began a block while this answer was being prepared (outside the
                # lock): it was sent before the block, so it is limited too, and no violation.
                resp = self._secondary(st, now, rid, renewing=True)
                resp.headers.update(self._rate_headers(st, now))
                return resp, "", 0.0, key
            if resp.status == 200 and _etag_matches(headers.get("if-none-match"), resp.headers["ETag"]):
                # No body, no Link, no budget spent; the rate-limit headers as on any answer.
                resp = _Resp(304, None, {"ETag": resp.headers["ETag"], "Vary": VARY})
                resp.headers.update(self._rate_headers(st, now))
                stats.not_modified_by_token[st.label] = stats.not_modified_by_token.get(st.label, 0) + 1
                return resp, "", 0.0, key
            self._seq += 1
            if f.quiet_secondary_every and self._seq % f.quiet_secondary_every == 0:
                stats.faults["quiet_secondary"] = stats.faults.get("quiet_secondary", 0) + 1
                resp = self._secondary(st, now, rid, renewing=False, quiet=True)
                resp.headers.update(self._rate_headers(st, now))
                return resp, "", 0.0, key
            if f.secondary_every and self._seq % f.secondary_every == 0:
                stats.faults["secondary"] = stats.faults.get("secondary", 0) + 1
                resp = self._secondary(st, now, rid, renewing=False)
                resp.headers.update(self._rate_headers(st, now))
                return resp, "", 0.0, key
            if st.window_start is None:
                st.window_start = now
            st.used += 1
            action, delay = "", 0.0
            if self._fault_due(f.server_error_every, "server_error", raw_path):
                status = f.server_error_status
                resp = _Resp(
                    status,
                    _json(
                        {"message": "Server Error"} if status != 503 else {"message": "Service Unavailable"}
                    ),
                )
            elif self._fault_due(f.reset_every, "reset", raw_path):
                action = "reset"
            elif self._fault_due(f.truncate_every, "truncate", raw_path):
                action = "truncate"
            if self._fault_due(f.slow_every, "slow", raw_path):
                delay = f.slow_seconds
            resp.headers.update(self._rate_headers(st, now))
            return resp, action, delay, key

    def _quirk(self, path: str, query: str, host: str, st: _TokenState, now: float) -> _Resp | None:
        """The answer of a quirk for this request (a moved repository, an override), else None."""
        q = self.quirks
        for old, new in q.moved.items():
            head = f"/repos/{old}"
            if path.lower() == head.lower() or path.lower().startswith(head.lower() + "/"):
                target = self.api.repos[new.lower()]
                where = q.redirect_host or host
                location = f"http://{where}{self.prefix}/repositories/{target.repo['id']}{path[len(head) :]}"
                if query:
                    location += f"?{query}"
                body = {"message": "Moved Permanently", "url": location, "documentation_url": DOCS}
                return _Resp(q.redirect_status, _json(body), {"Location": location})
        with self._lock:
            for override in q.overrides:
                if override.matches(path, query):
                    override.used += 1
                    raw = override.body if isinstance(override.body, bytes) else _json(override.body)
                    resp = _Resp(override.status, raw, dict(override.headers))
                    if override.blocks:
                        # A rate limit in other words: the token is blocked like a secondary limit.
                        st.blocked_until = now + override.blocks
                        st.block_announced_at = None
                        st.quiet_block = True
                        resp.starts_block = True
                        self._stats.rate_limited += 1
                    return resp
        return None

    def _limited(
        self,
        st: _TokenState,
        now: float,
        method: str,
        path: str,
        rid: str,
        conn: str = "",
    ) -> _Resp | None:
        """The rate-limit answer for a request that must not be served, else None."""
        f = self.faults
        if f.max_concurrency is not None and st.inflight > f.max_concurrency:
            self._violation(
                st, now, f"{st.inflight} requests in flight (max {f.max_concurrency})", method, path
            )
            return self._secondary(st, now, rid, renewing=st.blocked_until > now)
        if st.blocked_until > now:
            knew = st.block_announced_at is not None and (
                (conn and conn == st.block_announced_on)
                or now >= st.block_announced_at + f.block_grace_seconds
            )
            if knew:
                self._violation(
                    st,
                    now,
                    f"sent {st.blocked_until - now:.2f}s before the "
                    "secondary limit's retry-after/quiet period ended",
                    method,
                    path,
                )
            return self._secondary(st, now, rid, renewing=True)
        if f.core_limit is not None and st.used >= f.core_limit:
            reset = (st.window_start or now) + f.reset_seconds
            self._violation(
                st,
                now,
                f"primary budget of {f.core_limit} spent, {reset - now:.2f}s before its reset",
                method,
                path,
            )
            self._stats.rate_limited += 1
            return _Resp(
                f.primary_status,
                _json(
                    {
                        "message": f"API rate limit exceeded for user ID {_user_id(st.label)}. "
                        "If you reach out to GitHub Support for help, please include the "
                        f"request ID {rid}.",
                        "documentation_url": "https://docs.github.com/rest/overview/"
                        "rate-limits-for-the-rest-api#about-the-primary-rate-limit",
                    }
                ),
            )
        return None

    def _rate_limit_resp(self, st: _TokenState, now: float) -> _Resp:
        h = self._rate_headers(st, now)
        core = {
            "limit": int(h["x-ratelimit-limit"]),
            "used": int(h["x-ratelimit-used"]),
            "remaining": int(h["x-ratelimit-remaining"]),
            "reset": int(h["x-ratelimit-reset"]),
        }
        graphql = self.graphql.resource(st.label, now)
        search = {"limit": 30, "used": 0, "remaining": 30, "reset": int(now) + 60}
        body = _json({"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core})
        return _Resp(200, body, h)

    def done(
        self,
        token_key: str | None,
        status: int,
        method: str,
        path: str,
        announced: bool = False,
        conn: str = "",
    ) -> None:
        """Bookkeeping when a request has been answered (announced: it started a block)."""
        with self._lock:
            if announced and token_key in self._states:
                self._states[token_key].block_announced_at = time.time()
                self._states[token_key].block_announced_on = conn
            if len(self._stats.request_log) < REQUEST_LOG_CAP:
                self._stats.request_log.append(f"{status} {method} {path}")
            self._stats.inflight -= 1
            self._stats.by_status[status] = self._stats.by_status.get(status, 0) + 1
            if status == 304:
                self._stats.not_modified += 1
            if token_key is not None and token_key in self._states:
                self._states[token_key].inflight -= 1


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGitHub
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, delayed ACKs would add ~40 ms
    # to every keep-alive request.
    disable_nagle_algorithm = True
    server_version = "GitHub.com"
    sys_version = ""

    def version_string(self) -> str:
        """The Server header, as GitHub sends it."""
        return "github.com"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read stats, not logs."""

    def do_GET(self) -> None:
        """Answer one GET."""
        fake = self.owner
        with fake._lock:
            fake._stats.requests += 1
            fake._stats.inflight += 1
            fake._stats.max_inflight = max(fake._stats.max_inflight, fake._stats.inflight)
            rid = f"FAKE:{fake._stats.requests:08X}"
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = headers.get("host") or f"127.0.0.1:{fake.port}"
        status, key, announced, finished, conn = 0, None, False, False, ""
        try:
            conn = f"{self.client_address[0]}:{self.client_address[1]}"
            resp, action, delay, key = fake.decide("GET", self.path, headers, host, rid, conn)
            announced = resp.starts_block
            pause = fake.latency + fake.faults.latency + delay
            if pause > 0:
                time.sleep(pause)
            if action == "reset":
                # SO_LINGER 0 makes close() send RST: the client sees a connection reset.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            status = resp.status
            self.send_response(resp.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("x-github-request-id", rid)
            self.send_header("x-github-api-version-selected", "2022-11-28")
            for k, v in resp.headers.items():
                self.send_header(k, v)
            body = resp.body or b""
            if action == "truncate":
                self.send_header("Content-Length", str(len(body) + 4096))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                status = 0
                return
            if resp.status not in (204, 304):
                self.send_header("Content-Length", str(len(body)))
            # Count the answer before its headers leave: a 204/304 is complete with them, and a
            # client that sends its next request on receipt must not look over-concurrent.
            fake.done(key, status, "GET", self.path, announced, conn)
            finished = True
            self.end_headers()
            if resp.status not in (204, 304):
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            if not finished:
                fake.done(key, status, "GET", self.path, announced, conn)

    def _method_not_allowed(self) -> None:
        body = _json({"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        self.close_connection = True
        self.send_response(404)
        # Said, not only done: a client that reuses the connection would otherwise race the close.
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        """Answer one POST: GraphQL at /graphql (/api/graphql behind /api/v3), else 404."""
        from tests.fakegithub.graphql.endpoint import serve_post

        serve_post(self)

    do_PUT = do_PATCH = do_DELETE = _method_not_allowed
