"""Change a generated repository between extraction runs, as activity on GitHub would.

Refresh tests (issue 14) extract a repository, change it, and extract again. A `Mutator` changes
a GeneratedRepo in place; a FakeGitHub serving it sees the change on REST at once, and on
GraphQL after `World.reindex()` (FakeGitHub.mutate() does both):

    with gh.mutate() as m:
        m.advance(days=3)
        m.add_review(old_pr, "APPROVED", comments=2)
        m.force_push(open_pr)

Rules followed (GitHub's behaviour where it is documented or observed):
  * The repository has a clock (`GeneratedRepo.clock`, the generation anchor at first). Every
    mutation first moves it one minute on, then happens "now", so each change is strictly newer
    than anything before it; `advance()` moves it further (PRs then age out of a days-back
    window that ends now).
  * A new review, review comment, conversation comment, title edit, push, close or merge sets
    the PR's `updated_at` to now. A new check run does too by default (`bump_updated=False`
    models GitHub leaving `updated_at` alone for check activity, which its docs do not settle).
  * New ids are above every generated id of their kind, so they ascend with time; new comments
    continue their PR's id block.
  * A force push replaces the PR's commits (new head sha, new check runs on it), rewrites the
    head-sha URLs of its files, and makes its line comments outdated (`line`/`position` null,
    `commit_id` = `original_commit_id`). Only open PRs can be force-pushed. The contributors
    list (default-branch commits on GitHub) stays; new PRs count their commits there, as
    generated PRs do.
  * A deleted PR answers 404 everywhere and leaves the lists; its number is never reused.
  * Nothing else changes, so an ETag changes exactly when the body it covers does.
Mutations are deterministic: the same calls in the same order give the same repository.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from tests.fakegithub.generate import (
    API,
    CHECK_NAMES,
    GITHUB_ACTIONS_APP,
    REVIEW_BODIES,
    WEB,
    GenContext,
    GeneratedRepo,
    JsonDict,
    Person,
    _association,
    _build_pr,
    _comment_ids,
    _CommentPlan,
    _commit_item,
    _lognorm_int,
    _node_id,
    _parse_ts,
    _PrPlan,
    _review_locations,
    _rng,
    _sha,
    _ts,
    add_comments,
    issue_comment_object,
    review_comment_object,
    user_simple,
)

# New ids start above every generated id of their kind (generated: reviews < 3.3e9, check runs
# < 2.03e10, check suites < 8.02e9).
REVIEW_ID_BASE = 3_900_000_000
CHECK_RUN_ID_BASE = 29_000_000_000
SUITE_ID_BASE = 8_900_000_000
COMMENT_BLOCK = 512


class MutationError(ValueError):
    """A mutation GitHub would not allow (e.g. force-pushing a merged PR) or an unknown PR."""


class Mutator:
    """Applies changes to one GeneratedRepo (see the module docstring for the rules)."""

    def __init__(self, repo: GeneratedRepo) -> None:
        """Bind to a generated (non-empty) repository.

        Raises:
            MutationError: the repository was generated empty (it has no PR machinery).
        """
        if repo.context is None:
            raise MutationError(f"{repo.full_name} was generated empty; it cannot be mutated")
        self.repo = repo
        self.ctx: GenContext = repo.context

    # -- the clock ---------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The repository's current time."""
        return _parse_ts(self.repo.clock)

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """Move the clock forward; returns the new time."""
        step = timedelta(days=days, hours=hours, minutes=minutes)
        if step < timedelta(0):
            raise MutationError("the clock only moves forward")
        self.repo.clock = _ts(self.now + step)
        return self.now

    def _begin(self) -> random.Random:
        """Start a mutation: one minute passes; returns the mutation's own random stream."""
        self.advance(minutes=1)
        self.ctx.mutations += 1
        return _rng(self.repo.seed, self.repo.full_name, "mutation", self.ctx.mutations)

    # -- lookups -----------------------------------------------------------------------------

    def _detail(self, n: int) -> JsonDict:
        d = self.repo.pull_details.get(n)
        if d is None:
            raise MutationError(f"{self.repo.full_name} has no PR #{n}")
        return d

    def _pull(self, n: int) -> JsonDict:
        return next(p for p in self.repo.pulls if p["number"] == n)

    def _set(self, n: int, **values: Any) -> None:
        """Set fields on both the list item and the detail of PR n."""
        self._pull(n).update(values)
        self._detail(n).update(values)

    def _touch(self, n: int) -> None:
        self._set(n, updated_at=self.repo.clock)

    def _person(self, login: str | None, rng: random.Random, avoid: str | None) -> Person:
        people = {p.login: p for p in self.ctx.humans} | self.ctx.bots
        if login is not None:
            if login not in people:
                raise MutationError(f"no account {login!r} in {self.repo.full_name}")
            return people[login]
        return rng.choice([p for p in self.ctx.humans if p.login != avoid])

    # -- new pull requests -------------------------------------------------------------------

    def add_prs(self, count: int, state: str | None = None) -> list[int]:
        """Open `count` new PRs (numbers after every number given so far).

        They are created one after another in the 20 minutes after now, and all their activity
        (reviews, closing, merging) happens before the clock, moved 30 minutes on, stops: a PR
        that did not exist at the previous run cannot carry an older timestamp.

        Args:
            count: how many.
            state: "open", "merged" or "closed" for all of them; None draws each (mostly open).

        Returns:
            The new PR numbers, ascending.
        """
        rng = self._begin()
        start = self.now
        end = start + timedelta(minutes=30)
        out: list[int] = []
        for i in range(count):
            n = self.ctx.last_number + 1 + (rng.random() < 0.3)
            self.ctx.last_number = n
            created = start + timedelta(seconds=1200 * (i + 1) // (count + 1))
            r = rng.random()
            pr_state = state or ("open" if r < 0.7 else "merged" if r < 0.93 else "closed")
            plan = _PrPlan(
                n,
                created,
                pr_state,
                _lognorm_int(rng, 2.5, 0.8, 1, 40),
                _lognorm_int(rng, 4.0, 0.9, 1, 60),
                None,
            )
            plans = [_PrPlan(p["number"], created, "open", 1, 1, None) for p in self.repo.pulls] + [plan]
            _build_pr(
                self.repo,
                plan,
                len(plans) - 1,
                plans,
                self.repo.seed,
                self.repo.full_name,
                self.ctx.humans,
                self.ctx.bots,
                self.ctx.labels,
                self.ctx.milestones,
                self.ctx.owner_simple,
                end,
                self.ctx.jira_key,
                self.ctx.contributions,
            )
            add_comments(self.repo, n)
            out.append(n)
        self.repo.clock = _ts(end)
        self._rank_contributors()
        return out

    def _rank_contributors(self) -> None:
        users = self.repo.users
        ranked = sorted(self.ctx.contributions.items(), key=lambda kv: (-kv[1], users[kv[0]]["id"]))
        keys = user_simple("x", 1)
        self.repo.contributors[:] = [
            {**{k: v for k, v in users[login].items() if k in keys}, "contributions": count}
            for login, count in ranked
        ]

    # -- activity on an existing PR ----------------------------------------------------------

    def add_review(
        self,
        n: int,
        state: str = "APPROVED",
        *,
        login: str | None = None,
        body: str | None = None,
        comments: int = 0,
    ) -> JsonDict:
        """Submit a review on PR n now, optionally with `comments` new review comments.

        Returns:
            The review object (as GET /pulls/{n}/reviews lists it).
        """
        d = self._detail(n)
        if state == "PENDING" and comments:
            raise MutationError("a pending review's comments are not visible to others")
        rng = self._begin()
        author = d["user"]["login"] if d["user"] else None
        person = self._person(login, rng, author)
        rid = REVIEW_ID_BASE + self.ctx.mutations
        u = f"{WEB}/{self.repo.full_name}/pull/{n}#pullrequestreview-{rid}"
        pr_url = f"{API}/repos/{self.repo.full_name}/pulls/{n}"
        review: JsonDict = {
            "id": rid,
            "node_id": _node_id("PullRequestReview", rid),
            "user": person.simple,
            "body": body if body is not None else ("" if state == "APPROVED" else "Please have a look."),
            "state": state,
            "html_url": u,
            "pull_request_url": pr_url,
            "_links": {"html": {"href": u}, "pull_request": {"href": pr_url}},
            "submitted_at": None if state == "PENDING" else self.repo.clock,
            "commit_id": d["head"]["sha"],
            "author_association": "CONTRIBUTOR" if person.type == "Bot" else "MEMBER",
        }
        self.repo.reviews[n].append(review)
        existing = self.repo.review_comments.setdefault(n, [])
        base = _comment_ids(self.repo.seed, self.repo.full_name, "review", n) + len(existing)
        for i in range(comments):
            cid = base + i
            self._check_block(n, "review", cid)
            plan = _CommentPlan(
                self.now - timedelta(seconds=comments - i),
                i,
                person.simple,
                str(review["author_association"]),
                rng.choice(REVIEW_BODIES),
                review,
                len(self.repo.reviews[n]) - 1,
            )
            plan.where = _review_locations(rng, self.repo, n, d["head"]["sha"])
            existing.append(review_comment_object(self.repo.full_name, n, cid, plan, rng))
        d["review_comments"] = len(existing)
        if state != "PENDING":
            self._touch(n)
        return review

    def add_review_reply(self, n: int, in_reply_to: int, *, login: str | None = None) -> JsonDict:
        """Reply to review comment `in_reply_to` of PR n (GitHub makes a COMMENTED review for it).

        Returns:
            The new review comment.
        """
        self._detail(n)
        root = next((c for c in self.repo.review_comments.get(n, []) if c["id"] == in_reply_to), None)
        if root is None:
            raise MutationError(f"PR #{n} has no review comment {in_reply_to}")
        root_id: int = root["in_reply_to_id"] if "in_reply_to_id" in root else root["id"]
        review = self.add_review(n, "COMMENTED", login=login, body="")
        person = review["user"]
        rng = _rng(self.repo.seed, self.repo.full_name, "mutation-reply", self.ctx.mutations)
        comments = self.repo.review_comments[n]
        cid = _comment_ids(self.repo.seed, self.repo.full_name, "review", n) + len(comments)
        self._check_block(n, "review", cid)
        thread_root = next(c for c in comments if c["id"] == root_id)
        plan = _CommentPlan(
            self.now,
            0,
            person,
            str(review["author_association"]),
            rng.choice(["Done.", "Fixed now ✅", "Good point, changed."]),
            review,
            len(self.repo.reviews[n]) - 1,
        )
        keys = (
            "path",
            "diff_hunk",
            "position",
            "original_position",
            "commit_id",
            "original_commit_id",
            "start_line",
            "original_start_line",
            "start_side",
            "line",
            "original_line",
            "side",
            "subject_type",
        )
        plan.where = {k: thread_root[k] for k in keys}
        plan.root = _CommentPlan(self.now, 0, None, "", "", None, 0, where={"id": root_id})
        comment = review_comment_object(self.repo.full_name, n, cid, plan, rng)
        comments.append(comment)
        self._detail(n)["review_comments"] = len(comments)
        return comment

    def add_issue_comment(self, n: int, body: str | None = None, *, login: str | None = None) -> JsonDict:
        """Post a conversation comment on PR n now.

        Returns:
            The comment (as GET /issues/{n}/comments lists it).
        """
        d = self._detail(n)
        rng = self._begin()
        person = self._person(login, rng, None)
        comments = self.repo.issue_comments.setdefault(n, [])
        cid = _comment_ids(self.repo.seed, self.repo.full_name, "issue", n) + len(comments)
        self._check_block(n, "issue", cid)
        text = body if body is not None else rng.choice(["Ping 🔔", "Any news here?", "Merci ! 🙏"])
        comment = issue_comment_object(
            self.repo.full_name,
            n,
            cid,
            person.simple,
            _association(person.simple, d),
            text,
            self.now,
            self.now,
            rng,
        )
        comments.append(comment)
        d["comments"] = len(comments)
        self._touch(n)
        return comment

    def add_check_run(
        self,
        n: int,
        name: str = "build",
        conclusion: str | None = "success",
        *,
        bump_updated: bool = True,
    ) -> JsonDict:
        """Add a check run on PR n's head commit (a re-run, or a new workflow), finished now.

        Args:
            n: the PR.
            name: the check's name.
            conclusion: "success", "failure", ...; None for a run still in progress.
            bump_updated: set the PR's updated_at to now (see the module docstring).

        Returns:
            The check run.
        """
        d = self._detail(n)
        self._begin()
        run = self._check_run(n, d["head"]["sha"], name, conclusion, SUITE_ID_BASE + self.ctx.mutations)
        self.repo.check_runs.setdefault(d["head"]["sha"], []).append(run)
        if bump_updated:
            self._touch(n)
        return run

    def _check_run(self, n: int, sha: str, name: str, conclusion: str | None, suite: int) -> JsonDict:
        rid = CHECK_RUN_ID_BASE + self.ctx.mutations * 16 + len(self.repo.check_runs.get(sha, []))
        fn = self.repo.full_name
        u = f"{API}/repos/{fn}/check-runs/{rid}"
        started = self.now - timedelta(minutes=3)
        d = self._detail(n)
        repo_ref = {"id": 1, "url": f"{API}/repos/{fn}", "name": self.repo.name}
        return {
            "id": rid,
            "name": name,
            "node_id": _node_id("CheckRun", rid),
            "head_sha": sha,
            "external_id": "",
            "url": u,
            "html_url": f"{WEB}/{fn}/actions/runs/{rid}",
            "details_url": f"{WEB}/{fn}/actions/runs/{rid}",
            "status": "completed" if conclusion is not None else "in_progress",
            "conclusion": conclusion,
            "started_at": _ts(started),
            "completed_at": self.repo.clock if conclusion is not None else None,
            "output": {
                "title": None,
                "summary": None,
                "text": None,
                "annotations_count": 0,
                "annotations_url": f"{u}/annotations",
            },
            "check_suite": {"id": suite},
            "app": GITHUB_ACTIONS_APP,
            "pull_requests": [
                {
                    "url": f"{API}/repos/{fn}/pulls/{n}",
                    "id": n,
                    "number": n,
                    "head": {"ref": "head", "sha": sha, "repo": repo_ref},
                    "base": {"ref": "main", "sha": sha[::-1], "repo": repo_ref},
                }
            ]
            if d["state"] == "open"
            else [],
        }

    def edit_title(self, n: int, title: str) -> None:
        """Rename PR n now."""
        self._detail(n)
        self._begin()
        self._set(n, title=title)
        self._touch(n)

    def close(self, n: int, merged: bool = True) -> None:
        """Merge (or just close) open PR n now."""
        d = self._detail(n)
        if d["state"] != "open":
            raise MutationError(f"PR #{n} is not open")
        rng = self._begin()
        self._set(
            n,
            state="closed",
            closed_at=self.repo.clock,
            merged_at=self.repo.clock if merged else None,
            draft=False,
            requested_reviewers=[],
        )
        merger = rng.choice(self.ctx.humans[:8]).simple if merged else None
        d.update(
            {
                "merged": merged,
                "mergeable": None,
                "rebaseable": None,
                "mergeable_state": "unknown",
                "merged_by": merger,
            }
        )
        for run in self.repo.check_runs.get(d["head"]["sha"], []):
            run["pull_requests"] = []
        self._touch(n)

    def force_push(self, n: int, commits: int = 2) -> str:
        """Replace open PR n's commits with `commits` new ones (a rebase); returns the new head.

        Raises:
            MutationError: the PR is closed (GitHub does not update a closed PR's commits).
        """
        d = self._detail(n)
        if d["state"] != "open":
            raise MutationError(f"PR #{n} is closed; GitHub does not update a closed PR's commits")
        if commits < 1:
            raise MutationError("a push has at least one commit")
        rng = self._begin()
        fn, seed = self.repo.full_name, self.repo.seed
        shas = [_sha(seed, fn, n, "push", self.ctx.mutations, k) for k in range(commits)]
        base_sha = d["base"]["sha"]
        old = self.repo.commits[n]
        template = old[-1]
        name = template["commit"]["author"]["name"]
        email = template["commit"]["author"]["email"]
        people = {p.login: p for p in self.ctx.humans} | self.ctx.bots
        user = template["author"]
        committer = people.get(user["login"]) if user else None
        new_commits: list[JsonDict] = []
        for k, sha in enumerate(shas):
            at = self.now - timedelta(minutes=2 * (commits - k))
            msg = f"{rng.choice(['Rebase', 'Rework', 'Address review'])} {rng.choice(REVIEW_BODIES)[:30]}"
            new_commits.append(
                _commit_item(fn, sha, name, email, at, msg, user, committer, shas[k - 1] if k else base_sha)
            )
        files = self.repo.files[n]
        head = shas[-1]
        for f in files:
            f["blob_url"] = f"{WEB}/{fn}/blob/{head}/{f['filename']}"
            f["raw_url"] = f"{WEB}/{fn}/raw/{head}/{f['filename']}"
            f["contents_url"] = f"{API}/repos/{fn}/contents/{f['filename']}?ref={head}"
        buckets: list[list[JsonDict]] = [[] for _ in shas]
        for i, f in enumerate(files):
            buckets[i % len(shas)].append(f)
        for k, sha in enumerate(shas):
            cfiles = []
            for f in buckets[k]:
                cf = dict(f)
                cf["blob_url"] = f"{WEB}/{fn}/blob/{sha}/{f['filename']}"
                cf["raw_url"] = f"{WEB}/{fn}/raw/{sha}/{f['filename']}"
                cf["contents_url"] = f"{API}/repos/{fn}/contents/{f['filename']}?ref={sha}"
                cfiles.append(cf)
            ca, cd = sum(f["additions"] for f in cfiles), sum(f["deletions"] for f in cfiles)
            self.repo.commit_detail[sha] = {
                **new_commits[k],
                "stats": {"additions": ca, "deletions": cd, "total": ca + cd},
                "files": cfiles,
            }
        self.repo.commits[n] = new_commits
        head_obj = {**d["head"], "sha": head}
        links = {**d["_links"], "statuses": {"href": f"{API}/repos/{fn}/statuses/{head}"}}
        self._set(n, head=head_obj, statuses_url=f"{API}/repos/{fn}/statuses/{head}", _links=links)
        d["commits"] = commits
        suite = SUITE_ID_BASE + self.ctx.mutations
        names = CHECK_NAMES[: 1 + rng.randrange(len(CHECK_NAMES))]
        self.repo.check_runs[head] = []
        for check in names:
            conclusion = "success" if rng.random() < 0.8 else "failure"
            self.repo.check_runs[head].append(self._check_run(n, head, check, conclusion, suite))
        for c in self.repo.review_comments.get(n, []):
            if c["subject_type"] == "line" and c["line"] is not None:
                c.update(
                    {"line": None, "position": None, "start_line": None, "commit_id": c["original_commit_id"]}
                )
            elif c["subject_type"] == "file":
                c["commit_id"] = c["original_commit_id"]
        self._touch(n)
        return head

    def delete_pr(self, n: int) -> None:
        """Delete PR n: 404 on every endpoint afterwards, gone from the lists and GraphQL."""
        self._detail(n)
        self._begin()
        self.repo.pulls[:] = [p for p in self.repo.pulls if p["number"] != n]
        for table in (
            self.repo.pull_details,
            self.repo.commits,
            self.repo.reviews,
            self.repo.files,
            self.repo.review_comments,
            self.repo.issue_comments,
        ):
            table.pop(n, None)
        for name, number in list(self.repo.edge_cases.items()):
            if number == n:
                del self.repo.edge_cases[name]

    def _check_block(self, n: int, kind: str, cid: int) -> None:
        if cid >= _comment_ids(self.repo.seed, self.repo.full_name, kind, n) + COMMENT_BLOCK:
            raise MutationError(f"PR #{n} has {COMMENT_BLOCK} {kind} comments, the fake's most")
