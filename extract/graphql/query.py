"""GraphQL query texts prseed sends (builders only; no I/O).

Three kinds of query, all against GitHub's public schema (a test validates every one):

* :func:`list_query` - one page of a repository's PR numbers, newest created first (the same
  order as the REST listing, so ``--max-prs``, ``--since/--until`` and ``--state`` keep their
  meaning); 1 point per 100 PRs.
* :func:`details_query` - full detail of a page of PRs, one aliased ``pullRequest(number:)`` per
  PR, each with its commits, reviews, files, labels, assignees, review requests and the head
  commit's check runs (``statusCheckRollup.contexts``) as connections of their own.
* :func:`continuation_query` - the next page of any of those connections, for many PRs at once:
  one aliased ``node(id:)`` per connection that has more (each with its own cursor); first
  pages (a review's comments) through one named fragment spread in every alias.
* :func:`users_query` - profiles of many users in one aliased query.

Sizes are chosen so a full page stays far inside GitHub's 500,000-node limit while the cost stays
about 0.07 points per PR (see :mod:`extract.graphql.cost`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

RATE_LIMIT = "rateLimit { cost limit remaining used resetAt nodeCount }"
PAGE_INFO = "pageInfo { hasNextPage endCursor }"
LIST_PAGE = 100

# An author of any kind (User, Bot, Organization, Mannequin, EnterpriseUserAccount): REST's
# user.id is the databaseId of the first four.
ACTOR = (
    "__typename login "
    "... on User { databaseId } ... on Bot { databaseId } "
    "... on Organization { databaseId } ... on Mannequin { databaseId }"
)


@dataclass(frozen=True)
class Connection:
    """One nested connection of a PR.

    Attributes:
        key: our name for it (also the key under which the pager stores its nodes).
        field: the GraphQL field on its parent.
        parent: the object path from the PR to the field's parent ("" for the PR itself).
        nodes: the selection of each node.
        first: page size of the first page (inside the details query).
        cap: stop continuing after this many nodes (None: fetch all).
        on: the type of the object whose ``node(id:)`` a continuation asks for.
    """

    key: str
    field: str
    parent: str
    nodes: str
    first: int
    cap: int | None = None
    on: str = "PullRequest"


def commit_nodes(stats: bool) -> str:
    """Selection of a ``PullRequestCommit`` (with per-commit additions/deletions when ``stats``)."""
    lines = "additions deletions " if stats else ""
    return (
        "commit { oid message authoredDate committedDate " + lines + "author { name email "
        "user { login databaseId } } committer { email user { login } } }"
    )


REVIEW_NODES = (
    f"id fullDatabaseId state submittedAt body authorAssociation author {{ {ACTOR} }} commit {{ oid }}"
)
FILE_NODES = "path additions deletions changeType"
CHECK_NODES = (
    "__typename ... on CheckRun { id databaseId name status conclusion startedAt completedAt "
    "checkSuite { app { slug } } }"
)
REQUEST_NODES = (
    "requestedReviewer { __typename ... on User { login } ... on Bot { login } "
    "... on Mannequin { login } ... on Team { slug } }"
)

_COMMENT = f"id fullDatabaseId body createdAt updatedAt authorAssociation author {{ {ACTOR} }}"
ISSUE_COMMENT_NODES = _COMMENT
REVIEW_COMMENT_NODES = (
    f"{_COMMENT} path line originalLine commit {{ oid }} replyTo {{ fullDatabaseId }} "
    "pullRequestReview { fullDatabaseId }"
)
# A PR's review comments, asked for per review (``node(id:)`` of each PullRequestReview), never
# inside the details query: nested under ``reviews(first: 50)`` they would cost 50 requests per
# PR (``reviewThreads(first: n) { comments }`` costs n + 1), where one alias per review in a
# query of up to REVIEW_COMMENTS_PER_QUERY aliases costs 1 point for all of them.
# First page 20 per review (most reviews have fewer; a longer one is continued 100 at a time).
REVIEW_COMMENTS = Connection(
    "review_comments", "comments", "", REVIEW_COMMENT_NODES, 20, on="PullRequestReview"
)
# Aliases of one review-comments query: 149 connections = 149 requests, which GitHub's score
# rounds (1.49) to 1 point; 2,980 nodes for first pages. A too-heavy answer halves it.
REVIEW_COMMENTS_PER_QUERY = 149
# A review comment without a review (GitHub's null ``pull_request_review_id``) is reachable only
# through its thread: a PR whose ``totalCommentsCount`` says more review comments than its reviews
# gave is asked for its threads, 20 threads of up to 20 comments per alias (21 requests, so seven
# PRs per 1-point query; more threads are continued by cursor).
REVIEW_THREADS = Connection(
    "review_threads",
    "reviewThreads",
    "",
    f"comments(first: 20) {{ nodes {{ {REVIEW_COMMENT_NODES} }} }}",
    20,
)
REVIEW_THREADS_PER_QUERY = 7

# GitHub lists at most 3,000 files of a PR (REST and GraphQL alike): the rest is flagged.
FILES_CAP = 3000


def connections(stats: bool, comments: bool = True) -> tuple[Connection, ...]:
    """The nested connections of a PR, in query order.

    First-page sizes: commits and files 100 (most PRs fit in one page), the rest sized for the
    common case; a longer list is continued with its own cursor. With ``comments`` the PR's
    conversation comments (``comments``, IssueComment) come too; its review comments are asked
    for per review afterwards (:data:`REVIEW_COMMENTS`).
    """
    more = (Connection("issue_comments", "comments", "", ISSUE_COMMENT_NODES, 50),) if comments else ()
    return (*_core_connections(stats), *more)


def _core_connections(stats: bool) -> tuple[Connection, ...]:
    return (
        Connection("commits", "commits", "", commit_nodes(stats), 100),
        Connection("reviews", "reviews", "", REVIEW_NODES, 50),
        Connection("files", "files", "", FILE_NODES, 100, FILES_CAP),
        Connection("labels", "labels", "", "name", 20),
        Connection("assignees", "assignees", "", "login databaseId", 10),
        Connection("review_requests", "reviewRequests", "", REQUEST_NODES, 10),
        Connection("checks", "contexts", "statusCheckRollup", CHECK_NODES, 50),
    )


def _connection(conn: Connection, first: int, after: str | None = None) -> str:
    args = f"first: {first}" + (f", after: {after}" if after else "")
    text = f"{conn.field}({args}) {{ totalCount {PAGE_INFO} nodes {{ {conn.nodes} }} }}"
    for part in reversed([p for p in conn.parent.split(".") if p]):
        text = f"{part} {{ {text} }}"
    return text


PR_SCALARS = (
    "id fullDatabaseId number title body state isDraft createdAt updatedAt closedAt mergedAt "
    "headRefName baseRefName headRefOid additions deletions changedFiles authorAssociation "
    f"author {{ {ACTOR} }} milestone {{ title }} mergeCommit {{ oid }}"
)


def pr_fragment(stats: bool, comments: bool = True) -> str:
    """The ``PullRequestDetail`` fragment: a PR's fields and the first page of every connection."""
    parts = " ".join(_connection(c, c.first) for c in connections(stats, comments))
    scalars = PR_SCALARS + (" totalCommentsCount" if comments else "")
    return f"fragment PullRequestDetail on PullRequest {{ {scalars} {parts} }}"


# A repository's PR total (all states) and newest PR number, asked with the first list page (the
# extra one-node connection keeps the page at 1 point): a later refresh compares them with the list
# then to see deletions (extract/graphql/updated.py).
LIST_TOTALS = (
    "newest: pullRequests(first: 1, orderBy: {field: CREATED_AT, direction: DESC}) "
    "{ totalCount nodes { number } }"
)


def list_query(state: str, totals: bool = False) -> str:
    """One page of PR numbers, newest created first.

    Args:
        state: ``all``, ``open`` or ``closed`` (REST's meaning: closed includes merged).
        totals: also ask for :data:`LIST_TOTALS` (the first page).

    Returns:
        The query; variables ``owner``, ``name``, ``after`` (cursor or null).
    """
    states = {"all": "", "open": ", states: [OPEN]", "closed": ", states: [CLOSED, MERGED]"}[state]
    return (
        "query PullRequestList($owner: String!, $name: String!, $after: String) { "
        f"{RATE_LIMIT} repository(owner: $owner, name: $name) {{ {LIST_TOTALS if totals else ''} "
        f"pullRequests(first: {LIST_PAGE}, after: $after{states}, "
        "orderBy: {field: CREATED_AT, direction: DESC}) { "
        f"{PAGE_INFO} nodes {{ id number createdAt }} }} }} }}"
    )


def details_query(numbers: Sequence[int], stats: bool, comments: bool = True) -> str:
    """Full detail of some PRs of one repository, aliased ``p0``, ``p1``... in the given order.

    Args:
        numbers: PR numbers (1..100 of them).
        stats: include per-commit additions/deletions.
        comments: include the first page of the conversation comments.

    Returns:
        The query; variables ``owner`` and ``name``.
    """
    aliases = " ".join(
        f"p{i}: pullRequest(number: {int(n)}) {{ ...PullRequestDetail }}" for i, n in enumerate(numbers)
    )
    return (
        "query PullRequestDetails($owner: String!, $name: String!) { "
        f"{RATE_LIMIT} repository(owner: $owner, name: $name) {{ {aliases} }} }} "
        + pr_fragment(stats, comments)
    )


@dataclass(frozen=True)
class Continuation:
    """The next page of one connection of one PR.

    Attributes:
        pr_id: the node id of the connection's owner (the PR; the review for review comments).
        key: the connection's key (see :func:`connections`, :data:`REVIEW_COMMENTS`).
        after: the cursor to continue from (None: the first page).
        first: how many nodes to ask for.
    """

    pr_id: str
    key: str
    after: str | None
    first: int


def _fragment_name(conn: Connection, first: int) -> str:
    """``FirstReviewComments20``: the fragment of a connection's first page of ``first`` nodes."""
    return "First" + "".join(part.capitalize() for part in conn.key.split("_")) + str(first)


def continuation_query(items: Sequence[Continuation], stats: bool) -> tuple[str, dict[str, str | None]]:
    """Next pages of many connections in one query, aliased ``c0``, ``c1``...

    A first page (no cursor) is asked for through a named fragment, one per connection and
    page size, spread in every alias that wants it: 149 review-comment aliases are then a query
    of 9 KB instead of 74 KB, which GitHub (and our own cost check) parses and validates in a
    tenth of the time. The cost and the node count are the same (GitHub counts a fragment as if
    written out where it is used). A page after a cursor is written out in its alias, since
    each has a cursor variable of its own.

    Returns:
        The query and its variables (ids and cursors travel as variables, never spliced in).
    """
    by_key = {c.key: c for c in (*connections(stats), REVIEW_COMMENTS, REVIEW_THREADS)}
    declared: list[str] = []
    fields: list[str] = []
    fragments: dict[str, str] = {}
    variables: dict[str, str | None] = {}
    for i, item in enumerate(items):
        conn = by_key[item.key]
        declared.append(f"$id{i}: ID!")
        variables[f"id{i}"] = item.pr_id
        if item.after is None:
            name = _fragment_name(conn, item.first)
            if name not in fragments:
                fragments[name] = f"fragment {name} on {conn.on} {{ {_connection(conn, item.first)} }}"
            fields.append(f"c{i}: node(id: $id{i}) {{ ...{name} }}")
            continue
        declared.append(f"$after{i}: String")
        variables[f"after{i}"] = item.after
        inner = _connection(conn, item.first, f"$after{i}")
        fields.append(f"c{i}: node(id: $id{i}) {{ ... on {conn.on} {{ {inner} }} }}")
    text = f"query PullRequestMore({', '.join(declared)}) {{ {RATE_LIMIT} {' '.join(fields)} }}"
    return " ".join([text, *fragments.values()]), variables


def users_query(logins: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Public profiles (name, email) of many users at once, aliased ``u0``, ``u1``..."""
    declared = ", ".join(f"$login{i}: String!" for i in range(len(logins)))
    fields = " ".join(
        f"u{i}: user(login: $login{i}) {{ login databaseId name email }}" for i in range(len(logins))
    )
    variables = {f"login{i}": login for i, login in enumerate(logins)}
    return f"query UserProfiles({declared}) {{ {RATE_LIMIT} {fields} }}", variables


def render(text: str) -> str:
    """Collapse runs of spaces (queries travel as one line)."""
    return " ".join(text.split())


def encode(query: str, variables: dict[str, object]) -> bytes:
    """The POST body GitHub expects."""
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":")).encode()
