"""Real GitHub answers the generated data alone never gives (all off by default).

Unlike :class:`~tests.fakegithub.faults.Faults` (misbehaviours that a retry cures), these are
answers GitHub really gives, collected from bug reports of other PR extractors: moved
repositories (301), one resource refused for good (403/409/422/404), pages the server cannot
build (5xx at 100 per page only), lists that move while they are paged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (kind, page number, per_page, the whole list) -> the list that page is cut from.
ListHook = Callable[[str, int, int, list[Any]], list[Any]]


@dataclass
class Override:
    """Answer matching requests with a fixed status and body instead of the data.

    Attributes:
        path: regular expression searched in the request path (prefix removed, no query).
        status: the status to answer.
        body: a JSON value, or raw bytes sent as they are.
        query: regular expression searched in the query string (None: any query).
        headers: extra response headers.
        times: answer this many matching requests, then serve the data (None: always).
        blocks: seconds the token is then blocked as after a secondary limit (a rate limit in
            other words): requests on it before the end are violations.
        used: how many requests were answered so far.
    """

    path: str
    status: int
    body: Any = None
    query: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    blocks: float = 0.0
    used: int = 0

    def matches(self, path: str, query: str) -> bool:
        """Whether this override answers a request (and has answers left)."""
        if self.times is not None and self.used >= self.times:
            return False
        if not re.search(self.path, path):
            return False
        return self.query is None or re.search(self.query, query) is not None


@dataclass
class Quirks:
    """What real GitHub answers that the data alone does not give.

    Attributes:
        moved: ``{old "owner/name": new "owner/name"}``: requests under ``/repos/<old>`` answer
            ``redirect_status`` with ``Location: /repositories/<id of new>/...`` (same host), as
            GitHub does for renamed and transferred repositories.
        redirect_status: 301 (GitHub's), 302 or 307.
        redirect_host: when set, the Location of a moved repository points to this other host
            (``host:port``): a client must not follow it with its token.
        overrides: fixed answers (refusals, limits in other words, bad pages), first match wins.
        page_caps: ``{kind: n}``: that list serves at most n items per page, whatever per_page
            asks (to page small lists).
        list_hook: changes the list a page is cut from (a list that moves while it is paged).
    """

    moved: dict[str, str] = field(default_factory=dict)
    redirect_status: int = 301
    redirect_host: str | None = None
    overrides: list[Override] = field(default_factory=list)
    page_caps: dict[str, int] = field(default_factory=dict)
    list_hook: ListHook | None = None


def pushed_down(
    kind: str, from_page: int, newcomer: Any, stale: Callable[[Any], Any] | None = None
) -> ListHook:
    """A list into which ``newcomer`` arrived on top while page ``from_page - 1`` was being read.

    Pages from ``from_page`` on are cut from ``[newcomer, *items]``: the last item of the page
    before shows up again at the top of the next page, and the newcomer is never seen. With
    ``stale``, the earlier page shows that item as ``stale(item)`` (it changed in between).
    """

    def hook(name: str, page: int, per_page: int, items: list[Any]) -> list[Any]:
        if name != kind:
            return items
        if page >= from_page:
            return [newcomer, *items]
        last = page * per_page - 1
        if stale is not None and page == from_page - 1 and last < len(items):
            return [*items[:last], stale(items[last]), *items[last + 1 :]]
        return items

    return hook


def chain(*hooks: ListHook) -> ListHook:
    """Apply several list hooks, in order."""

    def hook(name: str, page: int, per_page: int, items: list[Any]) -> list[Any]:
        for each in hooks:
            items = each(name, page, per_page, items)
        return items

    return hook


def updated_between_pages(kind: str, page: int, stale: Callable[[Any], Any]) -> ListHook:
    """A list whose item at the end of ``page`` changes before the next page is read.

    Page ``page`` shows that item as ``stale(item)`` (e.g. a check run still in progress); the
    next page starts with it again, as it is now (the item moved down by one).
    """

    def hook(name: str, number: int, per_page: int, items: list[Any]) -> list[Any]:
        if name != kind:
            return items
        last = page * per_page - 1
        if number == page and last < len(items):
            return [*items[:last], stale(items[last]), *items[last + 1 :]]
        if number > page and last < len(items):
            return [*items[:last], items[last], *items[last:]]
        return items

    return hook
