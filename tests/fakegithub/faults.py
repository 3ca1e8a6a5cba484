"""Switchable misbehaviours of the fake GitHub (all off by default)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Faults:
    """What the fake GitHub does wrong, and when.

    Counters, not clocks, decide which request is hit, so a run is reproducible. "Every Nth"
    counts requests that would spend rate limit (not /rate_limit, not 304s). A request path
    that already got a given 5xx/reset/truncation once is exempt from that fault afterwards, so
    a client that retries always makes progress.

    Attributes:
        core_limit: per-token primary budget per window (None: not enforced; the headers then
            advertise a limit of 1,000,000).
        reset_seconds: window length; the window starts with the token's first counted request.
        primary_status: 403 (GitHub's usual) or 429 when the primary budget is spent.
        secondary_every: every Nth counted request answers a secondary rate limit.
        secondary_status: 403 or 429 for secondary limits.
        secondary_retry_after: value of the retry-after header (seconds); None sends no
            retry-after and blocks the token for secondary_quiet_seconds instead.
        secondary_quiet_seconds: block length when no retry-after is sent.
        quiet_secondary_every: every Nth counted request answers a secondary limit without
            retry-after (blocking for secondary_quiet_seconds), whatever secondary_retry_after
            says: GitHub mixes both kinds.
        block_grace_seconds: a request that arrives during a block on another connection than
            the one that carried the block's answer counts as a violation only this long after
            that answer was sent: parallel workers cannot know of a 403 another worker has not
            read yet. On the announcing connection there is no grace (that client knew).
        max_concurrency: more in-flight requests than this on one token -> secondary limit.
        server_error_every: every Nth counted request answers server_error_status once.
        server_error_status: 500, 502, 503 or 504.
        reset_every: every Nth counted request: connection closed without a response.
        truncate_every: every Nth counted request: Content-Length larger than the body sent.
        slow_every: every Nth counted request waits slow_seconds before answering.
        slow_seconds: that delay.
        latency: extra delay for every request (added to FakeGitHub(latency=...)).
        fail_auth: every request answers 401 Bad credentials.

        The transport faults above (secondary_every, max_concurrency, server errors, resets,
        truncation, slowness, latency, fail_auth) hit GraphQL requests too (POST /graphql
        counts as one request; "once per target" means once per query body); secondary-limit
        blocks and the concurrency count are shared by REST and GraphQL, as GitHub documents.
        GraphQL only (tests/fakegithub/graphql/endpoint.py):
        graphql_limit: per-token primary GraphQL budget in points per window (reset_seconds),
            apart from core_limit (None: not enforced; headers advertise 1,000,000). A query
            runs while any points remain and may overdraw (used 5,004 of 5,000).
        graphql_limited_answer: how a spent budget is answered: "RATE_LIMITED" or "RATE_LIMIT"
            (200 with errors[].type, the latter with code graphql_rate_limit), "403" or "429".
        graphql_points_per_minute: secondary limit in points per minute (GitHub: 2,000; a
            query is 1 point); exceeding it answers a secondary limit (secondary_status,
            secondary_retry_after).
        graphql_minute_seconds: length of that minute (tests shorten it).
        graphql_heavy_nodes: queries requesting more nodes than this are answered
            graphql_heavy_answer (and still charged).
        graphql_heavy_cost: likewise for a point cost above this.
        graphql_heavy_answer: "502" or "504" (GitHub's "We couldn't respond to your request in
            time"), "timeout" (200, data null, "Something went wrong ... timeout") or
            "resource_limits" (200, root fields null, RESOURCE_LIMITS_EXCEEDED).
        graphql_heavy_delay: seconds a heavy query takes before that answer (GitHub gives up
            after 10 s).
        graphql_missing_prs: PR numbers whose node in `pullRequests` comes back null with a
            NOT_FOUND error (partial data).
        graphql_missing_once: each of those fails only once (a retry gets it).
        graphql_forbidden: "Type.field" names answered null with a FORBIDDEN error ("Resource
            not accessible by integration"), e.g. "Commit.checkSuites".
    """

    core_limit: int | None = None
    reset_seconds: float = 3600.0
    primary_status: int = 403
    secondary_every: int | None = None
    secondary_status: int = 403
    secondary_retry_after: int | None = 1
    secondary_quiet_seconds: float = 1.0
    quiet_secondary_every: int | None = None
    block_grace_seconds: float = 0.2
    max_concurrency: int | None = None
    server_error_every: int | None = None
    server_error_status: int = 502
    reset_every: int | None = None
    truncate_every: int | None = None
    slow_every: int | None = None
    slow_seconds: float = 0.5
    latency: float = 0.0
    fail_auth: bool = False
    graphql_limit: int | None = None
    graphql_limited_answer: str = "RATE_LIMITED"
    graphql_points_per_minute: int | None = None
    graphql_minute_seconds: float = 60.0
    graphql_heavy_nodes: int | None = None
    graphql_heavy_cost: int | None = None
    graphql_heavy_answer: str = "502"
    graphql_heavy_delay: float = 0.0
    graphql_missing_prs: frozenset[int] = frozenset()
    graphql_missing_once: bool = True
    graphql_forbidden: frozenset[str] = frozenset()
