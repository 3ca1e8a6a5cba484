"""GitHub's rate-limit vocabulary, read in one place: headers and the wordings of limit answers.

Source: GitHub's REST docs, "Rate limits for the REST API" (primary limits: ``x-ratelimit-*``
headers; secondary limits: 403 or 429, maybe ``retry-after``; "if the ``x-ratelimit-remaining``
header is 0, do not retry until ``x-ratelimit-reset``; otherwise wait at least one minute"), and
the messages GitHub has used for such answers over the years, as collected from bug reports of
other API clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Lower-case fragments of messages GitHub has sent with secondary limits (403 or 429). The
# "abuse" wordings were used until 2021 and still come from some endpoints and GHES versions.
SECONDARY_WORDINGS = (
    "secondary rate limit",
    "abuse detection mechanism",
    "abuse rate limit",
    "triggered an abuse",
    "submitted too quickly",
    "temporarily blocked from content creation",
    "too many concurrent requests",
    "too many requests",
)
# Lower-case fragments of messages of a spent primary budget ("API rate limit exceeded for user
# ID 1", "API rate limit of 60 exceeded for 192.0.2.1", "API rate limit already exceeded").
PRIMARY_WORDINGS = ("api rate limit exceeded", "api rate limit already exceeded", "rate limit exceeded")
# "API rate limit of 60 exceeded for ..." (unauthenticated) has the number in the middle.
PRIMARY_PREFIX = "api rate limit of "


@dataclass(frozen=True)
class RateHeaders:
    """The rate-limit headers of one answer (None where a header is absent or unreadable).

    Attributes:
        limit: ``x-ratelimit-limit``, requests per window.
        remaining: ``x-ratelimit-remaining``.
        reset: ``x-ratelimit-reset``, epoch seconds when the window ends.
        used: ``x-ratelimit-used``.
        resource: ``x-ratelimit-resource`` (``core``, ``graphql``, ``search``...).
        retry_after: ``retry-after`` in seconds (secondary limits).
    """

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None
    used: int | None = None
    resource: str | None = None
    retry_after: float | None = None


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _integer(headers: Mapping[str, str], name: str) -> int | None:
    value = _number(headers, name)
    return None if value is None else int(value)


def parse_rate_headers(headers: Mapping[str, str]) -> RateHeaders:
    """Read the rate-limit headers of an answer (a case-insensitive mapping such as ``requests``')."""
    return RateHeaders(
        limit=_integer(headers, "x-ratelimit-limit"),
        remaining=_integer(headers, "x-ratelimit-remaining"),
        reset=_number(headers, "x-ratelimit-reset"),
        used=_integer(headers, "x-ratelimit-used"),
        resource=headers.get("x-ratelimit-resource") or None,
        retry_after=_number(headers, "retry-after"),
    )


def limit_kind(status: int, rate: RateHeaders, message: str) -> str | None:
    """Whether a 403/429 answer is a rate limit, and which.

    Args:
        status: the HTTP status.
        rate: its parsed headers.
        message: GitHub's ``message`` field (any case).

    Returns:
        ``"primary"`` (wait for ``x-ratelimit-reset``), ``"secondary"`` (wait ``retry-after``,
        else at least a minute), or None when the answer is not a rate limit (e.g. a 403 for a
        missing permission).
    """
    if status not in (403, 429):
        return None
    text = message.lower()
    secondary = any(w in text for w in SECONDARY_WORDINGS)
    if rate.remaining == 0 and not secondary:
        return "primary"
    if secondary or rate.retry_after is not None or status == 429:
        return "secondary"
    if any(w in text for w in PRIMARY_WORDINGS) or text.startswith(PRIMARY_PREFIX):
        return "primary"
    return None
