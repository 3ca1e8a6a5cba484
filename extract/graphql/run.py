"""The GraphQL side of an extract run, as the pipeline uses it (``--api graphql``).

The pipeline keeps its shape (list -> durable batches -> contributors -> merge); with GraphQL
the PR list comes from :func:`~extract.graphql.pager.fetch_pull_list`, each batch from a
:class:`~extract.graphql.pager.GraphQLBatchRunner`, and the top contributors' profiles from one
aliased query. The contributors list itself stays REST (GraphQL has no such list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from prseed.extract.config import ExtractConfig
from prseed.extract.github import repo_path
from prseed.extract.graphql.client import RESOURCE, GraphQLClient
from prseed.extract.graphql.pager import (
    DEFAULT_PAGE,
    GraphQLBatchRunner,
    PageSizer,
    fetch_profiles,
    fetch_pull_list,
)
from prseed.extract.http import Client
from prseed.extract.ratelimit import parse_rate_headers

# PRs per durable batch with GraphQL: two default pages. Fixed at a run's start (the checkpoint
# numbers batches by it); --batch-size only raises it.
# 7 details pages per durable batch: the review-comment query of a batch then fills most of its
# 149 aliases (one query, one point, for about 60 PRs' reviews).
GRAPHQL_BATCH = 7 * DEFAULT_PAGE


def batch_size(config: ExtractConfig) -> int:
    """PRs per durable batch for the run's API."""
    return config.batch_size if config.api_used == "rest" else max(config.batch_size, GRAPHQL_BATCH)


class GraphQLMode:
    """GraphQL client, page sizer and statistics of one run."""

    def __init__(self, config: ExtractConfig, rest: Client, page_size: int | None, earlier: dict[str, int]):
        """Create the GraphQL side.

        Args:
            config: the run's options.
            rest: the run's REST client (its governor and counters are shared).
            page_size: the page size stored by an interrupted run, if any.
            earlier: GraphQL statistics of earlier runs (from the checkpoint).
        """
        self.config = config
        self.rest = rest
        self.gql = GraphQLClient(
            config.api_url,
            config.tokens,
            rest.governor,
            rest.counters,
            max_retries=config.max_retries,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            backoff_base=config.backoff_base,
        )
        self.sizer = PageSizer(page_size or DEFAULT_PAGE)
        self.earlier = dict(earlier)
        self.runner: GraphQLBatchRunner | None = None

    def learn_budgets(self, rate_limits: list[dict[str, Any]]) -> None:
        """Teach the governor each token's ``graphql`` budget from its ``/rate_limit`` answer."""
        for token, data in enumerate(rate_limits):
            budget = (data.get("resources") or {}).get(RESOURCE) if isinstance(data, dict) else None
            if not isinstance(budget, dict) or budget.get("remaining") is None:
                continue
            headers = {"x-ratelimit-remaining": str(budget["remaining"]), "x-ratelimit-resource": RESOURCE}
            for key in ("limit", "reset"):
                if budget.get(key) is not None:
                    headers[f"x-ratelimit-{key}"] = str(budget[key])
            self.gql.governor.observe(token, RESOURCE, parse_rate_headers(headers))

    def resolve(self, repo: str) -> None:
        """Learn a repository's current name through REST ``GET /repos/{owner}/{name}`` (1 request).

        GitHub's REST API redirects a renamed or transferred repository's old name (301, followed
        and recorded in the manifest's ``redirects``); its GraphQL API answers NOT_FOUND for it.
        The queries then ask for the current name; rows keep the name the project lists.

        Raises:
            NotFoundError: the repository does not exist (or the token cannot see it).
        """
        data = self.rest.get(
            self.rest.url(repo_path(repo)), kind="repository", what=f"repository {repo}"
        ).data
        current = data.get("full_name") if isinstance(data, dict) else None
        if isinstance(current, str) and "/" in current and current.lower() != repo.lower():
            self.gql.names[repo] = current

    def list_pulls(
        self, repo: str, on_totals: Callable[[Mapping[str, Any]], None] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The repository's PRs of the window, newest created first (``on_totals``: see fetch_pull_list)."""
        c = self.config
        return fetch_pull_list(
            self.gql,
            repo,
            state=c.state,
            since=c.since,
            until=c.until,
            max_prs=c.max_prs,
            on_totals=on_totals,
        )

    def batch_runner(self, pool: ThreadPoolExecutor, on_pr_done: Callable[[], None]) -> GraphQLBatchRunner:
        """The runner that turns a batch of listed PRs into rows."""
        self.runner = GraphQLBatchRunner(
            self.gql,
            self.rest,
            pool,
            self.sizer,
            stats=self.config.commit_stats,
            with_patches=self.config.with_patches,
            comments=self.config.comments,
            on_pr_done=on_pr_done,
            slots=self.config.max_workers,
        )
        return self.runner

    def profiles(self, logins: list[str]) -> dict[str, dict[str, Any] | None]:
        """Profiles of the top contributors (one aliased query per 100)."""
        return fetch_profiles(self.gql, logins) if logins else {}

    def totals(self) -> dict[str, int]:
        """GraphQL statistics of all runs so far (for the checkpoint and the manifest)."""
        now = self.gql.stats.as_dict()
        now["rest_file_lists"] = self.runner.rest_file_lists if self.runner is not None else 0
        keys = ("queries", "points", "nodes", "heavy", "rest_file_lists", "unavailable_prs")
        return {k: int(self.earlier.get(k, 0)) + int(now.get(k, 0)) for k in keys}
