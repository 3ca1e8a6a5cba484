"""The rate-limit governor: the one object that decides when a request may be sent, and on which token.

GitHub enforces a *primary* budget per token and resource (``core``, ``graphql``, ``search``...)
announced in ``x-ratelimit-*`` headers, and *secondary* limits (too many requests too fast or too
concurrently) answered with 403/429 and sometimes ``retry-after``. The governor

* tracks limit/remaining/reset per (token, resource) from every response, reserving one unit per
  request sent so concurrent workers cannot overspend the last units of a window;
* never sends on a token whose budget for the resource is spent before its reset; with a token
  pool it picks the token with the most budget left, and when all are spent waits for the earliest
  reset;
* after a secondary limit blocks the token for ``retry-after`` seconds, or without it for
  ``secondary_min_wait`` seconds (plus at most 5 % jitter) doubling only on repeats, and after a
  repeat lowers that token's concurrency until it has answered well again;
* paces all requests with a token bucket (at most ``points_per_minute`` in any minute).

Time is injected (``clock`` and ``sleep``) so the logic is unit-tested without real waiting.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from prseed.extract.ratelimit import RateHeaders

RESET_MARGIN = 0.5  # seconds after x-ratelimit-reset before a spent token is used again
MAX_SECONDARY_WAIT = 900.0
MAX_BACKOFF = 30.0
# Added to retry-after: the block starts when the answer is read, after GitHub's clock started it.
RETRY_AFTER_MARGIN = 0.02
RECOVER_AFTER = 50  # good answers before a throttled token gets one more concurrent request

WaitListener = Callable[[str, float], None]


class Stopped(Exception):
    """Raised in a thread waiting in the governor once the run is stopped (Ctrl-C or a failure).

    Control flow only: the thread that called :meth:`Governor.stop` re-raises its own exception,
    so this one never reaches the user.
    """


@dataclass(frozen=True)
class Lease:
    """Permission to send one request.

    Attributes:
        token: index of the token to use in the pool.
        resource: the rate-limit resource the request spends.
    """

    token: int
    resource: str


@dataclass
class Budget:
    """What GitHub last said about one (token, resource) budget, minus our own reservations."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None


@dataclass
class WaitStats:
    """Waits of a run by reason: ``{reason: [count, seconds]}``."""

    by_reason: dict[str, list[float]] = field(default_factory=dict)

    def add(self, reason: str, seconds: float) -> None:
        """Record one wait."""
        entry = self.by_reason.setdefault(reason, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds

    def totals(self, exclude: tuple[str, ...] = ("pacing",)) -> tuple[int, float]:
        """Count and seconds of the waits, without routine pacing."""
        count = sum(int(v[0]) for k, v in self.by_reason.items() if k not in exclude)
        seconds = sum(v[1] for k, v in self.by_reason.items() if k not in exclude)
        return count, seconds


def jitter(*parts: object) -> float:
    """A fraction in [0, 1) derived from a hash of the parts (no shared random stream)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class SecondaryBlock(NamedTuple):
    """A token's block after a secondary limit.

    Attributes:
        wait: seconds until the token may send again.
        started: this answer began the block (False: the token was already blocked, so the
            request was sent before the limit was known).
    """

    wait: float
    started: bool


class Governor:
    """Owns all waiting for rate limits; thread-safe."""

    def __init__(
        self,
        n_tokens: int,
        *,
        points_per_minute: int = 900,
        secondary_min_wait: float = 60.0,
        max_concurrency: int = 3,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] | None = None,
        on_wait: WaitListener | None = None,
    ) -> None:
        """Create a governor.

        Args:
            n_tokens: size of the token pool (1 when running without a token).
            points_per_minute: pacing ceiling for all requests together.
            secondary_min_wait: minimum wait after a secondary limit without ``retry-after``.
            max_concurrency: in-flight requests allowed per token.
            clock: wall-clock seconds (``x-ratelimit-reset`` is an epoch).
            sleep: how to wait (tests); by default a wait that :meth:`stop` ends at once.
            on_wait: called with (reason, seconds) when a wait starts.
        """
        self._n = max(1, n_tokens)
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait
        self._secondary_min_wait = secondary_min_wait
        self._cond = threading.Condition()
        self._budgets: dict[tuple[int, str], Budget] = {}
        self._blocked_until = [0.0] * self._n
        self._strikes = [0] * self._n  # limits in a row (any kind) per token
        self._quiet_strikes = [0] * self._n  # header-less limits in a row per token
        self._good = [0] * self._n
        self._max_conc = max(1, max_concurrency)
        self._cap = [self._max_conc] * self._n
        self._inflight = [0] * self._n
        # In flight per (token, resource): only a resource's own requests may spend its budget.
        self._inflight_by: dict[tuple[int, str], int] = {}
        ppm = max(1, points_per_minute)
        # Burst at most one second's worth, refill slower by that burst: any 60 s window then
        # holds at most points_per_minute requests.
        self._capacity = float(max(1, min(ppm // 60, 15)))
        self._rate = max(ppm - self._capacity, 1.0) / 60.0
        self._bucket = self._capacity
        self._bucket_at = clock()
        self._announced: set[tuple[str, float]] = set()
        self._stop = threading.Event()
        self.waits = WaitStats()

    # -- sending -------------------------------------------------------------------------------

    def acquire(
        self, resource: str = "core", token: int | None = None, prefer: frozenset[int] = frozenset()
    ) -> Lease:
        """Block until a request may be sent, then reserve it.

        Args:
            resource: the rate-limit resource the request will spend.
            token: use this token of the pool (e.g. to ask it for its budget).
            prefer: among the tokens ready and free now, take one of these first (the tokens
                holding an ETag for a conditional request: only their 304s are free). Never a
                reason to wait.

        Returns:
            The lease naming the token to use; pass it to :meth:`release`.
        """
        while True:
            with self._cond:
                if self._stop.is_set():
                    raise Stopped("the run is stopping")
                now = self._clock()
                self._refill(now)
                pool = range(self._n) if token is None else [token]
                ready = [t for t in pool if self._token_ready(t, resource, now)]
                free = [t for t in ready if self._inflight[t] < self._cap[t]]
                if free and self._bucket >= 1.0 - 1e-9:
                    chosen = max(free, key=lambda t: (t in prefer, self._left(t, resource), -t))
                    self._bucket = max(0.0, self._bucket - 1.0)
                    self._inflight[chosen] += 1
                    key = (chosen, resource)
                    self._inflight_by[key] = self._inflight_by.get(key, 0) + 1
                    budget = self._budgets.get((chosen, resource))
                    if budget is not None and budget.remaining is not None:
                        budget.remaining -= 1
                    return Lease(chosen, resource)
                if ready and not free:
                    # Only our own concurrency cap stands in the way: a release will wake us.
                    self._cond.wait(timeout=1.0)
                    continue
                if ready:
                    # At least a millisecond: a float epoch cannot grow by less.
                    reason, until = "pacing", now + max((1.0 - self._bucket) / self._rate, 1e-3)
                else:
                    reason, until = self._earliest_ready(resource, now)
                seconds = max(until - now, 0.0)
                self._record(reason, until, seconds)
            self._pause(seconds)

    def release(self, lease: Lease, rate: RateHeaders | None, ok: bool = True, free: bool = False) -> None:
        """Return a lease and learn from the answer's rate-limit headers.

        Args:
            lease: from :meth:`acquire`.
            rate: the answer's parsed headers, or None when no answer came (network error).
            ok: whether the answer was a success (counts toward lifting a throttle).
            free: the answer cost no primary budget (a 304 to an authorized conditional
                request, GitHub REST docs "Best practices": "Use conditional requests if
                appropriate"): the unit reserved by :meth:`acquire` is given back. Pacing is
                not: a 304 is still a request toward the secondary limits.
        """
        with self._cond:
            token = lease.token
            self._inflight[token] -= 1
            self._inflight_by[(token, lease.resource)] -= 1
            if free:
                budget = self._budgets.get((token, lease.resource))
                if budget is not None and budget.remaining is not None:
                    budget.remaining += 1
            if rate is not None:
                self._learn(token, lease.resource, rate)
                if ok:
                    self._strikes[token] = 0
                    self._quiet_strikes[token] = 0
                    self._good[token] += 1
                    if self._good[token] >= RECOVER_AFTER and self._cap[token] < self._max_conc:
                        self._cap[token] += 1
                        self._good[token] = 0
            self._cond.notify_all()

    def observe(self, token: int, resource: str, rate: RateHeaders) -> None:
        """Learn a budget announced outside an answer of its own resource.

        E.g. the ``graphql`` budget in the body of ``/rate_limit``, so a token of a pool whose
        GraphQL points are spent is never tried.

        Args:
            token: the token's index.
            resource: the budget's resource (``rate.resource`` wins when set).
            rate: the budget, as :func:`~extract.ratelimit.parse_rate_headers` reads it.
        """
        with self._cond:
            self._learn(token, resource, rate)
            self._cond.notify_all()

    def primary_limited(self, token: int, resource: str, reset: float | None) -> None:
        """Mark a token's budget as spent until ``reset`` (epoch; +60 s when GitHub gave none)."""
        with self._cond:
            now = self._clock()
            budget = self._budgets.setdefault((token, resource), Budget())
            budget.remaining = 0
            if reset is None or reset <= now:
                # The server's clock is ahead of ours or it gave no reset: wait a while anyway.
                reset = max(reset or 0.0, now + (60.0 if reset is None else 1.0))
            budget.reset = reset

    def secondary_limited(self, token: int, retry_after: float | None) -> SecondaryBlock:
        """Block a token after a secondary limit; returns the block and whether this answer began it.

        With ``retry-after`` the block is exactly that (plus a hair). Without it the first block
        is ``secondary_min_wait`` (GitHub: "wait for at least one minute") plus at most 5 %
        jitter, doubling only when a header-less limit repeats after a block has ended. Limit answers
        that arrive while the token is already blocked come from requests sent before the block
        was known: they extend nothing and count as no repeat. A repeat also lowers the token's
        concurrency by one until it has answered well again (a single limit, e.g. GitHub's
        points-per-minute one, says nothing about concurrency). Callers count only a limit that
        began a block as a failed attempt of its request: the others were sent before anyone knew.
        """
        with self._cond:
            now = self._clock()
            if self._blocked_until[token] > now:
                if retry_after is not None:
                    self._blocked_until[token] = max(
                        self._blocked_until[token], now + retry_after + RETRY_AFTER_MARGIN
                    )
                return SecondaryBlock(max(0.0, self._blocked_until[token] - now), started=False)
            self._strikes[token] += 1
            strikes = self._strikes[token]
            if retry_after is not None:
                wait = retry_after + RETRY_AFTER_MARGIN
            else:
                # Only header-less limits in a row double the rest: one that follows a limit
                # with its own retry-after is still the first of its kind.
                self._quiet_strikes[token] += 1
                quiet = self._quiet_strikes[token]
                base = self._secondary_min_wait * 2 ** (quiet - 1)
                wait = min(base * (1.0 + 0.05 * jitter("secondary", token, quiet)), MAX_SECONDARY_WAIT)
            self._blocked_until[token] = now + wait
            if strikes > 1:
                # Limited again right after a block: send less at once until answers are good.
                self._cap[token] = max(1, self._cap[token] - 1)
            self._good[token] = 0
            return SecondaryBlock(wait, started=True)

    def backoff(self, attempt: int, base: float, key: str = "") -> float:
        """Sleep before retrying a transient failure; returns seconds.

        The first retry goes out at once (still paced like any request): a single 5xx, reset or
        truncated body is the common case and a pause would only idle the worker. From the
        second retry on the pause is ``base`` doubling per attempt (at most 30 s), with up to
        25 % jitter.
        """
        if attempt <= 1:
            return 0.0
        seconds = min(base * 2.0 ** (attempt - 2), MAX_BACKOFF) * (1.0 + 0.25 * jitter(key, attempt))
        with self._cond:
            self.waits.add("backoff", seconds)
        if self._on_wait is not None:
            self._on_wait("backoff", seconds)
        self._pause(seconds)
        return seconds

    def stop(self) -> None:
        """Stop the run: every wait, now or later, raises :class:`Stopped` at once.

        Called by the main thread on Ctrl-C or a failure, so worker threads resting for a
        secondary limit (a minute or more) or a reset end now instead of finishing their rest
        while the process waits for them. :meth:`start_run` lifts it for the next run.
        """
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def _pause(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        elif self._stop.wait(seconds):
            raise Stopped("the run is stopping")

    def start_run(self, on_wait: WaitListener | None) -> None:
        """Begin the next of several runs sharing this governor (``prseed extract --all``).

        The run gets fresh wait statistics and its own wait listener; what was learned about
        budgets, blocks, throttles and pacing carries over, so a token an earlier run spent or
        got blocked is not tried again before its reset.
        """
        with self._cond:
            self.waits = WaitStats()
            self._on_wait = on_wait
            self._stop.clear()

    def knows(self, token: int, resources: tuple[str, ...]) -> bool:
        """Whether a budget of every one of ``resources`` is known for ``token``."""
        with self._cond:
            budgets = [self._budgets.get((token, r)) for r in resources]
            return all(b is not None and b.remaining is not None for b in budgets)

    # -- reporting -----------------------------------------------------------------------------

    def budget_left(self, resource: str = "core") -> int | None:
        """Known remaining budget for a resource over all tokens (None before any answer)."""
        with self._cond:
            known = [
                b.remaining
                for (t, r), b in self._budgets.items()
                if r == resource and b.remaining is not None
            ]
            return sum(max(0, k) for k in known) if known else None

    def resume_hint(self, token: int, resource: str = "core") -> float | None:
        """Seconds until a token may be used again for a resource (None: no known wait).

        Used for the "come back later" message when retries run out: the end of a secondary
        block or the primary reset, whichever is later.
        """
        with self._cond:
            now = self._clock()
            until = self._blocked_until[token]
            budget = self._budgets.get((token, resource))
            spent = budget is not None and budget.remaining is not None and budget.remaining <= 0
            if spent and budget is not None and budget.reset is not None:
                until = max(until, budget.reset + RESET_MARGIN)
            return until - now if until > now else None

    # -- internals (called with the lock held) -------------------------------------------------

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._bucket_at)
        self._bucket = min(self._capacity, self._bucket + elapsed * self._rate)
        self._bucket_at = now

    def _token_ready(self, token: int, resource: str, now: float) -> bool:
        if self._blocked_until[token] > now:
            return False
        budget = self._budgets.get((token, resource))
        if budget is None or budget.remaining is None or budget.remaining > 0:
            return True
        if budget.reset is None:
            # GitHub announced no reset: we cannot wait for one, so let the server decide.
            return True
        if now >= budget.reset + RESET_MARGIN:
            # A new window has begun: trust the announced limit until GitHub says otherwise.
            budget.remaining = budget.limit
            budget.reset = None
            return True
        return False

    def _left(self, token: int, resource: str) -> float:
        budget = self._budgets.get((token, resource))
        if budget is None or budget.remaining is None:
            return float("inf")
        return float(budget.remaining)

    def _earliest_ready(self, resource: str, now: float) -> tuple[str, float]:
        best: tuple[str, float] | None = None
        for token in range(self._n):
            until, reason = now, "pacing"
            if self._blocked_until[token] > now:
                until, reason = self._blocked_until[token], "secondary"
            budget = self._budgets.get((token, resource))
            if budget is not None and budget.remaining is not None and budget.remaining <= 0:
                reset = (budget.reset if budget.reset is not None else now) + RESET_MARGIN
                if reset > until:
                    until, reason = reset, "primary"
            if best is None or until < best[1]:
                best = (reason, until)
        assert best is not None
        return best

    def _learn(self, token: int, resource: str, rate: RateHeaders) -> None:
        if rate.remaining is None:
            return
        resource = rate.resource or resource
        budget = self._budgets.setdefault((token, resource), Budget())
        # Requests of this resource still in flight on this token may already be counted by the
        # server or not; assume not, so we never believe in more budget than there is. (Those
        # of another resource spend another budget: REST lists beside GraphQL queries.)
        remaining = rate.remaining - max(0, self._inflight_by.get((token, resource), 0))
        new_window = budget.reset is None or (rate.reset is not None and rate.reset > budget.reset)
        if new_window or budget.remaining is None:
            budget.remaining = remaining
        else:
            budget.remaining = min(budget.remaining, remaining)
        budget.limit = rate.limit if rate.limit is not None else budget.limit
        budget.reset = rate.reset if rate.reset is not None else budget.reset

    def _record(self, reason: str, until: float, seconds: float) -> None:
        if reason == "pacing":
            self.waits.add(reason, seconds)
            return
        # Several workers wait for the same reset: count that wait once.
        key = (reason, round(until, 3))
        if key in self._announced:
            return
        if len(self._announced) >= 64:
            # Waits already over cannot be joined any more: keep the set small on long runs.
            now = until - seconds
            self._announced = {k for k in self._announced if k[1] >= now}
        self._announced.add(key)
        self.waits.add(reason, seconds)
        if self._on_wait is not None:
            self._on_wait(reason, seconds)
