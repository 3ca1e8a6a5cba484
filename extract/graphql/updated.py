"""GraphQL listings for the incremental refresh: PRs by ``updatedAt`` descending, and list totals.

* :func:`fetch_updated_pulls` pages a repository's PRs (all states) newest *updated* first,
  100 a query (1 point), until a page reaches PRs updated before a stop time. The first page also
  asks for the repository's PR total and its newest PR number, so a refresh can tell whether PRs
  were deleted since the old snapshot (GitHub's lists only ever show what exists).
* :func:`list_totals` reads those two figures from an answer; a full extraction asks for them
  with its first list page (:func:`extract.graphql.pager.fetch_pull_list`) and records them in
  its manifest (``graphql.lists``) for the next refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prseed.extract.graphql import query as q
from prseed.extract.graphql.client import GraphQLClient
from prseed.extract.graphql.pager import not_found
from prseed.extract.rows import parse_time

from prseed.errors import NotFoundError

UPDATED_NODES = "number createdAt updatedAt headRefOid state"


def updated_query(first_page: bool) -> str:
    """One page of PRs newest updated first (all states); the first page with the list totals.

    Returns:
        The query; variables ``owner``, ``name``, ``after``.
    """
    totals = q.LIST_TOTALS if first_page else ""
    return q.render(
        "query PullRequestsUpdated($owner: String!, $name: String!, $after: String) { "
        f"{q.RATE_LIMIT} repository(owner: $owner, name: $name) {{ {totals} "
        f"updated: pullRequests(first: {q.LIST_PAGE}, after: $after, "
        "orderBy: {field: UPDATED_AT, direction: DESC}) { "
        f"{q.PAGE_INFO} nodes {{ {UPDATED_NODES} }} }} }} }}"
    )


@dataclass(frozen=True)
class ListTotals:
    """A repository's PR list at one moment: how many PRs (all states) and the newest number."""

    total: int
    newest: int | None

    def as_list(self) -> list[int | None]:
        """``[total, newest]`` (manifest ``graphql.lists`` value)."""
        return [self.total, self.newest]


@dataclass
class UpdatedListing:
    """What :func:`fetch_updated_pulls` found.

    Attributes:
        totals: the list totals asked with the first page.
        nodes: ``{number: node}`` of every PR updated at or after the stop time.
        unavailable: PRs GitHub answered null for (the set then cannot be derived).
    """

    totals: ListTotals
    nodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    unavailable: int = 0


def _repository(data: Mapping[str, Any], repo: str) -> Mapping[str, Any]:
    found = data.get("repository")
    if not isinstance(found, Mapping):
        raise NotFoundError(f"repository {repo} not found through GraphQL (check the name and the token)")
    return found


def list_totals(repository: Mapping[str, Any]) -> ListTotals:
    """The :data:`query.LIST_TOTALS` of an answer's ``repository`` object."""
    newest = repository.get("newest") or {}
    total = int(newest.get("totalCount") or 0)
    nodes = [n for n in newest.get("nodes") or [] if n]
    return ListTotals(total, int(nodes[0]["number"]) if nodes else None)


def _owner_name(gql: GraphQLClient, repo: str) -> dict[str, str]:
    owner, _, name = gql.names.get(repo, repo).partition("/")
    return {"owner": owner, "name": name}


def fetch_updated_pulls(gql: GraphQLClient, repo: str, stop: datetime) -> UpdatedListing:
    """Every PR of a repository updated at or after ``stop``, newest updated first.

    Paging stops at the first page reaching a PR updated before ``stop`` (1 point per 100 PRs).
    A PR listed twice (updated while paged, so it moved up) keeps its newer node.

    Raises:
        NotFoundError: the repository does not exist.
    """
    after: str | None = None
    listing: UpdatedListing | None = None
    while True:
        answer = gql.execute(
            updated_query(after is None),
            {**_owner_name(gql, repo), "after": after},
            kind="graphql-list",
            what=f"repository {repo}",
            tolerate=not_found,
        )
        repository = _repository(answer.data, repo)
        if listing is None:
            listing = UpdatedListing(list_totals(repository))
        connection = repository.get("updated") or {}
        done = False
        for node in connection.get("nodes") or []:
            if not node:
                listing.unavailable += 1
                continue
            updated = parse_time(node.get("updatedAt"))
            if updated is not None and updated < stop:
                done = True
                break
            number = int(node["number"])
            previous = listing.nodes.get(number)
            if previous is None or str(previous.get("updatedAt")) < str(node.get("updatedAt")):
                listing.nodes[number] = dict(node)
        info = connection.get("pageInfo") or {}
        if done or not info.get("hasNextPage") or not info.get("endCursor"):
            return listing
        after = str(info["endCursor"])
