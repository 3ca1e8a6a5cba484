"""Conditional REST lists for the refresh: the PR listing replayed and the contributors list.

Every page goes out with ``If-None-Match`` when the snapshot's side store
(:class:`~extract.etags.EtagStore`) holds an ETag of the token about to be used, and a 304 (free
of primary budget) is answered from the compact record stored with that ETag. Every 200 records
its ETag and compact record for the next run, in a full extraction too.

* :func:`fetch_pulls_replay` lists a window's PRs newest created first (a full extraction and a
  refresh use the same URLs and stops); a 304 page yields the compact records ``{number,
  created_at, updated_at, head.sha, state, _compact}`` of its PRs, usable only where the old
  snapshot holds every one of them unchanged (else the page is asked again without condition).
* :func:`fetch_contributors_conditional` tells whether every page of the contributors list is
  unchanged (then the old snapshot's rows are kept, and no profile is asked for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from prseed.extract import github
from prseed.extract.etags import EtagStore, Json
from prseed.extract.github import CONTRIBUTORS, PULLS, ApiList, ListedPage, Refusal
from prseed.extract.http import Client, Response
from prseed.extract.paginator import SHRINK_AFTER, cursor, first_url, from_cursor, smaller_page

from prseed.errors import NotFoundError, RefusedError, TransientError


@dataclass(frozen=True)
class CondPage:
    """One page of a conditional list.

    Attributes:
        items: the page's items (200), or None for a 304.
        payload: the compact record stored for the page (a 304's, or the one just recorded).
        url: the page's URL.
        next_url: the next page (None on the last).
    """

    items: list[Any] | None
    payload: Json
    url: str
    next_url: str | None

    @property
    def not_modified(self) -> bool:
        """Whether GitHub answered 304 (the items are only in ``payload``)."""
        return self.items is None


def _get(client: Client, url: str, kind: str, what: str, conditional: Any) -> tuple[Response, str]:
    """GET a page, asking for smaller pages when GitHub keeps failing to build it (as paginate)."""
    while True:
        smaller = smaller_page(url)
        try:
            return (
                client.get(
                    url,
                    kind=kind,
                    what=what,
                    max_server_errors=SHRINK_AFTER if smaller else None,
                    conditional=conditional,
                ),
                url,
            )
        except TransientError as exc:
            if smaller is None or exc.status < 500:
                raise
            url = smaller


def conditional_pages(
    client: Client,
    start: str,
    *,
    kind: str,
    what: str,
    store: EtagStore,
    summarise: Callable[[list[Any]], Json],
    ask: bool,
    usable: Callable[[Json], bool] = lambda payload: True,
) -> Iterator[CondPage]:
    """Yield the pages of a list from ``start``, conditionally.

    Args:
        client: the API client.
        start: the first page's URL.
        kind: request kind for statistics.
        what: names the resource in errors.
        store: where ETags and compact records are looked up and recorded.
        summarise: the compact record of a page's items (the next page's cursor is added).
        ask: send ``If-None-Match`` (False: only record, as a full extraction does).
        usable: whether a 304's stored record can stand for the page; if not, the page is
            asked again without condition.

    Raises:
        NotFoundError, RefusedError: as :meth:`Client.get` (the caller decides).
    """
    url: str | None = start
    while url is not None:
        conditional = store.conditional(url, client.fingerprint) if ask else None
        response, url = _get(client, url, kind, what, conditional)
        if response.not_modified:
            entry = store.lookup(url, response.fingerprint)
            if entry is not None and isinstance(entry.payload, dict) and usable(entry.payload):
                saved = entry.payload.get("next")
                next_url = from_cursor(client, saved) if saved else None
                yield CondPage(None, entry.payload, url, next_url)
                url = next_url
                continue
            store.forget(url, response.fingerprint)
            response, url = _get(client, url, kind, what, None)
        page = _recorded(response, url, store, summarise)
        yield page
        url = page.next_url


def _recorded(
    response: Response, url: str, store: EtagStore, summarise: Callable[[list[Any]], Json]
) -> CondPage:
    """A 200 page, its ETag and compact record kept in the store."""
    items = list(response.data or [])
    next_url = response.next_url()
    payload = {"items": summarise(items), "next": cursor(next_url) if next_url else None}
    if response.etag and response.status == 200:
        store.record(url, response.fingerprint, response.etag, payload)
    return CondPage(items, payload, url, next_url)


def ask_again(
    client: Client,
    page: CondPage,
    *,
    kind: str,
    what: str,
    store: EtagStore,
    summarise: Callable[[list[Any]], Json],
) -> CondPage:
    """A 304 page asked again without condition (its stored record cannot stand for it)."""
    response, url = _get(client, page.url, kind, what, None)
    return _recorded(response, url, store, summarise)


def compact_pull(record: list[Any]) -> dict[str, Any]:
    """A listing record ``[number, created_at, updated_at, head_sha, state]`` in the REST shape."""
    number, created, updated, sha, state = record
    return {
        "number": number,
        "created_at": created,
        "updated_at": updated,
        "head": {"sha": sha},
        "state": state,
        "_compact": True,
    }


def _pull_record(pull: dict[str, Any]) -> list[Any]:
    return [
        pull["number"],
        pull.get("created_at"),
        pull.get("updated_at"),
        (pull.get("head") or {}).get("sha"),
        pull.get("state"),
    ]


def fetch_pulls_replay(
    client: Client,
    repo: str,
    store: EtagStore,
    *,
    ask: bool,
    usable: Callable[[dict[str, Any]], bool],
    state: str = "all",
    since: date | None = None,
    until: date | None = None,
    max_prs: int | None = None,
    start: str | None = None,
    seen: set[int] | None = None,
) -> Iterator[ListedPage]:
    """List a repository's PRs created in a window, newest first, page by page, conditionally.

    Pages are requested newest-created first and paging stops as soon as a page reaches PRs
    created before ``since`` (:func:`extract.github.window_position`) or ``max_prs`` distinct PRs
    are kept, so old history costs nothing; a PR seen again on a later page (the list moved while
    paged) does not count twice. A full extraction records each page's ETag; a refresh sends it
    (see the module docstring).

    Args:
        client: the API client.
        repo: ``owner/name``.
        store: the ETag store.
        ask: send ``If-None-Match`` (a refresh); False only records (a full extraction).
        usable: whether a compact PR may stand for its full object (the old snapshot holds it
            unchanged); a 304 page is used only when every PR it contributes to the window is
            (else it is asked again without condition).
        state: ``all``, ``open`` or ``closed``.
        since: keep PRs created on or after this day (UTC).
        until: keep PRs created on or before this day (UTC).
        max_prs: keep at most this many distinct PRs (the most recently created).
        start: continue at this page URL (a resumed listing).
        seen: numbers kept before (a resumed listing); updated in place.

    Yields:
        The pages, newest first; a 304 page's PRs are compact records.
    """
    kept = seen if seen is not None else set()
    if max_prs is not None and len(kept) >= max_prs:
        return
    params = {"state": state, "sort": "created", "direction": "desc"}
    first = start or first_url(client, github.path_of(PULLS, repo), params)

    def summarise(items: list[Any]) -> Json:
        return [_pull_record(p) for p in items]

    def choose(pulls: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[int], bool]:
        chosen: list[dict[str, Any]] = []
        numbers = set(kept)
        for pull in pulls:
            position = github.window_position(pull.get("created_at"), since, until)
            if position > 0:
                continue
            if position < 0:
                return chosen, numbers, True
            chosen.append(pull)
            numbers.add(int(pull["number"]))
            if max_prs is not None and len(numbers) >= max_prs:
                return chosen, numbers, True
        return chosen, numbers, False

    what = f"repository {repo}"
    for page in conditional_pages(
        client, first, kind=PULLS.kind, what=what, store=store, summarise=summarise, ask=ask
    ):
        if page.items is None:
            chosen, numbers, finished = choose([compact_pull(r) for r in page.payload["items"]])
            if not all(usable(p) for p in chosen):
                page = ask_again(client, page, kind=PULLS.kind, what=what, store=store, summarise=summarise)
        if page.items is not None:
            chosen, numbers, finished = choose(page.items)
        kept.update(numbers)
        yield ListedPage(chosen, None if finished or page.next_url is None else page.next_url)
        if finished or page.next_url is None:
            return


def fetch_contributors_conditional(
    client: Client, repo: str, store: EtagStore, *, ask: bool
) -> tuple[ApiList | Refusal, bool]:
    """A repository's contributors, and whether every page was unchanged (304).

    With every page unchanged the list is not returned (``[]``, True): the caller keeps the old
    snapshot's rows. Otherwise the whole list is fetched (a 304 page among changed ones is asked
    again without condition) and ``(list, False)`` returned.

    Returns:
        ``(items or refusal, unchanged)``.
    """
    path = github.path_of(CONTRIBUTORS, repo)
    what = f"repository {repo}"
    try:
        if ask:
            pages = list(
                conditional_pages(
                    client,
                    first_url(client, path),
                    kind=CONTRIBUTORS.kind,
                    what=what,
                    store=store,
                    summarise=len,
                    ask=True,
                )
            )
            if pages and all(p.not_modified for p in pages):
                return [], True
            if all(not p.not_modified for p in pages):
                items = [item for p in pages for item in p.items or []]
                return github.later_copy_wins(items, CONTRIBUTORS.key), False
        items = []
        for page in conditional_pages(
            client,
            first_url(client, path),
            kind=CONTRIBUTORS.kind,
            what=what,
            store=store,
            summarise=len,
            ask=False,
        ):
            items.extend(page.items or [])
        return github.later_copy_wins(items, CONTRIBUTORS.key), False
    except (NotFoundError, RefusedError) as exc:
        return github.refusal(CONTRIBUTORS, exc, repo, None, path), False
