"""A small Link-header paginator: follow ``rel="next"`` verbatim until there is none."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from prseed.extract.http import Client

PER_PAGE = 100

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";]+)"?')


def parse_link(header: str | None) -> dict[str, str]:
    """Parse an RFC 8288 ``Link`` header into ``{rel: url}``.

    Args:
        header: the header value, e.g. ``<https://…?page=2>; rel="next", <…>; rel="last"``.

    Returns:
        URLs by relation (a link with several relations appears under each).
    """
    links: dict[str, str] = {}
    for url, rels in _LINK.findall(header or ""):
        for rel in rels.split():
            links.setdefault(rel, url)
    return links


def paginate(
    client: Client,
    path: str,
    *,
    kind: str,
    params: Mapping[str, str | int] | None = None,
    items_key: str | None = None,
    what: str = "",
) -> Iterator[list[Any]]:
    """Yield the items of every page of a list endpoint, one list per page.

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

    Yields:
        The items of each page (an empty list for a 204 answer).
    """
    url: str | None = client.url(path)
    query: Mapping[str, str | int] | None = {**(params or {}), "per_page": PER_PAGE}
    while url is not None:
        response = client.get(url, kind=kind, params=query, what=what)
        data = response.data
        if items_key is not None and isinstance(data, dict):
            data = data.get(items_key)
        yield list(data or [])
        url = parse_link(response.headers.get("link")).get("next")
        query = None
