"""POST /graphql through the governor: budget ``graphql``, retries, and the GraphQL error forms.

GitHub answers a GraphQL query in more ways than a REST call:

* rate limited: HTTP 200 (or 403) whose ``errors`` carry ``type: RATE_LIMITED`` (also seen as
  ``RATE_LIMIT`` with ``code: graphql_rate_limit``), usually with ``x-ratelimit-remaining: 0``;
  secondary limits as for REST (403/429, ``retry-after``, "secondary rate limit");
* too heavy: HTTP 502/504, a read timeout, or an ``errors`` entry about a timeout or "resource
  limits" - the same query will fail again, a smaller one may not (:class:`HeavyQueryError`);
  a timed-out query still costs its points;
* partial: ``data`` with ``errors`` (e.g. ``NOT_FOUND`` for one aliased user) - returned to the
  caller, which decides per path;
* the budget: ``rateLimit { cost remaining resetAt }`` in the body and ``x-ratelimit-*``
  headers (resource ``graphql``); both teach the governor, which keeps the ``graphql`` budget of
  every token apart from ``core``. A query may overdraw the last points of a window (GitHub has
  been seen to report 5,004 used of 5,000): the governor then waits for the reset.

HTTP status classification is :func:`prseed.extract.http.classify`'s; this module adds only the
classification of a 200's GraphQL ``errors``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from prseed.extract.governor import Governor
from prseed.extract.graphql.cost import QueryCost, query_cost
from prseed.extract.http import (
    API_VERSION,
    USER_AGENT,
    Classified,
    Counters,
    Outcome,
    attempts_text,
    check_api_url,
    classify,
    decode_json,
    scrub,
)
from prseed.extract.ratelimit import SECONDARY_WORDINGS, RateHeaders, limit_kind, parse_rate_headers

from prseed.errors import ApiError, AuthError, RateLimitError, TransientError

RESOURCE = "graphql"
HEAVY_STATUSES = (502, 504)
RATE_LIMIT_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})
HEAVY_TYPES = frozenset({"RESOURCE_LIMITS_EXCEEDED", "MAX_NODE_LIMIT_EXCEEDED", "TIMEOUT"})


class HeavyQueryError(TransientError):
    """The query timed out or exceeded GitHub's resource limits: send a smaller one."""


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint of a REST base.

    ``https://api.github.com`` -> ``https://api.github.com/graphql``; GitHub Enterprise Server
    ``https://HOST/api/v3`` -> ``https://HOST/api/graphql`` (GitHub's docs, "Forming calls").
    """
    parts = urlsplit(api_url.rstrip("/"))
    path = parts.path
    path = path[: -len("/v3")] + "/graphql" if path.endswith("/api/v3") else path + "/graphql"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass
class GraphQLStats:
    """What the run's queries cost (thread-safe through its lock).

    Attributes:
        queries: queries that got an answer or timed out.
        points: points spent (``rateLimit.cost`` of the answers; the computed cost of queries
            that timed out or answered without it).
        nodes: nodes requested (computed before sending, GitHub's rule).
        heavy: answers that asked for a smaller query (timeouts, 502/504, resource limits).
        unavailable: PRs of the listing GitHub answered null for, even when asked again.
    """

    queries: int = 0
    points: int = 0
    nodes: int = 0
    heavy: int = 0
    unavailable: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def unavailable_prs(self, count: int) -> None:
        """Record listed PRs GitHub kept answering null for."""
        with self.lock:
            self.unavailable += count

    def add(self, points: int, nodes: int, heavy: bool = False) -> None:
        """Record one query."""
        with self.lock:
            self.queries += 1
            self.points += points
            self.nodes += nodes
            self.heavy += int(heavy)

    def as_dict(self) -> dict[str, int]:
        """The figures for the checkpoint and the manifest."""
        with self.lock:
            return {
                "queries": self.queries,
                "points": self.points,
                "nodes": self.nodes,
                "heavy": self.heavy,
                "unavailable_prs": self.unavailable,
            }


@dataclass(frozen=True)
class Answer:
    """A successful answer.

    Attributes:
        data: the ``data`` object.
        errors: the ``errors`` list (partial answers), possibly empty.
        cost: the computed cost of the query.
    """

    data: dict[str, Any]
    errors: list[dict[str, Any]]
    cost: QueryCost


@dataclass(frozen=True)
class _Verdict:
    classified: Classified
    heavy: bool = False
    payload: dict[str, Any] | None = None
    repairs: int = 0  # strings of the payload whose invalid Unicode became U+FFFD


def _error_fields(errors: list[Any]) -> tuple[set[str], set[str], str]:
    types: set[str] = set()
    codes: set[str] = set()
    messages: list[str] = []
    for error in errors:
        if not isinstance(error, Mapping):
            continue
        extensions = error.get("extensions") if isinstance(error.get("extensions"), Mapping) else {}
        for value in (error.get("type"), extensions.get("type") if extensions else None):
            if value:
                types.add(str(value))
        for value in (error.get("code"), extensions.get("code") if extensions else None):
            if value:
                codes.add(str(value))
        messages.append(str(error.get("message") or ""))
    return types, codes, " | ".join(messages)


def classify_answer(status: int, headers: Mapping[str, str], body: bytes) -> _Verdict:
    """Classify one answer of ``POST /graphql``.

    Args:
        status: HTTP status.
        headers: response headers.
        body: raw body.

    Returns:
        The classification; ``heavy`` when a smaller query may succeed where this one did not;
        ``payload`` the parsed JSON of an OK answer.
    """
    payload: Any = None
    repairs = 0
    if body:
        try:
            # The same Unicode repair as every REST answer (invalid bytes, lone surrogates).
            payload, repairs = decode_json(body)
        except json.JSONDecodeError:
            payload = None
    errors = payload.get("errors") if isinstance(payload, dict) else None
    errors = errors if isinstance(errors, list) else []
    types, codes, message = _error_fields(errors)
    if isinstance(payload, dict) and payload.get("message"):
        message = " | ".join(m for m in (message, str(payload["message"])) if m)
    lowered = message.lower()
    rate = parse_rate_headers(headers)
    # A limit GitHub reports in GraphQL's own words (an error type, HTTP 200) or in REST's
    # (403/429 with a message): the wordings are read in one place, extract.ratelimit.
    typed = bool(types & RATE_LIMIT_TYPES) or "graphql_rate_limit" in codes
    kind = limit_kind(status, rate, message) if status in (403, 429) else None
    if status == 200 and errors:
        if any(w in lowered for w in SECONDARY_WORDINGS):
            kind = "secondary"
        elif typed or limit_kind(403, RateHeaders(), message) == "primary":
            kind = "primary"
    elif typed and status in (403, 429) and kind is None:
        kind = "primary"
    if kind == "secondary":
        return _Verdict(Classified(Outcome.SECONDARY_LIMIT, "secondary rate limit", rate))
    if kind == "primary":
        return _Verdict(Classified(Outcome.PRIMARY_LIMIT, "graphql rate limit", rate))
    if status in HEAVY_STATUSES:
        return _Verdict(Classified(Outcome.TRANSIENT, f"HTTP {status}", rate), heavy=True)
    base = classify(status, headers, body)
    if base.outcome is not Outcome.OK:
        return _Verdict(base)
    if not isinstance(payload, dict):
        return _Verdict(Classified(Outcome.TRANSIENT, "answer is not a JSON object", rate))
    heavy_words = ("resource limits", "timeout", "timed out")
    if (types & HEAVY_TYPES) or any(w in lowered for w in heavy_words):
        return _Verdict(Classified(Outcome.TRANSIENT, "query too heavy", rate), heavy=True)
    if payload.get("data") is None:
        if errors:
            return _Verdict(Classified(Outcome.FATAL, message[:300] or "errors without data", rate))
        return _Verdict(Classified(Outcome.TRANSIENT, "answer without data", rate))
    return _Verdict(Classified(Outcome.OK, "ok", rate), payload=payload, repairs=repairs)


def budget_headers(headers: Mapping[str, str], data: Mapping[str, Any] | None) -> RateHeaders:
    """The budget the governor should learn: the headers, completed by the body's ``rateLimit``.

    The lower ``remaining`` of the two wins (never believe in more budget than there is).
    """
    out = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-ratelimit-")}
    limit = (data or {}).get("rateLimit") if isinstance(data, Mapping) else None
    if isinstance(limit, Mapping) and limit.get("remaining") is not None:
        remaining = int(limit["remaining"])
        known = out.get("x-ratelimit-remaining")
        if known is None or not known.lstrip("-").isdigit() or int(known) > remaining:
            out["x-ratelimit-remaining"] = str(remaining)
        if "x-ratelimit-reset" not in out and limit.get("resetAt"):
            when = datetime.fromisoformat(str(limit["resetAt"]).replace("Z", "+00:00"))
            out["x-ratelimit-reset"] = str(int(when.timestamp()))
        if "x-ratelimit-limit" not in out and limit.get("limit") is not None:
            out["x-ratelimit-limit"] = str(limit["limit"])
    out.setdefault("x-ratelimit-resource", RESOURCE)
    return parse_rate_headers(out)


class GraphQLClient:
    """Sends queries to one GraphQL endpoint through the governor, with retries."""

    def __init__(
        self,
        api_url: str,
        tokens: tuple[str, ...],
        governor: Governor,
        counters: Counters,
        *,
        max_retries: int = 6,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        backoff_base: float = 0.5,
    ) -> None:
        """Create a client.

        Args:
            api_url: the REST base (the GraphQL endpoint is derived: :func:`graphql_url`).
            tokens: the token pool (may be empty for a loopback fake server).
            governor: the run's governor (shared with the REST client).
            counters: the run's request counters (shared with the REST client).
            max_retries: attempts after the first before a query gives up.
            connect_timeout: seconds to connect.
            read_timeout: seconds between bytes received (GitHub itself stops a query at 10 s).
            backoff_base: first backoff after a transient failure; doubles per attempt.
        """
        check_api_url(api_url, bool(tokens))
        self.url = graphql_url(api_url)
        self._tokens = tokens
        self.governor = governor
        self.counters = counters
        self.max_retries = max_retries
        self.timeout = (connect_timeout, read_timeout)
        self.backoff_base = backoff_base
        self.stats = GraphQLStats()
        # ``owner/name`` asked for -> the repository's current name (after a rename or transfer).
        self.names: dict[str, str] = {}
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Accept": "application/vnd.github+json",
                    "Content-Type": "application/json",
                    "X-GitHub-Api-Version": API_VERSION,
                    "User-Agent": USER_AGENT,
                }
            )
            session.trust_env = False
            self._local.session = session
        return session

    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        kind: str,
        what: str = "",
        split_on_heavy: bool = False,
        tolerate: Callable[[Mapping[str, Any]], bool] | None = None,
    ) -> Answer:
        """Send one query, waiting and retrying as the governor and the classification say.

        Args:
            query: the query text.
            variables: its variables.
            kind: request kind for statistics (e.g. ``graphql-details``).
            what: what is fetched, for error messages.
            split_on_heavy: raise :class:`HeavyQueryError` at the first "too heavy" answer (the
                caller sends a smaller query) instead of retrying the same one.
            tolerate: which ``errors`` entries of a partial answer the caller handles (e.g. a
                NOT_FOUND user); any other entry makes the answer a transient failure, and an
                :class:`ApiError` once the retries are spent.

        Returns:
            The answer.

        Raises:
            HeavyQueryError: too heavy, with ``split_on_heavy``.
            AuthError: 401.
            ApiError: GraphQL errors without data, another non-retriable status.
            RateLimitError, TransientError: retries exhausted.
        """
        cost = query_cost(query, variables)
        body = json.dumps(
            {"query": query, "variables": dict(variables or {})}, separators=(",", ":")
        ).encode()
        attempts = 0
        limit_waits = 0
        while True:
            lease = self.governor.acquire(RESOURCE)
            headers = {}
            secret = self._tokens[lease.token] if self._tokens else ""
            if secret:
                headers["Authorization"] = f"Bearer {secret}"
            try:
                response = self._session().post(
                    self.url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
                )
                raw = response.content
            except requests.RequestException as exc:
                self.governor.release(lease, None)
                self.counters.count(kind, RESOURCE, False)
                timed_out = isinstance(exc, requests.ReadTimeout)
                # A query GitHub stopped still costs its points.
                self.stats.add(cost.points if timed_out else 0, cost.nodes, heavy=timed_out)
                verdict = _Verdict(
                    Classified(Outcome.TRANSIENT, "read timeout" if timed_out else "connection error"),
                    heavy=timed_out,
                )
            else:
                verdict = classify_answer(response.status_code, response.headers, raw)
                good = verdict.classified.outcome is Outcome.OK
                learned = budget_headers(response.headers, (verdict.payload or {}).get("data"))
                self.governor.release(lease, learned, ok=good)
                self.counters.count(kind, RESOURCE, False)
                if good and verdict.repairs:
                    self.counters.repaired(verdict.repairs)
                spent = _spent(verdict, cost)
                self.stats.add(spent, cost.nodes, heavy=verdict.heavy)
            outcome = verdict.classified.outcome
            reason = scrub(verdict.classified.reason, self._tokens)
            if outcome is Outcome.OK and verdict.payload is not None:
                found = verdict.payload.get("errors")
                errors = [e for e in found if isinstance(e, Mapping)] if isinstance(found, list) else []
                bad = [e for e in errors if tolerate is None or not tolerate(e)]
                if not bad:
                    return Answer(dict(verdict.payload["data"]), [dict(e) for e in errors], cost)
                _, _, message = _error_fields(bad)
                reason = scrub(f"partial answer: {message}"[:300], self._tokens)
                if attempts >= self.max_retries:
                    raise ApiError(
                        f"GitHub answered the GraphQL query for {what or kind} with errors ({reason}); "
                        "try again later with --resume, or use --api rest"
                    )
            if outcome is Outcome.AUTH:
                raise AuthError("GitHub rejected the token for GraphQL (401): check GITHUB_TOKEN")
            if outcome is Outcome.NOT_FOUND:
                raise ApiError(f"no GraphQL API at {self.url} (404 Not Found); use --api rest")
            if outcome is Outcome.REDIRECT:
                raise ApiError(
                    f"the GraphQL endpoint {self.url} moved ({reason}, to {verdict.classified.location}); "
                    "correct --api-url, or use --api rest"
                )
            if outcome in (Outcome.FATAL, Outcome.REFUSED):
                raise ApiError(
                    f"GitHub refused the GraphQL query for {what or kind} ({reason}); "
                    "check the token's permissions, or use --api rest"
                )
            if verdict.heavy and split_on_heavy:
                raise HeavyQueryError(f"GraphQL query for {what or kind} too heavy ({reason})")
            self.counters.retry()
            if outcome is Outcome.PRIMARY_LIMIT:
                self.governor.primary_limited(lease.token, RESOURCE, verdict.classified.reset)
                limit_waits += 1
            elif outcome is Outcome.SECONDARY_LIMIT:
                block = self.governor.secondary_limited(lease.token, verdict.classified.retry_after)
                # A limit answered to a query sent before the block began (e.g. beside REST
                # lists that set it off) is a wait, not a failed attempt.
                if block.started:
                    attempts += 1
                else:
                    limit_waits += 1
            else:
                attempts += 1
                if attempts <= self.max_retries:
                    self.governor.backoff(attempts, self.backoff_base, key=f"graphql:{kind}")
            if attempts > self.max_retries or limit_waits > 10 * (self.max_retries + 1):
                limits = (Outcome.PRIMARY_LIMIT, Outcome.SECONDARY_LIMIT)
                error = RateLimitError if outcome in limits else TransientError
                tried = attempts_text(attempts + limit_waits)
                raise error(
                    f"gave up on the GraphQL query for {what or kind} after {tried} "
                    f"(last: {reason}); try again later with --resume or raise --max-retries"
                )


def _spent(verdict: _Verdict, cost: QueryCost) -> int:
    """Points an answer cost: its ``rateLimit.cost``, else the computed cost when the query ran.

    GitHub charges a query it stopped for time or resources too; a refused one costs nothing.
    """
    data = (verdict.payload or {}).get("data")
    limit = data.get("rateLimit") if isinstance(data, Mapping) else None
    if isinstance(limit, Mapping) and limit.get("cost") is not None:
        return int(limit["cost"])
    if verdict.heavy or verdict.classified.outcome is Outcome.OK:
        return cost.points
    return 0
