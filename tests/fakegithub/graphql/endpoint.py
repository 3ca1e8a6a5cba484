"""POST /graphql of the fake GitHub: budgets, secondary limits, faults, violations, execution.

Like the REST side, decisions are taken under the server's lock as a request arrives; parsing,
validation, cost measurement and execution run outside it. GitHub's rules followed (GitHub Docs,
"Rate limits and query limits for the GraphQL API" and "Rate limits for the REST API" on
secondary limits):
  * Each token has a GraphQL budget apart from REST's `core` (headers carry
    `x-ratelimit-resource: graphql`). A query runs while the budget is not spent, is charged its
    point value (tests.fakegithub.graphql.accounting) and may overdraw it: `used` can exceed
    `limit` (used 5,002 of 5,000 has been seen); `remaining` never goes below 0.
  * A spent budget answers 200 with `errors[].type` RATE_LIMITED (or RATE_LIMIT with code
    graphql_rate_limit), or 403/429, with `x-ratelimit-remaining: 0`.
  * Secondary limits: 2,000 points per minute for GraphQL (1 point per query), concurrency
    shared with REST; answered 403/429 with or without retry-after.
  * Queries failing validation, pagination boundaries or the 500,000-node limit are answered
    200 with `errors` and charged nothing.
Violations are counted in the server's Stats exactly like REST's: a request arriving while the
token's GraphQL budget is spent (before its reset), during a secondary-limit block it was told
of, or over the concurrency limit.
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
import struct
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    execute,
    parse,
    validate,
)

from tests.fakegithub.generate import GeneratedRepo
from tests.fakegithub.graphql.accounting import measure
from tests.fakegithub.graphql.model import Context, World, resolve_field, resolve_type
from tests.fakegithub.graphql.schema import execution_schema, github_schema

if TYPE_CHECKING:
    from tests.fakegithub.server import FakeGitHub, _Handler, _TokenState

UNENFORCED_LIMIT = 1_000_000
DOCS = "https://docs.github.com/graphql"
LIMITS_DOCS = "https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {rid}."
)
TIMEOUT_MESSAGE = (
    "We couldn't respond to your request in time. Sorry about that. Please try resubmitting "
    "your request and contact us if the problem persists."
)
SOMETHING_WENT_WRONG = (
    "Something went wrong while executing your query. This may be the result of a timeout, or "
    "it could be a GitHub bug. Please include `{rid}` when reporting this issue."
)


@dataclass
class GraphQLStats:
    """Counters of the GraphQL endpoint (reset with FakeGitHub.reset_stats()).

    Attributes:
        queries: queries executed (answered with `data`).
        points: points charged.
        nodes: sum of the node counts of executed queries. max_nodes: the largest one.
        costs: the point value of each executed query, in order.
        rejected: queries refused before execution (syntax, validation, pagination, nodes).
        answers: answers by kind ("RATE_LIMITED", "secondary", "heavy", "NOT_FOUND", ...).
    """

    queries: int = 0
    points: int = 0
    nodes: int = 0
    max_nodes: int = 0
    costs: list[int] = field(default_factory=list)
    rejected: int = 0
    answers: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        """Add one answer of `kind`."""
        self.answers[kind] = self.answers.get(kind, 0) + 1


@dataclass
class _Budget:
    window_start: float | None = None
    used: int = 0
    minute_start: float | None = None
    minute_points: int = 0


@dataclass
class Answer:
    """What to send: status, JSON body, headers, whether it starts a block (like server._Resp)."""

    status: int
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    starts_block: bool = False


def _json(obj: Any) -> bytes:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (legal JSON) has no UTF-8 form: send it as GitHub does, \ud83d (as REST).
        return json.dumps(obj, separators=(",", ":")).encode("ascii")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _user_id(label: str) -> int:
    return int(hashlib.sha256(label.encode()).hexdigest()[:7], 16)


def format_error(error: GraphQLError) -> dict[str, Any]:
    """A graphql-core error in GitHub's shape: `type` at the top level, then path/locations."""
    out: dict[str, Any] = {}
    ext = dict(error.extensions or {})
    if "type" in ext:
        out["type"] = ext.pop("type")
    if error.path is not None:
        out["path"] = list(error.path)
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    out["message"] = error.message
    if ext:
        out["extensions"] = ext
    return out


def graphql_path(prefix: str) -> str:
    """Where GraphQL is served: /graphql, or /api/graphql behind /api/v3 (GitHub Enterprise)."""
    prefix = prefix.rstrip("/")
    if prefix.endswith("/v3"):
        return prefix[: -len("/v3")] + "/graphql"
    return prefix + "/graphql"


def _dry_run(document: Any, operation_name: str | None) -> bool:
    """True when the operation's root asks `rateLimit(dryRun: true)` (literal argument)."""
    for op in document.definitions:
        if not isinstance(op, OperationDefinitionNode):
            continue
        if operation_name is not None and (op.name is None or op.name.value != operation_name):
            continue
        for sel in op.selection_set.selections:
            if isinstance(sel, FieldNode) and sel.name.value == "rateLimit":
                for a in sel.arguments or ():
                    if a.name.value == "dryRun" and getattr(a.value, "value", False) is True:
                        return True
    return False


class GraphQLEndpoint:
    """The GraphQL endpoint of one FakeGitHub (shares its lock, token states and Stats)."""

    def __init__(self, fake: FakeGitHub, repos: list[GeneratedRepo]) -> None:
        self.fake = fake
        self.world = World(repos)
        self.stats = GraphQLStats()
        self._budgets: dict[str, _Budget] = {}
        self._missing_done: set[int] = set()

    @property
    def path(self) -> str:
        """The URL path of the endpoint (prefix included)."""
        return graphql_path(self.fake.prefix)

    # -- bookkeeping (called under the server's lock) ---------------------------------------

    def reset(self) -> None:
        """Forget budgets and one-shot faults (FakeGitHub.reset_limits)."""
        self._budgets.clear()
        self._missing_done.clear()

    def reset_stats(self) -> None:
        """Zero the counters (FakeGitHub.reset_stats)."""
        self.stats = GraphQLStats()

    def _limit(self) -> int:
        limit = self.fake.faults.graphql_limit
        return limit if limit is not None else UNENFORCED_LIMIT

    def _budget(self, label: str, now: float) -> _Budget:
        b = self._budgets.setdefault(label, _Budget())
        f = self.fake.faults
        if b.window_start is not None and now >= b.window_start + f.reset_seconds:
            b.window_start, b.used = None, 0
        if b.minute_start is not None and now >= b.minute_start + f.graphql_minute_seconds:
            b.minute_start, b.minute_points = None, 0
        return b

    def _reset_at(self, b: _Budget, now: float) -> float:
        return (b.window_start if b.window_start is not None else now) + self.fake.faults.reset_seconds

    def rate_headers(self, b: _Budget | None, now: float) -> dict[str, str]:
        """x-ratelimit-* headers of the GraphQL resource (`used` may exceed `limit`)."""
        limit = self._limit()
        used = b.used if b else 0
        reset = self._reset_at(b, now) if b else now + self.fake.faults.reset_seconds
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - used)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(math.ceil(reset)),
            "x-ratelimit-resource": "graphql",
        }

    def resource(self, label: str, now: float) -> dict[str, int]:
        """The `graphql` entry of GET /rate_limit for a token (by its label, "token#N")."""
        b = self._budget(label, now)
        h = self.rate_headers(b, now)
        return {
            "limit": int(h["x-ratelimit-limit"]),
            "used": int(h["x-ratelimit-used"]),
            "remaining": int(h["x-ratelimit-remaining"]),
            "reset": int(h["x-ratelimit-reset"]),
        }

    def _secondary(self, st: _TokenState, now: float, rid: str, renewing: bool) -> Answer:
        f = self.fake.faults
        headers: dict[str, str] = {}
        if f.secondary_retry_after is not None:
            if renewing:
                headers["retry-after"] = str(max(1, math.ceil(st.blocked_until - now)))
            else:
                headers["retry-after"] = str(f.secondary_retry_after)
                st.blocked_until = now + f.secondary_retry_after
        elif not renewing:
            st.blocked_until = now + f.secondary_quiet_seconds
        if not renewing:
            st.block_announced_at = None
        self.fake._stats.rate_limited += 1
        self.stats.count("secondary")
        body = {
            "message": SECONDARY_MESSAGE.format(rid=rid),
            "documentation_url": f"{LIMITS_DOCS}#secondary-rate-limits",
        }
        return Answer(f.secondary_status, _json(body), headers, starts_block=not renewing)

    def _primary(self, st: _TokenState, rid: str) -> Answer:
        f = self.fake.faults
        self.fake._stats.rate_limited += 1
        form = f.graphql_limited_answer
        self.stats.count(form if form in ("RATE_LIMITED", "RATE_LIMIT") else f"primary-{form}")
        uid = _user_id(st.label)
        if form == "RATE_LIMIT":
            error = {
                "type": "RATE_LIMIT",
                "code": "graphql_rate_limit",
                "message": f"API rate limit already exceeded for user ID {uid}.",
            }
            return Answer(200, _json({"errors": [error]}))
        if form == "RATE_LIMITED":
            error = {"type": "RATE_LIMITED", "message": f"API rate limit exceeded for user ID {uid}."}
            return Answer(200, _json({"errors": [error]}))
        body = {
            "message": f"API rate limit exceeded for user ID {uid}. If you reach out to GitHub "
            f"Support for help, please include the request ID {rid}.",
            "documentation_url": f"{LIMITS_DOCS}#primary-rate-limit",
        }
        return Answer(int(form), _json(body))

    def _limited(self, st: _TokenState, b: _Budget, now: float, rid: str, conn: str) -> Answer | None:
        fake, f = self.fake, self.fake.faults
        path = self.path
        if f.max_concurrency is not None and st.inflight > f.max_concurrency:
            fake._violation(
                st, now, f"{st.inflight} requests in flight (max {f.max_concurrency})", "POST", path
            )
            return self._secondary(st, now, rid, renewing=st.blocked_until > now)
        if st.blocked_until > now:
            knew = st.block_announced_at is not None and (
                (conn and conn == st.block_announced_on)
                or now >= st.block_announced_at + f.block_grace_seconds
            )
            if knew:
                fake._violation(
                    st,
                    now,
                    f"sent {st.blocked_until - now:.2f}s before the "
                    "secondary limit's retry-after/quiet period ended",
                    "POST",
                    path,
                )
            return self._secondary(st, now, rid, renewing=True)
        limit = f.graphql_limit
        if limit is not None and b.used >= limit:
            reset = self._reset_at(b, now)
            fake._violation(
                st,
                now,
                f"GraphQL budget of {limit} points spent, {reset - now:.2f}s before its reset",
                "POST",
                path,
            )
            return self._primary(st, rid)
        return None

    # -- one request -----------------------------------------------------------------------

    def decide(
        self, raw_path: str, headers: dict[str, str], body: bytes, rid: str, conn: str
    ) -> tuple[Answer, str, float, str | None]:
        """Answer one POST to the endpoint.

        Returns:
            (answer, special action "" | "reset" | "truncate", extra delay in seconds, the
            token key whose in-flight count was raised, for FakeGitHub.done()).
        """
        fake = self.fake
        now = time.time()
        with fake._lock:
            stats = fake._stats
            stats.by_kind["graphql"] = stats.by_kind.get("graphql", 0) + 1
            if not headers.get("user-agent"):
                stats.missing_headers["user-agent"] = stats.missing_headers.get("user-agent", 0) + 1
                message = (
                    "Request forbidden by administrative rules. Please make sure your request has "
                    "a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-"
                    "rest-api#user-agent-required). Check https://developer.github.com for other "
                    "possible causes."
                )
                return Answer(403, _json({"message": message})), "", 0.0, None
            f = fake.faults
            auth = headers.get("authorization", "")
            scheme, _, token = auth.partition(" ")
            token = token.strip() if scheme.lower() in ("bearer", "token") else ""
            if f.fail_auth or not token or (fake.tokens is not None and token not in fake.tokens):
                message = (
                    "Bad credentials"
                    if (auth or f.fail_auth)
                    else "This endpoint requires you to be authenticated."
                )
                body401 = {
                    "message": message,
                    "documentation_url": f"{DOCS}/guides/forming-calls-with-graphql",
                }
                return Answer(401, _json(body401), self.rate_headers(None, now)), "", 0.0, None
            key = token
            st = fake._state(key)
            st.inflight += 1
            b = self._budget(st.label, now)
            limited = self._limited(st, b, now, rid, conn)
            if limited is not None:
                limited.headers.update(self.rate_headers(b, now))
                return limited, "", 0.0, key

        # Outside the lock: read the request, validate it, measure it.
        schema = github_schema()
        try:
            payload = json.loads(body)
            query = payload["query"]
            if not isinstance(query, str):
                raise TypeError("query")
            variables = payload.get("variables") or {}
            operation_name = payload.get("operationName")
            if not isinstance(variables, dict) or not isinstance(operation_name, str | None):
                raise TypeError("variables")
        except (ValueError, KeyError, TypeError):
            with fake._lock:
                b = self._budget(st.label, now)
                self.stats.rejected += 1
                problem = {"message": "Problems parsing JSON", "documentation_url": DOCS}
                return Answer(400, _json(problem), self.rate_headers(b, now)), "", 0.0, key
        rejection: list[dict[str, Any]] = []
        try:
            document = parse(query)
        except GraphQLSyntaxError as e:
            rejection = [format_error(e)]
        else:
            rejection = [format_error(e) for e in validate(schema, document)]
            if not rejection:
                m = measure(schema, document, variables, operation_name)
                rejection = m.errors
        if rejection:
            with fake._lock:
                b = self._budget(st.label, now)
                self.stats.rejected += 1
                for e in rejection:
                    self.stats.count(str(e.get("type", "INVALID")))
                return Answer(200, _json({"errors": rejection}), self.rate_headers(b, now)), "", 0.0, key

        dry_run = _dry_run(document, operation_name)
        cost = 0 if dry_run else m.cost
        target = f"POST {raw_path} {hashlib.sha256(body).hexdigest()}"
        with fake._lock:
            f = fake.faults
            b = self._budget(st.label, now)
            fake._seq += 1
            if f.secondary_every and fake._seq % f.secondary_every == 0:
                stats.faults["secondary"] = stats.faults.get("secondary", 0) + 1
                answer = self._secondary(st, now, rid, renewing=False)
                answer.headers.update(self.rate_headers(b, now))
                return answer, "", 0.0, key
            if f.graphql_points_per_minute is not None:
                if b.minute_start is None:
                    b.minute_start = now
                if b.minute_points + 1 > f.graphql_points_per_minute:
                    stats.faults["graphql_points_per_minute"] = (
                        stats.faults.get("graphql_points_per_minute", 0) + 1
                    )
                    answer = self._secondary(st, now, rid, renewing=False)
                    if f.secondary_retry_after is not None:
                        # Blocked until the minute is over.
                        wait = max(1, math.ceil(b.minute_start + f.graphql_minute_seconds - now))
                        st.blocked_until = now + wait
                        answer.headers["retry-after"] = str(wait)
                    answer.headers.update(self.rate_headers(b, now))
                    return answer, "", 0.0, key
                b.minute_points += 1
            if b.window_start is None:
                b.window_start = now
            b.used += cost
            limit = self._limit()
            rate = {
                "cost": cost,
                "limit": limit,
                "remaining": max(0, limit - b.used),
                "used": b.used,
                "resetAt": _iso(math.ceil(self._reset_at(b, now))),
                "nodeCount": m.node_count,
            }
            rate_headers = self.rate_headers(b, now)
            self.stats.points += cost
            action, delay = "", 0.0
            transport: Answer | None = None
            if fake._fault_due(f.server_error_every, "server_error", target):
                status = f.server_error_status
                message = "Service Unavailable" if status == 503 else "Server Error"
                transport = Answer(status, _json({"message": message}))
            elif fake._fault_due(f.reset_every, "reset", target):
                action = "reset"
            elif fake._fault_due(f.truncate_every, "truncate", target):
                action = "truncate"
            if fake._fault_due(f.slow_every, "slow", target):
                delay = f.slow_seconds
            heavy = (f.graphql_heavy_nodes is not None and m.node_count > f.graphql_heavy_nodes) or (
                f.graphql_heavy_cost is not None and cost > f.graphql_heavy_cost
            )
            missing = frozenset(n for n in f.graphql_missing_prs if n not in self._missing_done)
            forbidden = f.graphql_forbidden
            heavy_answer = f.graphql_heavy_answer
            if heavy:
                delay += f.graphql_heavy_delay
        if transport is not None:
            transport.headers.update(rate_headers)
            return transport, action, delay, key
        if heavy:
            answer = self._heavy(heavy_answer, rid, document, variables, operation_name, rate)
            answer.headers.update(rate_headers)
            with fake._lock:
                self.stats.count("heavy")
            return answer, action, delay, key

        ctx = Context(
            world=self.world, rate_limit=rate, dry_run=dry_run, missing_prs=missing, forbidden=forbidden
        )
        result = self._execute(document, variables, operation_name, ctx)
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [format_error(e) for e in result.errors]
        with fake._lock:
            if f.graphql_missing_once:
                self._missing_done |= ctx.missing_seen
            self.stats.queries += 1
            self.stats.nodes += m.node_count
            self.stats.max_nodes = max(self.stats.max_nodes, m.node_count)
            self.stats.costs.append(cost)
            for e in out.get("errors", []):
                self.stats.count(str(e.get("type", "ERROR")))
        return Answer(200, _json(out), rate_headers), action, delay, key

    def _execute(
        self, document: Any, variables: dict[str, Any], operation_name: str | None, ctx: Context
    ) -> Any:
        return execute(
            execution_schema(),
            document,
            root_value=self.world.root(),
            context_value=ctx,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=resolve_field,
            type_resolver=resolve_type,
        )

    def _heavy(
        self,
        form: str,
        rid: str,
        document: Any,
        variables: dict[str, Any],
        operation_name: str | None,
        rate: dict[str, Any],
    ) -> Answer:
        if form in ("502", "504"):
            return Answer(int(form), _json({"message": TIMEOUT_MESSAGE, "documentation_url": DOCS}))
        if form == "timeout":
            error = {"message": SOMETHING_WENT_WRONG.format(rid=rid)}
            return Answer(200, _json({"data": None, "errors": [error]}))
        # Resource limits: partial results (the root fields null, rateLimit kept) and the error.
        ctx = Context(world=self.world, rate_limit=rate, dry_run=True)
        result = self._execute(document, variables, operation_name, ctx)
        data = result.data or {}
        first = next((k for k, v in data.items() if v is None), None)
        error: dict[str, Any] = {"type": "RESOURCE_LIMITS_EXCEEDED"}
        if first is not None:
            error["path"] = [first]
        error["message"] = "Resource limits for this query exceeded."
        return Answer(200, _json({"data": data, "errors": [error]}))


def serve_post(handler: _Handler) -> None:
    """Answer one POST on a fake GitHub connection (the same wire behaviour as its GETs)."""
    fake = handler.owner
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length > 0 else b""
    endpoint = fake.graphql
    if handler.path.split("?", 1)[0] != endpoint.path:
        handler._method_not_allowed()
        return
    with fake._lock:
        fake._stats.requests += 1
        fake._stats.inflight += 1
        fake._stats.max_inflight = max(fake._stats.max_inflight, fake._stats.inflight)
        rid = f"FAKE:{fake._stats.requests:08X}"
    headers = {k.lower(): v for k, v in handler.headers.items()}
    status, key, announced, finished, conn = 0, None, False, False, ""
    try:
        conn = f"{handler.client_address[0]}:{handler.client_address[1]}"
        resp, action, delay, key = endpoint.decide(handler.path, headers, body, rid, conn)
        announced = resp.starts_block
        pause = fake.latency + fake.faults.latency + delay
        if pause > 0:
            time.sleep(pause)
        if action == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            return
        status = resp.status
        handler.send_response(resp.status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("x-github-request-id", rid)
        for k, v in resp.headers.items():
            handler.send_header(k, v)
        out = resp.body or b""
        if action == "truncate":
            handler.send_header("Content-Length", str(len(out) + 4096))
            handler.end_headers()
            handler.wfile.write(out[: len(out) // 2])
            handler.close_connection = True
            status = 0
            return
        handler.send_header("Content-Length", str(len(out)))
        fake.done(key, status, "POST", handler.path, announced, conn)
        finished = True
        handler.end_headers()
        handler.wfile.write(out)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True
    finally:
        if not finished:
            fake.done(key, status, "POST", handler.path, announced, conn)
