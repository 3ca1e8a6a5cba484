"""Paging through GitHub lists: follow ``rel="next"`` verbatim; shrink pages GitHub cannot build.

Links come from ``requests``' own ``Link`` parsing (:attr:`extract.http.Response.links`). When a
page keeps failing with 5xx (GitHub times out building a large page, e.g. the files of a big pull
request), the same items are asked for in smaller pages: ``per_page`` is halved (down to
:data:`MIN_PER_PAGE`) and ``page`` recomputed so the list continues from the same item.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from prseed.extract.http import Client

from prseed.errors import TransientError

PER_PAGE = 100
MIN_PER_PAGE = 10
# 5xx answers in a row on one page before asking for a smaller one (with retries and backoff
# between them, so a passing hiccup does not shrink anything).
SHRINK_AFTER = 3


@dataclass(frozen=True)
class Page:
    """One page of a list.

    Attributes:
        items: the page's items (empty for a 204 answer).
        url: the URL that answered.
        next_url: the ``rel="next"`` URL, None on the last page (a resumable cursor).
    """

    items: list[Any]
    url: str
    next_url: str | None


def first_url(client: Client, path: str, params: Mapping[str, str | int] | None = None) -> str:
    """The URL of a list's first page: the path, its parameters and ``per_page=100``."""
    query = {**(params or {}), "per_page": PER_PAGE}
    return requests.Request("GET", client.url(path), params=query).prepare().url or client.url(path)


def cursor(url: str) -> str:
    """A page URL without scheme and host (``/repos/o/r/pulls?...&page=3``): what a checkpoint keeps."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def from_cursor(client: Client, saved: str) -> str:
    """The URL of a saved :func:`cursor` on the client's API origin (the port may have changed)."""
    base = urlsplit(client.api_url)
    parts = urlsplit(saved)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


def smaller_page(url: str) -> str | None:
    """The same position of a list asked for with about half the page size.

    ``page=3&per_page=100`` starts at item 200; with 50 per page that is ``page=5``. The new size
    is the largest one at most half the old that divides the offset, so no item is skipped or
    repeated. Cursor-paged URLs (no ``page``) keep their cursor.

    Args:
        url: the page that failed.

    Returns:
        The URL to try instead, or None when the page is already at :data:`MIN_PER_PAGE`.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    values = dict(query)
    try:
        per_page = int(values.get("per_page", "30"))
        page = int(values.get("page", "1"))
    except ValueError:
        return None
    offset = (page - 1) * per_page
    size = per_page // 2
    while size >= MIN_PER_PAGE and offset % size:
        size -= 1
    if size < MIN_PER_PAGE:
        return None
    rest = [(k, v) for k, v in query if k not in ("per_page", "page")]
    rest.append(("per_page", str(size)))
    if "page" in values:
        rest.append(("page", str(offset // size + 1)))
    return urlunsplit(parts._replace(query=urlencode(rest)))


def paginate(
    client: Client,
    path: str,
    *,
    kind: str,
    params: Mapping[str, str | int] | None = None,
    items_key: str | None = None,
    what: str = "",
    start: str | None = None,
) -> Iterator[Page]:
    """Yield every page of a list endpoint.

    The first request adds ``per_page=100``; later pages use the ``next`` URL exactly as GitHub
    sent it (it carries the query). The caller may stop early by not asking for more pages.

    Args:
        client: the API client.
        path: the API path, e.g. ``/repos/o/r/pulls/1/commits``.
        kind: request kind for statistics.
        params: extra query parameters of the first request.
        items_key: for envelope answers (``{"total_count":…, "check_runs": […]}``), the key of
            the list; None for plain JSON arrays.
        what: names the resource in errors.
        start: continue from this URL (a saved :attr:`Page.next_url`) instead of the first page.

    Yields:
        The pages.

    Raises:
        TransientError: a page kept failing even at the smallest page size.
    """
    url: str | None = start or first_url(client, path, params)
    while url is not None:
        smaller = smaller_page(url)
        try:
            response = client.get(
                url, kind=kind, what=what, max_server_errors=SHRINK_AFTER if smaller else None
            )
        except TransientError as exc:
            if smaller is None or exc.status < 500:
                raise
            url = smaller
            continue
        data = response.data
        if items_key is not None and isinstance(data, dict):
            data = data.get(items_key)
        next_url = response.next_url()
        yield Page(list(data or []), response.url, next_url)
        url = next_url
