"""HTTP to the GitHub REST API: the one place that classifies a response, and the client.

:func:`classify` turns a status code, headers and body into an :class:`Outcome`; the
:class:`Client` sends GET requests through the :class:`~extract.governor.Governor`, retries what
can be retried and raises :mod:`prseed.errors` types for the rest. Tokens only ever go into the
``Authorization`` header; exception texts are scrubbed of them anyway.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from prseed.extract.etags import token_fingerprint
from prseed.extract.governor import Governor, Lease
from prseed.extract.ratelimit import RateHeaders, limit_kind, parse_rate_headers

from prseed import __version__
from prseed.errors import (
    ApiError,
    AuthError,
    ConfigError,
    NotFoundError,
    PrseedError,
    RateLimitError,
    RefusedError,
    RetriableError,
    TransientError,
)

API_VERSION = "2022-11-28"
USER_AGENT = f"prseed/{__version__}"
# Larger answers are not kept for conditional requests (see Client).
ETAG_BODY_MAX = 64 * 1024


class Outcome(enum.Enum):
    """What a response means for the caller."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    REDIRECT = "redirect"
    PRIMARY_LIMIT = "primary_limit"
    SECONDARY_LIMIT = "secondary_limit"
    TRANSIENT = "transient"
    AUTH = "auth"
    NOT_FOUND = "not_found"
    REFUSED = "refused"
    FATAL = "fatal"


@dataclass(frozen=True)
class Classified:
    """A classified response.

    Attributes:
        outcome: the class.
        reason: a short human reason (for errors and wait statistics); GitHub's message for
            refusals.
        rate: the answer's rate-limit headers, parsed.
        location: the ``Location`` header of a redirect.
    """

    outcome: Outcome
    reason: str
    rate: RateHeaders = field(default_factory=RateHeaders)
    location: str | None = None

    @property
    def retry_after(self) -> float | None:
        """Seconds from a ``retry-after`` header, if any."""
        return self.rate.retry_after

    @property
    def reset(self) -> float | None:
        """The ``x-ratelimit-reset`` epoch, if any."""
        return self.rate.reset


# Redirects GitHub documents for GET (renamed or transferred repositories answer 301; 302 and
# 307 are temporary): "API clients should follow these redirects" (REST docs, "Best practices").
REDIRECTS = frozenset({301, 302, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# Our request itself is wrong: no resource can be "refused" by these.
REQUEST_ERRORS = frozenset({400, 405, 406, 415})


def _message(body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    if isinstance(data, dict):
        return str(data.get("message") or "")
    return ""


def classify(status: int, headers: Mapping[str, str], body: bytes) -> Classified:
    """Classify one HTTP response from GitHub: the only place that does.

    Args:
        status: the status code.
        headers: response headers (case-insensitive mapping, e.g. ``requests``' own).
        body: the raw body as received.

    Returns:
        The classification. A 2xx whose body is shorter than its ``Content-Length`` or is not
        JSON is TRANSIENT (a truncated answer: try again). 403/429 are rate limits when
        :func:`~extract.ratelimit.limit_kind` says so, else refusals of the resource.
    """
    rate = parse_rate_headers(headers)
    if status == 304:
        return Classified(Outcome.NOT_MODIFIED, "not modified", rate)
    if 200 <= status < 300:
        expected = headers.get("content-length")
        encoded = headers.get("content-encoding") not in (None, "identity")
        if expected is not None and not encoded and expected.isdigit() and int(expected) != len(body):
            return Classified(Outcome.TRANSIENT, f"truncated body ({len(body)} of {expected} bytes)", rate)
        if status != 204 and body:
            try:
                json.loads(body.decode("utf-8", errors="replace"))
            except json.JSONDecodeError:
                return Classified(Outcome.TRANSIENT, "body is not valid JSON", rate)
        return Classified(Outcome.OK, "ok", rate)
    if status in REDIRECTS and headers.get("location"):
        return Classified(Outcome.REDIRECT, f"HTTP {status}", rate, location=headers["location"])
    message = _message(body)
    limit = limit_kind(status, rate, message)
    if limit == "primary":
        return Classified(Outcome.PRIMARY_LIMIT, "primary rate limit", rate)
    if limit == "secondary":
        return Classified(Outcome.SECONDARY_LIMIT, "secondary rate limit", rate)
    if status == 401:
        return Classified(Outcome.AUTH, f"401 {message or 'Unauthorized'}", rate)
    if status == 404:
        return Classified(Outcome.NOT_FOUND, f"404 {message or 'Not Found'}", rate)
    if status >= 500:
        return Classified(Outcome.TRANSIENT, f"HTTP {status}", rate)
    if 400 <= status < 500 and status not in REQUEST_ERRORS:
        return Classified(Outcome.REFUSED, f"{status} {message or 'refused'}", rate)
    return Classified(Outcome.FATAL, f"HTTP {status} {message}".strip(), rate)


def is_loopback(url: str) -> bool:
    """Whether a URL's host is the loopback interface."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(api_url: str, has_token: bool) -> None:
    """Refuse API URLs a token must never travel to (plain http other than loopback).

    Raises:
        ConfigError: for an unusable URL.
    """
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--api-url {api_url!r} is not an http(s) URL, e.g. https://api.github.com")
    if parts.scheme == "http" and not is_loopback(api_url) and has_token:
        raise ConfigError(
            f"refusing to send a GitHub token over plain http to {parts.hostname}: "
            "use an https:// --api-url (plain http is allowed only for 127.0.0.1/localhost)"
        )


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Replace every secret in a text by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass
class Counters:
    """Request statistics of a run (thread-safe through its lock).

    Attributes:
        total: requests that got an answer (any status) or failed on the network.
        by_kind: the same by request kind.
        by_resource: the same by rate-limit resource.
        not_modified: 304 answers.
        retries: retried requests.
        unicode_repairs: strings of answers made valid Unicode (see :func:`decode_json`).
        redirects: ``{(from, to): status}`` of the redirects followed (paths, no host).
    """

    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_resource: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    retries: int = 0
    unicode_repairs: int = 0
    redirects: dict[tuple[str, str], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, kind: str, resource: str, not_modified: bool) -> None:
        """Record one request that got an answer (any status)."""
        with self.lock:
            self.total += 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            self.by_resource[resource] = self.by_resource.get(resource, 0) + 1
            if not_modified:
                self.not_modified += 1

    def retry(self) -> None:
        """Record one retry."""
        with self.lock:
            self.retries += 1

    def repaired(self, strings: int) -> None:
        """Record strings made valid Unicode."""
        if strings:
            with self.lock:
                self.unicode_repairs += strings

    def redirected(self, source: str, target: str, status: int) -> None:
        """Record a redirect followed (paths only: a URL never carries a token, but keep it short)."""
        with self.lock:
            self.redirects.setdefault((source, target), status)


@dataclass(frozen=True)
class Response:
    """A successful answer.

    Attributes:
        data: the parsed JSON (None for 204 and 304), every string valid Unicode.
        headers: the response headers.
        status: 200 (also for an answer served from the in-memory ETag cache), 204, or 304 for
            a ``conditional`` request GitHub answered "not modified" (no body: the caller uses
            what it stored with that ETag).
        links: the ``Link`` header as ``requests`` parses it: ``{rel: {"url": ..., "rel": ...}}``
            (a 304 usually has none).
        url: the URL that answered (after redirects).
        etag: the answer's ``ETag`` (on a 304: the one that matched), or None.
        fingerprint: :func:`~extract.etags.token_fingerprint` of the token that got the answer:
            GitHub's ETags hold for that token only.
    """

    data: Any
    headers: Mapping[str, str]
    status: int
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    url: str = ""
    etag: str | None = None
    fingerprint: str = ""

    @property
    def not_modified(self) -> bool:
        """Whether this is a 304 to a conditional request (``data`` is None)."""
        return self.status == 304

    def next_url(self) -> str | None:
        """The ``rel="next"`` page, if any."""
        link = self.links.get("next")
        return link.get("url") if link else None


# Lone UTF-16 surrogates: legal in JSON (``"\ud83d"``), not encodable as UTF-8 anywhere later.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Only a \uD800-\uDFFF escape can put a surrogate into a parsed string: skip the walk without one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def decode_json(body: bytes) -> tuple[Any, int]:
    r"""Parse a JSON body so that every string in it is valid Unicode.

    Bytes that are not UTF-8 and lone surrogates (``\ud83d`` without its pair, which JSON
    allows) become U+FFFD, the replacement character, in keys and values alike.

    Args:
        body: the raw body.

    Returns:
        (the value, how many strings were repaired: each string counts once, a body with bad
        bytes counts one for them).

    Raises:
        json.JSONDecodeError: the body is not JSON.
    """
    repairs = 0
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")
        repairs += 1
    data = json.loads(text)
    if not _SURROGATE_ESCAPE.search(body):
        return data, repairs
    fixed, count = _repair(data)
    return fixed, repairs + count


def _repair(value: Any) -> tuple[Any, int]:
    if isinstance(value, str):
        fixed, n = _SURROGATE.subn("\ufffd", value)
        return fixed, 1 if n else 0
    if isinstance(value, list):
        total = 0
        items = []
        for item in value:
            fixed, n = _repair(item)
            items.append(fixed)
            total += n
        return items, total
    if isinstance(value, dict):
        total = 0
        out = {}
        for key, item in value.items():
            fixed_key, nk = _repair(key)
            fixed, n = _repair(item)
            out[fixed_key] = fixed
            total += nk + n
        return out, total
    return value, 0


@dataclass(frozen=True)
class _Cached:
    """An answer kept for conditional requests: its ETag, raw body and Link header."""

    etag: str
    body: bytes
    link: str


@dataclass
class _Attempt:
    """One request sent and what came back (``sent_etag``: the If-None-Match sent, if any)."""

    lease: Lease
    status: int
    headers: Mapping[str, str]
    body: bytes
    result: Classified
    sent_etag: str | None = None


#: ``Client.get``'s ``conditional``: the ETag stored for a token index of the pool, or None.
Conditional = Callable[[int], str | None]


@dataclass
class _Tries:
    """Retry bookkeeping of one :meth:`Client.get`."""

    failures: int = 0  # transient failures, 304s we could not serve, secondary limits
    limit_waits: int = 0  # primary-limit waits (progress, bounded separately)
    server_errors: int = 0  # 5xx answers in a row
    hops: int = 0  # redirects followed


MAX_REDIRECTS = 5


class Client:
    """GET requests to one GitHub API base, through the governor, with retries.

    One ``requests.Session`` per thread (sessions are not thread-safe). ETags of answers are kept
    in a small in-memory LRU so a repeated GET is sent conditionally; a 304 then costs no budget.
    The LRU keeps raw bodies (parsed again on a 304), bounded in entries and in bytes, so its
    memory stays small and constant however long the run. A caller that keeps ETags itself (the
    refresh, across runs: :mod:`extract.etags`) passes ``conditional`` to :meth:`get` instead and
    gets 304s back. Same-origin redirects are followed
    (permanent ones are remembered, so later URLs go to the new place at once); the token never
    goes to another origin.
    """

    def __init__(
        self,
        api_url: str,
        tokens: tuple[str, ...],
        governor: Governor,
        *,
        max_retries: int = 6,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        backoff_base: float = 0.5,
        etag_cache_size: int = 32,
        etag_cache_bytes: int = 1 << 20,
    ) -> None:
        """Create a client.

        Args:
            api_url: base URL, e.g. ``https://api.github.com`` or ``https://HOST/api/v3``.
            tokens: the token pool (may be empty for a loopback fake server).
            governor: the governor owning all waiting; its token indexes refer to ``tokens``.
            max_retries: attempts after the first one before a request gives up.
            connect_timeout: seconds to connect.
            read_timeout: seconds between bytes received.
            backoff_base: first backoff after a transient error; doubles per attempt.
            etag_cache_size: ETag LRU size (0 disables conditional requests).
            etag_cache_bytes: ceiling on the bodies the LRU keeps together.
        """
        check_api_url(api_url, bool(tokens))
        self.api_url = api_url.rstrip("/")
        parts = urlsplit(self.api_url)
        self._origin = (parts.scheme, parts.netloc)
        self._tokens = tokens
        # GitHub's ETags are per token: the one-way ids under which a caller keeps them.
        self._fingerprints = tuple(token_fingerprint(t) for t in tokens) or (token_fingerprint(""),)
        self.governor = governor
        self.max_retries = max_retries
        self.timeout = (connect_timeout, read_timeout)
        self.backoff_base = backoff_base
        self.counters = Counters()
        self._local = threading.local()
        self._etags: OrderedDict[str, _Cached] = OrderedDict()
        self._etag_size = etag_cache_size
        self._etag_bytes_max = etag_cache_bytes
        self._etag_bytes = 0
        self._etag_lock = threading.Lock()
        self._moved: dict[str, str] = {}  # permanent redirects: old path prefix -> new one

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": API_VERSION,
                    "User-Agent": USER_AGENT,
                }
            )
            # Environment proxies or netrc must not reroute or re-authenticate our calls.
            session.trust_env = False
            self._local.session = session
        return session

    def url(self, path: str) -> str:
        """Absolute URL of an API path such as ``/repos/o/r/pulls``."""
        return self.api_url + path

    def fingerprint(self, token: int) -> str:
        """The :func:`~extract.etags.token_fingerprint` of token ``token`` of the pool.

        Without tokens (the loopback fake) index 0 is the fingerprint of no token.
        """
        return self._fingerprints[token]

    def _check_origin(self, url: str) -> None:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise ApiError(
                f"GitHub sent a link to {parts.scheme}://{parts.hostname}, outside {self.api_url}; "
                "refusing to follow it with the token (check --api-url)"
            )

    def get(
        self,
        url: str,
        *,
        kind: str,
        params: Mapping[str, str | int] | None = None,
        resource: str = "core",
        what: str = "",
        token: int | None = None,
        max_server_errors: int | None = None,
        conditional: Conditional | None = None,
    ) -> Response:
        """GET one URL, waiting and retrying as the governor and the classification say.

        Args:
            url: absolute URL (from :meth:`url` or a Link header).
            kind: request kind for statistics, e.g. ``pulls-list``.
            params: query parameters (None when ``url`` already carries them).
            resource: the rate-limit resource the call spends (``core`` for REST).
            what: what is being fetched, for error messages (e.g. ``repository o/r``).
            token: send with this token of the pool (default: the governor's choice).
            max_server_errors: give up after this many 5xx answers in a row, even with retries
                left (the paginator then asks for smaller pages).
            conditional: the caller keeps ETags itself (e.g. ``EtagStore.conditional``): before
                each attempt it is asked for the ETag of the token about to be used (by index;
                ``fingerprint`` maps it), which goes out as ``If-None-Match``. A 304 is then
                returned (``status`` 304, ``data`` None, the token's ``fingerprint``); a 200
                carries ``etag`` and ``fingerprint`` to record. With a pool, a token holding an
                ETag is preferred while it has budget and is free. The in-memory LRU is left
                out of such a call.

        Returns:
            The parsed answer.

        Raises:
            AuthError: 401.
            NotFoundError: 404.
            RefusedError: GitHub refuses this resource (403 without a limit, 409, 410, 422...).
            ApiError: a request GitHub cannot understand, or a redirect to another origin.
            RateLimitError: GitHub kept limiting until the retries ran out.
            TransientError: GitHub kept failing (5xx, resets, truncated bodies) until then.
        """
        self._check_origin(url)
        full_url = self._relocated(
            requests.Request("GET", url, params=dict(params or {})).prepare().url or url
        )
        tries = _Tries()
        while True:
            cached = self._cached(full_url) if conditional is None else None
            attempt = self._send(full_url, kind, resource, token, cached, conditional)
            outcome = attempt.result.outcome
            fingerprint = self._fingerprints[attempt.lease.token]
            if outcome is Outcome.OK:
                return self._ok(full_url, attempt, remember=conditional is None)
            if outcome is Outcome.NOT_MODIFIED and conditional is not None and attempt.sent_etag:
                etag = attempt.headers.get("etag") or attempt.sent_etag
                return Response(
                    None, attempt.headers, 304, parse_links(attempt.headers), full_url, etag, fingerprint
                )
            if outcome is Outcome.NOT_MODIFIED and cached is not None:
                # A 304 may come without the Link header: the cached answer's links stand.
                data, _ = decode_json(cached.body)
                return Response(
                    data,
                    attempt.headers,
                    200,
                    parse_links({"link": cached.link}),
                    full_url,
                    cached.etag,
                    fingerprint,
                )
            if outcome is Outcome.REDIRECT:
                full_url = self._follow(full_url, attempt, tries)
                continue
            if outcome in _RAISE:
                raise self._error(outcome, full_url, attempt, what)
            self.counters.retry()
            self._wait_before_retry(full_url, attempt, tries)
            exhausted = tries.failures > self.max_retries or tries.limit_waits > 10 * (self.max_retries + 1)
            if max_server_errors is not None and tries.server_errors >= max_server_errors:
                exhausted = True
            if exhausted:
                raise self._gave_up(full_url, attempt, tries)

    # -- one exchange ------------------------------------------------------------------------

    def _send(
        self,
        url: str,
        kind: str,
        resource: str,
        token: int | None,
        cached: _Cached | None,
        conditional: Conditional | None = None,
    ) -> _Attempt:
        """Send one GET under a governor lease; classify the answer; count it.

        A 304 returns its lease as free: GitHub does not charge the primary budget for it.
        """
        prefer: frozenset[int] = frozenset()
        if conditional is not None and token is None and len(self._fingerprints) > 1:
            # An ETag is worth a free answer only with the token that got it.
            prefer = frozenset(t for t in range(len(self._fingerprints)) if conditional(t))
        lease = self.governor.acquire(resource, token, prefer=prefer)
        headers: dict[str, str] = {}
        secret = self._tokens[lease.token] if self._tokens else ""
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        sent: str | None = None
        if conditional is not None:
            sent = conditional(lease.token) or None
        elif cached is not None:
            sent = cached.etag
        if sent is not None:
            headers["If-None-Match"] = sent
        try:
            response = self._session().get(url, headers=headers, timeout=self.timeout, allow_redirects=False)
            body = response.content
        except requests.RequestException as exc:
            self.governor.release(lease, None)
            self.counters.count(kind, resource, False)
            return _Attempt(lease, 0, {}, b"", Classified(Outcome.TRANSIENT, _exception_reason(exc)), sent)
        result = classify(response.status_code, response.headers, body)
        good = result.outcome in (Outcome.OK, Outcome.NOT_MODIFIED, Outcome.REDIRECT)
        not_modified = result.outcome is Outcome.NOT_MODIFIED
        self.governor.release(lease, result.rate, ok=good, free=not_modified)
        self.counters.count(kind, result.rate.resource or resource, not_modified)
        return _Attempt(lease, response.status_code, response.headers, body, result, sent)

    def _ok(self, url: str, attempt: _Attempt, remember: bool = True) -> Response:
        body = attempt.body
        data: Any = None
        if body and attempt.status != 204:
            data, repairs = decode_json(body)
            self.counters.repaired(repairs)
        etag = attempt.headers.get("etag")
        # Only small answers are worth keeping: the cache must not grow the run's memory.
        if remember and etag and data is not None and len(body) <= ETAG_BODY_MAX:
            self._remember(url, _Cached(etag, body, attempt.headers.get("link") or ""))
        return Response(
            data,
            attempt.headers,
            attempt.status,
            parse_links(attempt.headers),
            url,
            etag or None,
            self._fingerprints[attempt.lease.token],
        )

    def _follow(self, url: str, attempt: _Attempt, tries: _Tries) -> str:
        """The URL a redirect points to, on our origin only; permanent moves are remembered."""
        target = urljoin(url, attempt.result.location or "")
        parts = urlsplit(target)
        if (parts.scheme, parts.netloc) != self._origin:
            raise ApiError(
                f"GitHub redirected GET {_path(url)} to {parts.scheme}://{parts.hostname}, outside "
                f"{self.api_url}; refusing to send the token there (check --api-url)",
                status=attempt.status,
            )
        tries.hops += 1
        if tries.hops > MAX_REDIRECTS:
            raise ApiError(f"GET {_path(url)} was redirected more than {MAX_REDIRECTS} times; giving up")
        old, new = _moved_prefix(urlsplit(url).path, parts.path)
        if attempt.status in PERMANENT_REDIRECTS and old and old != new:
            with self._etag_lock:
                self._moved[old] = new
        # Recorded as the moved base (not per URL), so a moved repository is one entry.
        self.counters.redirected(old, new, attempt.status)
        return target

    def _relocated(self, url: str) -> str:
        """Apply the permanent moves learnt so far (saves one redirect per request)."""
        if not self._moved:
            return url
        parts = urlsplit(url)
        with self._etag_lock:
            for old, new in self._moved.items():
                if parts.path == old or parts.path.startswith(old + "/"):
                    return urlunsplit(parts._replace(path=new + parts.path[len(old) :]))
        return url

    def _wait_before_retry(self, url: str, attempt: _Attempt, tries: _Tries) -> None:
        result = attempt.result
        outcome = result.outcome
        if outcome is Outcome.NOT_MODIFIED:
            # A 304 we cannot serve from the cache: ask again unconditionally.
            self._forget(url)
            tries.failures += 1
        elif outcome is Outcome.PRIMARY_LIMIT:
            # Waiting for a known reset is progress, not failure: bounded separately.
            self.governor.primary_limited(attempt.lease.token, attempt.lease.resource, result.reset)
            tries.limit_waits += 1
        elif outcome is Outcome.SECONDARY_LIMIT:
            block = self.governor.secondary_limited(attempt.lease.token, result.retry_after)
            # A limit answered to a request sent before the block began is a wait, not a failure.
            if block.started:
                tries.failures += 1
            else:
                tries.limit_waits += 1
        else:
            tries.failures += 1
            tries.server_errors = tries.server_errors + 1 if attempt.status >= 500 else 0
            if tries.failures <= self.max_retries:
                self.governor.backoff(tries.failures, self.backoff_base, key=url)

    def _error(self, outcome: Outcome, url: str, attempt: _Attempt, what: str) -> PrseedError:
        """The exception of a final answer (see :data:`_RAISE`)."""
        reason = scrub(attempt.result.reason, self._tokens)
        message = _message(attempt.body) or reason
        cls = _RAISE[outcome]
        if cls is AuthError:
            return AuthError(self._auth_message(attempt.lease.token))
        if cls is NotFoundError:
            return NotFoundError(
                f"{what or _path(url)} not found on {self.api_url} (404)", reason=scrub(message, self._tokens)
            )
        if cls is RefusedError:
            return RefusedError(
                f"GitHub refused GET {_path(url)} ({reason}); "
                "check the repository and the token's permissions",
                status=attempt.status,
                reason=scrub(message, self._tokens),
            )
        return ApiError(
            f"GitHub could not take GET {_path(url)} ({reason}); this is a bug of prseed, please report it",
            status=attempt.status,
            reason=scrub(message, self._tokens),
        )

    def _gave_up(self, url: str, attempt: _Attempt, tries: _Tries) -> PrseedError:
        """The retriable error when GitHub kept limiting or failing (see :data:`_RAISE`)."""
        result = attempt.result
        when = self.governor.resume_hint(attempt.lease.token, attempt.lease.resource)
        later = (
            f"try again in {_duration(when)} with --resume"
            if when
            else "GitHub is failing now: try again later (in a few minutes) with --resume"
        )
        text = (
            f"gave up on GET {_path(url)} after {attempts_text(tries.failures + tries.limit_waits)} "
            f"(last: {scrub(result.reason, self._tokens)}); {later}"
        )
        cls = EXHAUSTED[result.outcome]
        if cls is TransientError:
            return TransientError(text, retry_after=when, status=attempt.status)
        return cls(text, retry_after=when)

    def _auth_message(self, index: int) -> str:
        if not self._tokens:
            return "GitHub requires a token here (401 Requires authentication): set GITHUB_TOKEN"
        if len(self._tokens) == 1:
            return "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN"
        return f"GitHub rejected token #{index + 1} of GITHUB_SEEDING_TOKENS (401 Bad credentials): check it"

    # -- ETag cache --------------------------------------------------------------------------

    def _cached(self, url: str) -> _Cached | None:
        if not self._etag_size:
            return None
        with self._etag_lock:
            entry = self._etags.get(url)
            if entry is not None:
                self._etags.move_to_end(url)
            return entry

    def _remember(self, url: str, entry: _Cached) -> None:
        if not self._etag_size or len(entry.body) > self._etag_bytes_max:
            return
        with self._etag_lock:
            self._drop(url)
            self._etags[url] = entry
            self._etag_bytes += len(entry.body)
            while len(self._etags) > self._etag_size or self._etag_bytes > self._etag_bytes_max:
                _, old = self._etags.popitem(last=False)
                self._etag_bytes -= len(old.body)

    def _forget(self, url: str) -> None:
        with self._etag_lock:
            self._drop(url)

    def _drop(self, url: str) -> None:
        entry = self._etags.pop(url, None)
        if entry is not None:
            self._etag_bytes -= len(entry.body)


# What each final outcome raises: the one table from answers to exceptions. Outcomes missing
# here are retried; when the retries run out, a limit raises RateLimitError and anything else
# TransientError (both RetriableError: exit code 75, "come back later").
_RAISE: dict[Outcome, type[PrseedError]] = {
    Outcome.AUTH: AuthError,
    Outcome.NOT_FOUND: NotFoundError,
    Outcome.REFUSED: RefusedError,
    Outcome.FATAL: ApiError,
}
EXHAUSTED: dict[Outcome, type[RetriableError]] = {
    Outcome.PRIMARY_LIMIT: RateLimitError,
    Outcome.SECONDARY_LIMIT: RateLimitError,
    Outcome.TRANSIENT: TransientError,
    Outcome.NOT_MODIFIED: TransientError,
}


def parse_links(headers: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Parse a ``Link`` header the way ``requests.Response.links`` does."""
    header = headers.get("link")
    if not header:
        return {}
    links: dict[str, dict[str, str]] = {}
    for link in requests.utils.parse_header_links(header):
        key = link.get("rel") or link.get("url")
        if key:
            links[key] = link
    return links


def _moved_prefix(source: str, target: str) -> tuple[str, str]:
    """The moved base of a permanent redirect: the parts before the longest common path tail.

    ``/repos/o/r/pulls`` -> ``/repositories/42/pulls`` gives (``/repos/o/r``, ``/repositories/42``).
    """
    old, new = source.rstrip("/").split("/"), target.rstrip("/").split("/")
    common = 0
    while common < min(len(old), len(new)) - 1 and old[-1 - common] == new[-1 - common]:
        common += 1
    return "/".join(old[: len(old) - common]), "/".join(new[: len(new) - common])


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def attempts_text(attempts: int) -> str:
    """``1 attempt (no retries)``, ``2 attempts (1 retry)``, ``3 attempts (2 retries)``."""
    retries = max(0, attempts - 1)
    said = "no retries" if retries == 0 else f"{retries} retr{'y' if retries == 1 else 'ies'}"
    return f"{attempts} attempt{'' if attempts == 1 else 's'} ({said})"


def _exception_reason(exc: requests.RequestException) -> str:
    # Never str(exc): it can embed the URL and, with some adapters, request headers.
    return {
        requests.ConnectTimeout: "connect timeout",
        requests.ReadTimeout: "read timeout",
        requests.exceptions.ChunkedEncodingError: "truncated body",
        requests.exceptions.ContentDecodingError: "undecodable body",
    }.get(type(exc), f"connection error ({type(exc).__name__})")
