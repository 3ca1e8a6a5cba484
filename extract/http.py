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
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from prseed.extract.governor import Governor

from prseed import __version__
from prseed.errors import ApiError, AuthError, ConfigError, NotFoundError

API_VERSION = "2022-11-28"
USER_AGENT = f"prseed/{__version__}"
# Larger answers are not kept for conditional requests (see Client).
ETAG_BODY_MAX = 64 * 1024


class Outcome(enum.Enum):
    """What a response means for the caller."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    PRIMARY_LIMIT = "primary_limit"
    SECONDARY_LIMIT = "secondary_limit"
    TRANSIENT = "transient"
    AUTH = "auth"
    NOT_FOUND = "not_found"
    FATAL = "fatal"


@dataclass(frozen=True)
class Classified:
    """A classified response.

    Attributes:
        outcome: the class.
        reason: a short human reason (for errors and wait statistics).
        retry_after: seconds from a ``retry-after`` header, if any.
        reset: the ``x-ratelimit-reset`` epoch, if any.
    """

    outcome: Outcome
    reason: str
    retry_after: float | None = None
    reset: float | None = None


def _header_float(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _message(body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    if isinstance(data, dict):
        return str(data.get("message") or "")
    return ""


def classify(status: int, headers: Mapping[str, str], body: bytes) -> Classified:
    """Classify one HTTP response from GitHub.

    Args:
        status: the status code.
        headers: response headers (case-insensitive mapping, e.g. ``requests``' own).
        body: the raw body as received.

    Returns:
        The classification. A 2xx whose body is shorter than its ``Content-Length`` or is not
        JSON is TRANSIENT (a truncated answer: try again).
    """
    retry_after = _header_float(headers, "retry-after")
    reset = _header_float(headers, "x-ratelimit-reset")
    if status == 304:
        return Classified(Outcome.NOT_MODIFIED, "not modified")
    if 200 <= status < 300:
        expected = headers.get("content-length")
        encoded = headers.get("content-encoding") not in (None, "identity")
        if expected is not None and not encoded and expected.isdigit() and int(expected) != len(body):
            return Classified(Outcome.TRANSIENT, f"truncated body ({len(body)} of {expected} bytes)")
        if status != 204 and body:
            try:
                json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return Classified(Outcome.TRANSIENT, "body is not valid JSON")
        return Classified(Outcome.OK, "ok")
    message = _message(body)
    lowered = message.lower()
    if status in (403, 429):
        if "secondary rate limit" in lowered or retry_after is not None:
            return Classified(
                Outcome.SECONDARY_LIMIT, "secondary rate limit", retry_after=retry_after, reset=reset
            )
        if headers.get("x-ratelimit-remaining") == "0" or "rate limit" in lowered:
            return Classified(Outcome.PRIMARY_LIMIT, "primary rate limit", reset=reset)
        if status == 429:
            return Classified(Outcome.SECONDARY_LIMIT, "too many requests", reset=reset)
        return Classified(Outcome.FATAL, f"403 {message or 'Forbidden'}")
    if status == 401:
        return Classified(Outcome.AUTH, f"401 {message or 'Unauthorized'}")
    if status == 404:
        return Classified(Outcome.NOT_FOUND, "404 Not Found")
    if status >= 500:
        return Classified(Outcome.TRANSIENT, f"HTTP {status}")
    return Classified(Outcome.FATAL, f"HTTP {status} {message}".strip())


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
    """Request statistics of a run (thread-safe through its lock)."""

    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_resource: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    retries: int = 0
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


@dataclass(frozen=True)
class Response:
    """A successful answer: parsed JSON (None for 204) and the response headers."""

    data: Any
    headers: Mapping[str, str]
    status: int


class Client:
    """GET requests to one GitHub API base, through the governor, with retries.

    One ``requests.Session`` per thread (sessions are not thread-safe). ETags of answers are kept
    in a small in-memory LRU so a repeated GET is sent conditionally; a 304 then costs no budget.
    The LRU keeps raw bodies (parsed again on a 304), bounded in entries and in bytes, so its
    memory stays small and constant however long the run.
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
        self.governor = governor
        self.max_retries = max_retries
        self.timeout = (connect_timeout, read_timeout)
        self.backoff_base = backoff_base
        self.counters = Counters()
        self._local = threading.local()
        self._etags: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._etag_size = etag_cache_size
        self._etag_bytes_max = etag_cache_bytes
        self._etag_bytes = 0
        self._etag_lock = threading.Lock()

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
    ) -> Response:
        """GET one URL, waiting and retrying as the governor and the classification say.

        Args:
            url: absolute URL (from :meth:`url` or a Link header).
            kind: request kind for statistics, e.g. ``pulls-list``.
            params: query parameters (None when ``url`` already carries them).
            resource: the rate-limit resource the call spends (``core`` for REST).
            what: what is being fetched, for error messages (e.g. ``repository o/r``).
            token: send with this token of the pool (default: the governor's choice).

        Returns:
            The parsed answer.

        Raises:
            AuthError: 401.
            NotFoundError: 404.
            ApiError: another non-retriable status, or retries exhausted.
        """
        self._check_origin(url)
        request = requests.Request("GET", url, params=dict(params or {})).prepare()
        full_url = request.url or url
        attempts = 0
        limit_waits = 0
        while True:
            cached = self._cached(full_url)
            lease = self.governor.acquire(resource, token)
            headers: dict[str, str] = {}
            secret = self._tokens[lease.token] if self._tokens else ""
            if secret:
                headers["Authorization"] = f"Bearer {secret}"
            if cached is not None:
                headers["If-None-Match"] = cached[0]
            try:
                response = self._session().get(
                    full_url, headers=headers, timeout=self.timeout, allow_redirects=False
                )
                body = response.content
            except requests.RequestException as exc:
                self.governor.release(lease, None)
                self.counters.count(kind, resource, False)
                result = Classified(Outcome.TRANSIENT, _exception_reason(exc))
                status = 0
                response_headers: Mapping[str, str] = {}
            else:
                response_headers = response.headers
                status = response.status_code
                result = classify(status, response_headers, body)
                good = result.outcome in (Outcome.OK, Outcome.NOT_MODIFIED)
                self.governor.release(lease, response_headers, ok=good)
                self.counters.count(
                    kind,
                    response_headers.get("x-ratelimit-resource", resource),
                    result.outcome is Outcome.NOT_MODIFIED,
                )
            outcome = result.outcome
            if outcome is Outcome.OK:
                data = json.loads(body.decode("utf-8")) if body and status != 204 else None
                etag = response_headers.get("etag")
                # Only small answers are worth keeping: the cache must not grow the run's memory.
                if etag and data is not None and len(body) <= ETAG_BODY_MAX:
                    self._remember(full_url, etag, body)
                return Response(data, response_headers, status)
            if outcome is Outcome.NOT_MODIFIED and cached is not None:
                return Response(json.loads(cached[1].decode("utf-8")), response_headers, 200)
            if outcome is Outcome.AUTH:
                raise AuthError(self._auth_message(lease.token))
            if outcome is Outcome.NOT_FOUND:
                raise NotFoundError(f"{what or _path(full_url)} not found on {self.api_url} (404)")
            if outcome is Outcome.FATAL:
                raise ApiError(
                    f"GitHub refused GET {_path(full_url)} ({scrub(result.reason, self._tokens)}); "
                    "check the repository and the token's permissions"
                )
            self.counters.retry()
            if outcome is Outcome.NOT_MODIFIED:
                # A 304 we cannot serve from the cache: ask again unconditionally.
                self._forget(full_url)
                attempts += 1
            elif outcome is Outcome.PRIMARY_LIMIT:
                # Waiting for a known reset is progress, not failure: bounded separately.
                self.governor.primary_limited(lease.token, resource, result.reset)
                limit_waits += 1
            elif outcome is Outcome.SECONDARY_LIMIT:
                self.governor.secondary_limited(lease.token, result.retry_after)
                attempts += 1
            else:
                attempts += 1
                if attempts <= self.max_retries:
                    self.governor.backoff(attempts, self.backoff_base, key=full_url)
            if attempts > self.max_retries or limit_waits > 10 * (self.max_retries + 1):
                raise ApiError(
                    f"gave up on GET {_path(full_url)} after {attempts + limit_waits} retries "
                    f"(last: {scrub(result.reason, self._tokens)}); try again later with --resume "
                    "or raise --max-retries"
                )

    def _auth_message(self, index: int) -> str:
        if not self._tokens:
            return "GitHub requires a token here (401 Requires authentication): set GITHUB_TOKEN"
        if len(self._tokens) == 1:
            return "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN"
        return f"GitHub rejected token #{index + 1} of GITHUB_SEEDING_TOKENS (401 Bad credentials): check it"

    def _cached(self, url: str) -> tuple[str, bytes] | None:
        if not self._etag_size:
            return None
        with self._etag_lock:
            entry = self._etags.get(url)
            if entry is not None:
                self._etags.move_to_end(url)
            return entry

    def _remember(self, url: str, etag: str, body: bytes) -> None:
        if not self._etag_size or len(body) > self._etag_bytes_max:
            return
        with self._etag_lock:
            self._drop(url)
            self._etags[url] = (etag, body)
            self._etag_bytes += len(body)
            while len(self._etags) > self._etag_size or self._etag_bytes > self._etag_bytes_max:
                _, (_, old) = self._etags.popitem(last=False)
                self._etag_bytes -= len(old)

    def _forget(self, url: str) -> None:
        with self._etag_lock:
            self._drop(url)

    def _drop(self, url: str) -> None:
        entry = self._etags.pop(url, None)
        if entry is not None:
            self._etag_bytes -= len(entry[1])


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _exception_reason(exc: requests.RequestException) -> str:
    # Never str(exc): it can embed the URL and, with some adapters, request headers.
    return {
        requests.ConnectTimeout: "connect timeout",
        requests.ReadTimeout: "read timeout",
        requests.exceptions.ChunkedEncodingError: "truncated body",
        requests.exceptions.ContentDecodingError: "undecodable body",
    }.get(type(exc), f"connection error ({type(exc).__name__})")
