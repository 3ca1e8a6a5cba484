"""GraphQL objects over the generated repositories: the REST data, mapped field by field.

The generated REST objects (tests.fakegithub.generate) are the single source: every GraphQL value
is taken from the REST object the REST side serves (no separate data). Objects are plain dicts
whose values are either the field's value or a callable `(info, **args)` that resolves it lazily
(connections, nested objects); `resolve_field` is the one field resolver graphql-core calls.

Where GitHub's GraphQL API answers differently from its REST API, the fake does the same:
  * `PullRequest.body` is "" where REST has null; `state` is OPEN/CLOSED/MERGED.
  * A bot's `login` lacks the "[bot]" suffix REST shows (`dependabot`, not `dependabot[bot]`).
  * `GitActor.user` (commit author/committer account) is a User, so it is null for bot accounts.
  * `User.email` is "" when the profile email is not public (REST: null).
  * `PullRequest.mergeCommit` is null unless merged (REST's `merge_commit_sha` is always set).
  * PR commits are not capped at 250; PR files stop at 3,000 (like REST), with `totalCount`
    the number served and `changedFiles` the true count.
  * Check runs hang off check suites (grouped by the REST run's `check_suite.id`); a suite's
    status/conclusion is derived from its runs.
A field the fake does not model answers an error naming it (never a silent null).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from tests.fakegithub.generate import GeneratedRepo

FILES_CAP = 3000
JsonDict = dict[str, Any]
Node = dict[str, Any]

CHANGE_TYPES = {
    "added": "ADDED",
    "removed": "DELETED",
    "modified": "MODIFIED",
    "renamed": "RENAMED",
    "copied": "COPIED",
    "changed": "CHANGED",
    "unchanged": "CHANGED",
}


def gql_error(message: str, type_: str) -> GraphQLError:
    """A resolver error carrying GitHub's `type` (moved to the top level when answered)."""
    return GraphQLError(message, extensions={"type": type_})


class Missing:
    """A list item that fails: every field of it raises `error` (the item becomes null)."""

    def __init__(self, error: GraphQLError) -> None:
        self.error = error


@dataclass
class Context:
    """Per-request state the resolvers read.

    Attributes:
        world: the repositories.
        rate_limit: the `rateLimit` object for this query (already charged).
        dry_run: `rateLimit(dryRun: true)` was asked: nothing else is resolved.
        missing_prs: PR numbers whose node fails with NOT_FOUND in this query.
        forbidden: "Type.field" names answered with a FORBIDDEN error (null).
    """

    world: World
    rate_limit: JsonDict
    dry_run: bool = False
    missing_prs: frozenset[int] = frozenset()
    forbidden: frozenset[str] = frozenset()
    missing_seen: set[int] = field(default_factory=set)


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """The field resolver for every field: dict lookup, callables called with the arguments."""
    name = info.field_name
    parent = info.parent_type.name
    ctx: Context = info.context
    if isinstance(source, Missing):
        raise source.error
    if f"{parent}.{name}" in ctx.forbidden:
        raise gql_error("Resource not accessible by integration", "FORBIDDEN")
    if not isinstance(source, dict) or name not in source:
        raise gql_error(f"The fake GitHub does not serve {parent}.{name}.", "NOT_MODELED")
    value = source[name]
    return value(info, **args) if callable(value) else value


def resolve_type(value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
    """Concrete type of an interface/union value: its `__typename`."""
    if isinstance(value, dict):
        return str(value["__typename"])
    return None


# -- cursors and connections -----------------------------------------------------------------


def encode_cursor(position: int) -> str:
    """An opaque cursor for the item at `position` (1-based) of a connection."""
    return base64.b64encode(f"cursor:v2:{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Position encoded by `encode_cursor`; GraphQLError (INVALID_CURSOR_ARGUMENTS) otherwise."""
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, number = text.rpartition(":")
        if prefix == "cursor:v2" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise gql_error(f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS")


def connection(items: Sequence[Any], make: Callable[[Any], Any], args: dict[str, Any]) -> Node:
    """One page of a Relay connection over `items` (first/after/last/before like GitHub)."""
    start, end = 0, len(items)
    if args.get("after") is not None:
        start = min(max(decode_cursor(args["after"]), 0), len(items))
    if args.get("before") is not None:
        end = max(min(decode_cursor(args["before"]) - 1, len(items)), start)
    if args.get("first") is not None:
        end = min(end, start + args["first"])
    elif args.get("last") is not None:
        start = max(start, end - args["last"])
    positions = range(start + 1, end + 1)
    built: list[Any] = []

    def nodes(info: GraphQLResolveInfo, **_: Any) -> list[Any]:
        if not built:
            built.extend(make(items[p - 1]) for p in positions)
        return built

    def edges(info: GraphQLResolveInfo, **_: Any) -> list[Node]:
        return [{"cursor": encode_cursor(p), "node": n} for p, n in zip(positions, nodes(info), strict=True)]

    return {
        "totalCount": len(items),
        "nodes": nodes,
        "edges": edges,
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": encode_cursor(start + 1) if end > start else None,
            "endCursor": encode_cursor(end) if end > start else None,
        },
    }


def conn(items: Sequence[Any], make: Callable[[Any], Any]) -> Callable[..., Node]:
    """A connection field: resolved with the query's pagination arguments."""
    return lambda info, **args: connection(items, make, args)


# -- the objects -----------------------------------------------------------------------------


def _upper(value: str | None) -> str | None:
    return value.upper() if value is not None else None


class World:
    """Every repository and user the fake serves, as GraphQL objects built on demand."""

    def __init__(self, repos: Sequence[GeneratedRepo]) -> None:
        self.repos = {r.full_name.lower(): r for r in repos}
        self.users: dict[str, JsonDict] = {}
        self.by_node_id: dict[str, Callable[[], Node]] = {}
        for r in repos:
            for login, u in r.users.items():
                self.users.setdefault(login.lower(), u)
            self.by_node_id[r.repo["node_id"]] = lambda r=r: self.repository(r)
            for n, d in r.pull_details.items():
                self.by_node_id[d["node_id"]] = lambda r=r, n=n: self.pull_request(r, n)
            for sha, c in r.commit_detail.items():
                self.by_node_id[c["node_id"]] = lambda r=r, sha=sha: self.commit_ref(r, sha)
            for sha, runs in r.check_runs.items():
                for sid in dict.fromkeys(run["check_suite"]["id"] for run in runs):
                    self.by_node_id[suite_node_id(sid)] = lambda r=r, sha=sha, sid=sid: self._suite_of(
                        r, sha, sid
                    )
        for u in self.users.values():
            if u["type"] == "User":
                self.by_node_id[u["node_id"]] = lambda u=u: self.user_node(u)

    # root fields

    def root(self) -> Node:
        """The Query object."""
        return {
            "repository": self._repository_field,
            "user": self._user_field,
            "rateLimit": lambda info, dryRun=False: info.context.rate_limit,
            "node": lambda info, id: self._node(info, id),
            "nodes": lambda info, ids: [self._node(info, i) for i in ids],
        }

    def _node(self, info: GraphQLResolveInfo, node_id: str) -> Node | None:
        if info.context.dry_run:
            return None
        make = self.by_node_id.get(node_id)
        if make is None:
            raise gql_error(f"Could not resolve to a node with the global id of '{node_id}'", "NOT_FOUND")
        return make()

    def _repository_field(self, info: GraphQLResolveInfo, owner: str, name: str, **_: Any) -> Node | None:
        if info.context.dry_run:
            return None
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise gql_error(f"Could not resolve to a Repository with the name '{owner}/{name}'.", "NOT_FOUND")
        return self.repository(repo)

    def _user_field(self, info: GraphQLResolveInfo, login: str) -> Node | None:
        if info.context.dry_run:
            return None
        u = self.users.get(login.lower())
        if u is None or u["type"] != "User":
            raise gql_error(f"Could not resolve to a User with the login of '{login}'.", "NOT_FOUND")
        return self.user_node(u)

    # accounts

    def user_node(self, u: JsonDict) -> Node:
        """A User from a REST user (simple or detail; the detail fills the profile)."""
        detail = self.users.get(u["login"].lower(), u)
        return {
            "__typename": "User",
            "id": u["node_id"],
            "databaseId": u["id"],
            "login": u["login"],
            "url": u["html_url"],
            "avatarUrl": u["avatar_url"],
            "resourcePath": f"/{u['login']}",
            "name": detail.get("name"),
            "email": detail.get("email") or "",
            "company": detail.get("company"),
            "location": detail.get("location"),
            "bio": detail.get("bio"),
            "twitterUsername": detail.get("twitter_username"),
            "isSiteAdmin": detail.get("site_admin", False),
            "createdAt": detail.get("created_at"),
            "updatedAt": detail.get("updated_at"),
        }

    def actor(self, u: JsonDict | None) -> Node | None:
        """An Actor (User, Bot or Organization) from a REST simple user; null for deleted."""
        if u is None:
            return None
        if u["type"] == "User":
            return self.user_node(u)
        login = u["login"].removesuffix("[bot]") if u["type"] == "Bot" else u["login"]
        return {
            "__typename": "Bot" if u["type"] == "Bot" else "Organization",
            "id": u["node_id"],
            "databaseId": u["id"],
            "login": login,
            "url": u["html_url"],
            "avatarUrl": u["avatar_url"],
            "resourcePath": f"/{login}",
        }

    # repository and pull requests

    def repository(self, repo: GeneratedRepo) -> Node:
        """A Repository."""
        r = repo.repo
        return {
            "__typename": "Repository",
            "id": r["node_id"],
            "databaseId": r["id"],
            "name": r["name"],
            "nameWithOwner": r["full_name"],
            "owner": self.actor(r["owner"]),
            "url": r["html_url"],
            "isPrivate": r["private"],
            "isFork": r["fork"],
            "isArchived": r["archived"],
            "createdAt": r["created_at"],
            "updatedAt": r["updated_at"],
            "pushedAt": r["pushed_at"],
            "defaultBranchRef": {"__typename": "Ref", "name": r["default_branch"]},
            "pullRequests": lambda info, **args: self._pull_requests(info.context, repo, args),
            "pullRequest": lambda info, number: self._pull_request_field(repo, number),
        }

    def _pull_request_field(self, repo: GeneratedRepo, number: int) -> Node:
        if number not in repo.pull_details:
            raise gql_error(f"Could not resolve to a PullRequest with the number of {number}.", "NOT_FOUND")
        return self.pull_request(repo, number)

    def _pull_requests(self, ctx: Context, repo: GeneratedRepo, args: dict[str, Any]) -> Node:
        details = repo.pull_details
        pulls = list(repo.pulls)
        if args.get("states"):
            wanted = set(args["states"])
            pulls = [p for p in pulls if pr_state(details[p["number"]]) in wanted]
        if args.get("baseRefName") is not None:
            pulls = [p for p in pulls if p["base"]["ref"] == args["baseRefName"]]
        if args.get("headRefName") is not None:
            pulls = [p for p in pulls if p["head"]["ref"] == args["headRefName"]]
        if args.get("labels"):
            names = set(args["labels"])
            pulls = [p for p in pulls if names & {lb["name"] for lb in p["labels"]}]
        order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
        key = "updated_at" if order["field"] == "UPDATED_AT" else "created_at"
        pulls.sort(key=lambda p: (p[key], p["number"]), reverse=order["direction"] == "DESC")
        return connection(pulls, lambda p: self._pull_item(ctx, repo, p["number"]), args)

    def _pull_item(self, ctx: Context, repo: GeneratedRepo, number: int) -> Node | Missing:
        if number in ctx.missing_prs:
            ctx.missing_seen.add(number)
            return Missing(
                gql_error(f"Could not resolve to a PullRequest with the number of {number}.", "NOT_FOUND")
            )
        return self.pull_request(repo, number)

    def pull_request(self, repo: GeneratedRepo, number: int) -> Node:
        """A PullRequest from the REST PR detail and the PR's lists."""
        d = repo.pull_details[number]
        merged = d["merged_at"] is not None
        commit_items = repo.commits[number]
        return {
            "__typename": "PullRequest",
            "id": d["node_id"],
            "databaseId": d["id"],
            "fullDatabaseId": str(d["id"]),
            "number": number,
            "title": d["title"],
            "body": d["body"] or "",
            "state": pr_state(d),
            "isDraft": d["draft"],
            "closed": d["state"] == "closed",
            "merged": merged,
            "locked": d["locked"],
            "createdAt": d["created_at"],
            "updatedAt": d["updated_at"],
            "closedAt": d["closed_at"],
            "mergedAt": d["merged_at"],
            "url": d["html_url"],
            "permalink": d["html_url"],
            "resourcePath": d["html_url"].removeprefix("https://github.com"),
            "author": self.actor(d["user"]),
            "authorAssociation": d["author_association"],
            "mergedBy": self.actor(d["merged_by"]),
            "headRefName": d["head"]["ref"],
            "baseRefName": d["base"]["ref"],
            "headRefOid": d["head"]["sha"],
            "baseRefOid": d["base"]["sha"],
            "isCrossRepository": False,
            "headRepository": lambda info: self.repository(repo),
            "baseRepository": lambda info: self.repository(repo),
            "repository": lambda info: self.repository(repo),
            "mergeCommit": (lambda info: self.commit_ref(repo, d["merge_commit_sha"])) if merged else None,
            "additions": d["additions"],
            "deletions": d["deletions"],
            "changedFiles": d["changed_files"],
            "milestone": self._milestone(d["milestone"]),
            "labels": conn(d["labels"], self._label),
            "assignees": conn(d["assignees"], self.user_node),
            "reviewRequests": conn(d["requested_reviewers"], lambda u: self._review_request(d, u)),
            "commits": conn(commit_items, lambda c: self._pr_commit(repo, d, c)),
            "reviews": lambda info, states=None, author=None, **args: connection(
                [
                    r
                    for r in repo.reviews[number]
                    if (not states or r["state"] in states)
                    and (author is None or (r["user"] and r["user"]["login"] == author))
                ],
                lambda r: self._review(repo, r),
                args,
            ),
            "files": conn(repo.files[number][:FILES_CAP], self._file),
            "statusCheckRollup": lambda info: self.commit_ref(repo, d["head"]["sha"]).get(
                "statusCheckRollup"
            ),
        }

    def _milestone(self, m: JsonDict | None) -> Node | None:
        if m is None:
            return None
        return {
            "__typename": "Milestone",
            "id": m["node_id"],
            "number": m["number"],
            "title": m["title"],
            "description": m["description"],
            "state": m["state"].upper(),
            "dueOn": m["due_on"],
            "createdAt": m["created_at"],
            "updatedAt": m["updated_at"],
            "closedAt": m["closed_at"],
            "url": m["html_url"],
        }

    @staticmethod
    def _label(lb: JsonDict) -> Node:
        return {
            "__typename": "Label",
            "id": lb["node_id"],
            "name": lb["name"],
            "color": lb["color"],
            "description": lb["description"] or None,
            "isDefault": lb["default"],
            "url": lb["url"],
        }

    def _review_request(self, d: JsonDict, u: JsonDict) -> Node:
        rid = base64.b64encode(f"0{len('ReviewRequest')}:ReviewRequest{d['id']}:{u['id']}".encode()).decode()
        return {
            "__typename": "ReviewRequest",
            "id": rid,
            "asCodeOwner": False,
            "requestedReviewer": self.user_node(u),
        }

    def _review(self, repo: GeneratedRepo, r: JsonDict) -> Node:
        return {
            "__typename": "PullRequestReview",
            "id": r["node_id"],
            "databaseId": r["id"],
            "fullDatabaseId": str(r["id"]),
            "author": self.actor(r["user"]),
            "authorAssociation": r["author_association"],
            "body": r["body"],
            "state": r["state"],
            "submittedAt": r["submitted_at"],
            "url": r["html_url"],
            "commit": lambda info: self.commit_ref(repo, r["commit_id"]),
        }

    @staticmethod
    def _file(f: JsonDict) -> Node:
        return {
            "__typename": "PullRequestChangedFile",
            "path": f["filename"],
            "additions": f["additions"],
            "deletions": f["deletions"],
            "changeType": CHANGE_TYPES[f["status"]],
        }

    def _pr_commit(self, repo: GeneratedRepo, d: JsonDict, c: JsonDict) -> Node:
        pcid = base64.b64encode(f"017:PullRequestCommit{d['id']}:{c['sha']}".encode()).decode()
        return {
            "__typename": "PullRequestCommit",
            "id": pcid,
            "url": f"{d['html_url']}/commits/{c['sha']}",
            "resourcePath": f"{d['html_url'].removeprefix('https://github.com')}/commits/{c['sha']}",
            "commit": lambda info: self.commit_ref(repo, c["sha"]),
        }

    # commits and checks

    def commit_ref(self, repo: GeneratedRepo, sha: str) -> Node:
        """A Commit by sha: full when the repository has it, else only its identity."""
        c = repo.commit_detail.get(sha)
        node: Node = {
            "__typename": "Commit",
            "oid": sha,
            "abbreviatedOid": sha[:7],
            "url": f"https://github.com/{repo.full_name}/commit/{sha}",
        }
        if c is None:
            return node
        git = c["commit"]
        message: str = git["message"]
        headline, _, rest = message.partition("\n")
        runs = repo.check_runs.get(sha, [])
        suites: dict[int, list[JsonDict]] = {}
        for run in runs:
            suites.setdefault(run["check_suite"]["id"], []).append(run)
        suite_nodes = [self._suite(repo, sha, sid, rs) for sid, rs in suites.items()]
        node.update(
            {
                "id": c["node_id"],
                "message": message,
                "messageHeadline": headline,
                "messageBody": rest.lstrip("\n"),
                "authoredDate": git["author"]["date"],
                "committedDate": git["committer"]["date"],
                "additions": c["stats"]["additions"],
                "deletions": c["stats"]["deletions"],
                "changedFiles": len(c["files"]),
                "changedFilesIfAvailable": len(c["files"]),
                "author": self._git_actor(git["author"], c["author"]),
                "committer": self._git_actor(git["committer"], c["committer"]),
                "parents": conn(c["parents"], lambda p: self.commit_ref(repo, p["sha"])),
                "tree": {"__typename": "Tree", "oid": git["tree"]["sha"]},
                "checkSuites": conn(suite_nodes, lambda s: s),
                "statusCheckRollup": self._rollup(suite_nodes, runs) if runs else None,
            }
        )
        return node

    def _suite_of(self, repo: GeneratedRepo, sha: str, sid: int) -> Node:
        runs = [r for r in repo.check_runs[sha] if r["check_suite"]["id"] == sid]
        return self._suite(repo, sha, sid, runs)

    def _git_actor(self, who: JsonDict, account: JsonDict | None) -> Node:
        user = self.user_node(account) if account is not None and account["type"] == "User" else None
        return {
            "__typename": "GitActor",
            "name": who["name"],
            "email": who["email"],
            "date": who["date"],
            "user": user,
        }

    def _suite(self, repo: GeneratedRepo, sha: str, sid: int, runs: list[JsonDict]) -> Node:
        app = runs[0]["app"]
        done = all(r["status"] == "completed" for r in runs)
        suite: Node = {
            "__typename": "CheckSuite",
            "id": suite_node_id(sid),
            "databaseId": sid,
            "status": "COMPLETED" if done else "IN_PROGRESS",
            "conclusion": _suite_conclusion(runs) if done else None,
            "app": {
                "__typename": "App",
                "id": app["node_id"],
                "databaseId": app["id"],
                "slug": app["slug"],
                "name": app["name"],
            },
            "commit": lambda info: self.commit_ref(repo, sha),
        }
        suite["checkRuns"] = conn(runs, lambda r: self._run(r, suite))
        return suite

    @staticmethod
    def _run(r: JsonDict, suite: Node) -> Node:
        return {
            "__typename": "CheckRun",
            "id": r["node_id"],
            "databaseId": r["id"],
            "name": r["name"],
            "status": r["status"].upper(),
            "conclusion": _upper(r["conclusion"]),
            "startedAt": r["started_at"],
            "completedAt": r["completed_at"],
            "detailsUrl": r["details_url"],
            "url": r["html_url"],
            "permalink": r["html_url"],
            "checkSuite": suite,
        }

    def _rollup(self, suites: list[Node], runs: list[JsonDict]) -> Node:
        by_suite = {s["databaseId"]: s for s in suites}
        contexts = [self._run(r, by_suite[r["check_suite"]["id"]]) for r in runs]
        return {
            "__typename": "StatusCheckRollup",
            "state": _rollup_state(runs),
            "contexts": conn(contexts, lambda n: n),
        }


def suite_node_id(sid: int) -> str:
    """The global node id of a check suite (the generator gives suites only a database id)."""
    return base64.b64encode(f"010:CheckSuite{sid}".encode()).decode()


def pr_state(d: JsonDict) -> str:
    """GraphQL PullRequestState of a REST PR."""
    if d["state"] == "open":
        return "OPEN"
    return "MERGED" if d["merged_at"] is not None else "CLOSED"


def _suite_conclusion(runs: list[JsonDict]) -> str:
    conclusions = {r["conclusion"] for r in runs}
    for bad in ("failure", "cancelled", "timed_out", "action_required"):
        if bad in conclusions:
            return bad.upper()
    return "SUCCESS" if "success" in conclusions else "SKIPPED" if conclusions == {"skipped"} else "NEUTRAL"


def _rollup_state(runs: list[JsonDict]) -> str:
    if any(r["status"] != "completed" for r in runs):
        return "PENDING"
    if any(r["conclusion"] in ("failure", "cancelled", "timed_out", "action_required") for r in runs):
        return "FAILURE"
    return "SUCCESS"
