"""Deterministic generator of a realistic GitHub repository, as API-shaped dicts.

Every value derives from a hash of (seed, repo, stable key): two calls with the same arguments
give equal data, and one PR's data does not depend on how many PRs come before it.
Bodies use the fixed hosts https://api.github.com / https://github.com (not the fake server's
address), so snapshots taken against servers on different ports stay byte-identical.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

API = "https://api.github.com"
WEB = "https://github.com"

JsonDict = dict[str, Any]

SQL_TEXT = "'); DROP TABLE metrics_pullrequest; --"
NUL_TEXT = "nul\u0000byte"
EMOJI_TEXT = "🚀✨ émoji 🐛 fix — ünïcödé 日本語"
QUOTES_TEXT = "quotes \"double\" 'single' `back` and back\\slash \\n not-a-newline"

HUMAN_NAMES = [
    "Alice Johnson",
    "Bruno Martins",
    "Chen Wei",
    "Dana Kowalski",
    "Elif Yilmaz",
    "Farid Haddad",
    "Grace Okafor",
    "Hiro Tanaka",
    "Ines Duarte",
    "Jonas Berg",
    "Kavya Iyer",
    "Liam O'Brien",
    "Maya Cohen",
    "Nikolai Petrov",
    "Olga Svensson",
    "Priya Natarajan",
    "Quentin Dubois",
    "Rosa Alvarez",
    "Sven Larsen",
    "Tomás Ruiz",
    "Uma Reddy",
    "Victor Hugo Lima",
    "Wen Zhao",
    "Ximena Castro",
    "Yusuf Demir",
    "Zoe Fischer",
    "Aarav Shah",
    "Beatriz Souza",
    "Carlos Mendes",
    "Dmitri Volkov",
    "José Müller",
    "Keiko Sato",
    "Lars Nilsson",
    "Mei Lin",
]
BOT_LOGINS = [
    "dependabot[bot]",
    "github-actions[bot]",
    "coderabbitai[bot]",
    "copilot-pull-request-reviewer[bot]",
]
LABELS = [
    ("bug", "d73a4a", "Something isn't working"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("dependencies", "0366d6", "Pull requests that update a dependency file"),
    ("performance", "fbca04", "Speed things up"),
    ("tech-debt", "cfd3d7", "Cleanup"),
    ("security", "b60205", "Security fix"),
    ("needs-review", "5319e7", ""),
]
DIRS = [
    "src/api",
    "src/core",
    "src/models",
    "src/services",
    "src/utils",
    "web/components",
    "web/pages",
    "tests/unit",
    "tests/integration",
    "docs",
    "migrations",
    "scripts",
    ".github/workflows",
]
EXTS = [".py", ".ts", ".tsx", ".md", ".sql", ".yml", ".json", ".go", ".rb"]
WORDS = [
    "billing",
    "invoice",
    "auth",
    "session",
    "cache",
    "search",
    "webhook",
    "export",
    "import",
    "dashboard",
    "metrics",
    "queue",
    "worker",
    "payment",
    "profile",
    "settings",
    "checkout",
    "notification",
    "report",
    "upload",
    "token",
    "schema",
    "router",
    "parser",
    "client",
]
VERBS = ["Add", "Fix", "Refactor", "Improve", "Remove", "Update", "Support", "Speed up", "Clean up"]
CHECK_NAMES = ["build", "test (3.11)", "test (3.12)", "lint", "typecheck", "e2e", "deploy-preview"]
AI_POSITIVE = [
    "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    "Co-authored with GitHub Copilot.",
    "This change was written with Cursor and reviewed by hand.",
    "Drafted with ChatGPT, then edited.",
]
AI_NEGATIVE = ["Note: no AI was used for this change.", "No AI tools were used."]
CLAUDE_TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>"


def _h(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()


def _rng(*parts: object) -> random.Random:
    return random.Random(int.from_bytes(_h(*parts)[:8], "big"))


def _sha(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _lognorm_int(rng: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(rng.lognormvariate(math.log(median), sigma))))


def user_simple(login: str, uid: int, kind: str = "User") -> JsonDict:
    """Build a GitHub "simple user" object (the shape embedded in PRs, commits, reviews)."""
    u = f"{API}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": _node_id("User" if kind == "User" else "Bot", uid),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": u,
        "html_url": f"{WEB}/{login}" if kind == "User" else f"{WEB}/apps/{login[:-5]}",
        "followers_url": f"{u}/followers",
        "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}",
        "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions",
        "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


@dataclass
class Person:
    """A generated account plus the identity it commits with."""

    login: str
    id: int
    type: str
    name: str
    email: str | None  # public profile email (None = hidden)
    commit_email: str
    simple: JsonDict
    detail: JsonDict


@dataclass
class GenContext:
    """What generate_repo built a repository's PRs from (mutations build new PRs alike).

    Attributes:
        humans: the human accounts. bots: login -> bot account.
        labels: the repository's labels. milestones: its milestones.
        owner_simple: the owning organisation (simple user).
        jira_key: Jira project key planted in titles and branches.
        contributions: login -> commits counted for the contributors list.
        last_number: the highest PR number ever given (deleted PRs keep theirs).
        mutations: how many mutations were applied (keys their random streams and new ids).
    """

    humans: list[Person]
    bots: dict[str, Person]
    labels: list[JsonDict]
    milestones: list[JsonDict]
    owner_simple: JsonDict
    jira_key: str
    contributions: dict[str, int]
    last_number: int = 0
    mutations: int = 0


@dataclass
class GeneratedRepo:
    """A generated repository: every object the fake server serves, in API shape.

    Attributes:
        full_name: "owner/name" as created (the server matches it case-insensitively).
        repo: the repository object (GET /repos/{o}/{r}).
        pulls: PRs in the pulls-list shape, ascending by number (= by created_at).
        pull_details: number -> PR detail object (GET /pulls/{n}).
        commits: number -> the PR's full commit list (the server serves at most 250).
        reviews: number -> reviews. files: number -> files (the server serves at most 3000).
        check_runs: head sha -> check runs. commit_detail: sha -> commit with stats and files.
        contributors: contributors list, sorted by contributions desc.
        users: login -> user detail (GET /users/{login}).
        edge_cases: name -> PR number of each planted edge case.
        review_comments: number -> review comments (GET /pulls/{n}/comments), ascending by id.
        issue_comments: number -> conversation comments (GET /issues/{n}/comments), ascending by id.
        clock: the repository's "now" ("YYYY-MM-DDTHH:MM:SSZ"): the anchor at generation, moved
            forward by tests.fakegithub.mutate.
        context: what generation used (people, labels, ...), for mutations that add PRs.
    """

    full_name: str
    seed: int
    anchor: str
    repo: JsonDict
    pulls: list[JsonDict] = field(default_factory=list)
    pull_details: dict[int, JsonDict] = field(default_factory=dict)
    commits: dict[int, list[JsonDict]] = field(default_factory=dict)
    reviews: dict[int, list[JsonDict]] = field(default_factory=dict)
    files: dict[int, list[JsonDict]] = field(default_factory=dict)
    check_runs: dict[str, list[JsonDict]] = field(default_factory=dict)
    commit_detail: dict[str, JsonDict] = field(default_factory=dict)
    contributors: list[JsonDict] = field(default_factory=list)
    users: dict[str, JsonDict] = field(default_factory=dict)
    edge_cases: dict[str, int] = field(default_factory=dict)
    empty: bool = False
    review_comments: dict[int, list[JsonDict]] = field(default_factory=dict)
    issue_comments: dict[int, list[JsonDict]] = field(default_factory=dict)
    clock: str = ""
    context: GenContext | None = field(default=None, repr=False, compare=False)

    @property
    def owner(self) -> str:
        """The owner part of full_name."""
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The name part of full_name."""
        return self.full_name.split("/", 1)[1]


def _make_people(seed: int, full_name: str, n_people: int) -> list[Person]:
    people: list[Person] = []
    for i, name in enumerate(HUMAN_NAMES[:n_people]):
        rng = _rng(seed, full_name, "user", i)
        first, last = name.split(" ", 1)[0], name.split(" ")[-1]
        style = rng.randrange(3)
        raw = (first[0] + last) if style == 0 else (f"{first}-{last[0]}" if style == 1 else first)
        login = "".join(c for c in raw.lower() if c.isascii() and (c.isalnum() or c == "-"))
        login = f"{login}{rng.randrange(10, 99)}" if style == 2 else login
        uid = 1_000_000 + int.from_bytes(_h(seed, full_name, "uid", i)[:3], "big")
        public = rng.random() < 0.6
        email = f"{login}@example.com" if public else None
        commit_email = email or f"{uid}+{login}@users.noreply.github.com"
        people.append(_person(login, uid, "User", name, email, commit_email, rng))
    for j, login in enumerate(BOT_LOGINS):
        uid = 40_000_000 + j * 1117
        rng = _rng(seed, full_name, "bot", j)
        email = f"{uid}+{login}@users.noreply.github.com"
        people.append(_person(login, uid, "Bot", login[:-5], None, email, rng))
    return people


def _person(
    login: str,
    uid: int,
    kind: str,
    name: str,
    email: str | None,
    commit_email: str,
    rng: random.Random,
) -> Person:
    simple = user_simple(login, uid, kind)
    created = datetime(2012, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(4000))
    detail = dict(simple)
    detail.update(
        {
            "name": name,
            "company": rng.choice([None, "@octo-org", "Acme Corp"]),
            "blog": "",
            "location": rng.choice([None, "Berlin", "Lisbon", "Remote"]),
            "email": email,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": rng.randrange(1, 120),
            "public_gists": rng.randrange(0, 20),
            "followers": rng.randrange(0, 900),
            "following": rng.randrange(0, 100),
            "created_at": _ts(created),
            "updated_at": _ts(created + timedelta(days=rng.randrange(1, 400))),
        }
    )
    return Person(login, uid, kind, name, email, commit_email, simple, detail)


def _repo_object(full_name: str, repo_id: int, owner: JsonDict, created: datetime) -> JsonDict:
    o, n = full_name.split("/", 1)
    u = f"{API}/repos/{full_name}"
    obj: JsonDict = {
        "id": repo_id,
        "node_id": _node_id("Repository", repo_id),
        "name": n,
        "full_name": full_name,
        "owner": owner,
        "private": False,
        "html_url": f"{WEB}/{full_name}",
        "description": f"The {n} project",
        "fork": False,
        "url": u,
    }
    for key, suffix in [
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
    ]:
        obj[key] = u + suffix
    obj["git_url"] = f"git://github.com/{full_name}.git"
    for key, suffix in [
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("milestones_url", "/milestones{/number}"),
        ("notifications_url", "/notifications{?since,all,participating}"),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
    ]:
        obj[key] = u + suffix
    obj["ssh_url"] = f"git@github.com:{full_name}.git"
    for key, suffix in [
        ("stargazers_url", "/stargazers"),
        ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
        ("trees_url", "/git/trees{/sha}"),
    ]:
        obj[key] = u + suffix
    obj.update(
        {
            "clone_url": f"{WEB}/{full_name}.git",
            "mirror_url": None,
            "hooks_url": f"{u}/hooks",
            "svn_url": f"{WEB}/{full_name}",
            "homepage": None,
            "language": "Python",
            "forks_count": 42,
            "forks": 42,
            "stargazers_count": 1234,
            "watchers_count": 1234,
            "watchers": 1234,
            "size": 20480,
            "default_branch": "main",
            "open_issues_count": 17,
            "open_issues": 17,
            "is_template": False,
            "topics": ["metrics", "demo"],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": False,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "public",
            "pushed_at": _ts(created + timedelta(days=900)),
            "created_at": _ts(created),
            "updated_at": _ts(created + timedelta(days=900)),
            "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True},
            "allow_rebase_merge": True,
            "temp_clone_token": "",
            "allow_squash_merge": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": True,
            "allow_merge_commit": True,
            "allow_forking": True,
            "subscribers_count": 30,
            "network_count": 42,
            "license": {
                "key": "mit",
                "name": "MIT License",
                "spdx_id": "MIT",
                "url": f"{API}/licenses/mit",
                "node_id": "MDc6TGljZW5zZW1pdA==",
            },
        }
    )
    del o
    return obj


@dataclass
class _PrPlan:
    number: int
    created: datetime
    state: str  # merged | closed | open
    n_commits: int
    n_files: int
    special: str | None


def generate_repo(
    full_name: str,
    n_prs: int = 300,
    seed: int = 7,
    anchor: str = "2026-11-01",
    *,
    empty: bool = False,
    huge_pr: bool = False,
    jira_key: str = "ACME",
    days: int = 180,
    many_comments: bool = False,
) -> GeneratedRepo:
    """Generate a repository deterministically.

    Args:
        full_name: "owner/name".
        n_prs: number of pull requests (created over the `days` before `anchor`).
        seed: seed mixed into every hash.
        anchor: end of the window, "YYYY-MM-DD" (UTC midnight).
        empty: a repository without commits (contributors answers 204); forces n_prs=0.
        huge_pr: add a PR with more than 3,000 files (GitHub's files cap) to test truncation.
        jira_key: Jira project key planted in some titles and branches.
        days: length of the window.
        many_comments: give three PRs more than 100 review and/or conversation comments (edge
            cases "many_review_comments", "many_issue_comments", "many_comments"), so listing
            them needs more than one page of 100.

    Returns:
        The GeneratedRepo.
    """
    if empty:
        n_prs = 0
    end = datetime.fromisoformat(anchor).replace(tzinfo=UTC)
    start = end - timedelta(days=days)
    owner_login = full_name.split("/", 1)[0]
    repo_id = 100_000_000 + int.from_bytes(_h(seed, full_name.lower(), "repo")[:3], "big")
    owner_simple = user_simple(owner_login, 9_000_000 + repo_id % 1_000_000, "Organization")
    owner_simple["html_url"] = f"{WEB}/{owner_login}"
    repo_obj = _repo_object(full_name, repo_id, owner_simple, start - timedelta(days=1500))
    gen = GeneratedRepo(
        full_name=full_name, seed=seed, anchor=anchor, repo=repo_obj, empty=empty, clock=_ts(end)
    )
    if empty:
        repo_obj.update({"size": 0, "pushed_at": repo_obj["created_at"], "language": None})
        return gen

    people = _make_people(seed, full_name, len(HUMAN_NAMES))
    humans = [p for p in people if p.type == "User"]
    bots = {p.login: p for p in people if p.type == "Bot"}
    for p in people:
        gen.users[p.login] = p.detail
    labels = [
        {
            "id": 5_000_000 + i,
            "node_id": _node_id("Label", 5_000_000 + i),
            "url": f"{API}/repos/{full_name}/labels/{name}",
            "name": name,
            "description": desc,
            "color": color,
            "default": i < 3,
        }
        for i, (name, color, desc) in enumerate(LABELS)
    ]
    milestones = [_milestone(full_name, i, humans[0].simple, start) for i in range(1, 4)]

    # Plan numbers, dates, states and sizes first, so edge cases can be placed.
    plans: list[_PrPlan] = []
    number = 0
    span = (end - start).total_seconds()
    for i in range(n_prs):
        rng = _rng(seed, full_name, "plan", i)
        number += 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
        created = start + timedelta(seconds=span * (i + rng.random() * 0.9) / max(n_prs, 1))
        r = rng.random()
        state = "merged" if r < 0.70 else ("closed" if r < 0.85 else "open")
        plans.append(
            _PrPlan(
                number,
                created,
                state,
                _lognorm_int(rng, 2.5, 0.8, 1, 40),
                _lognorm_int(rng, 4.0, 0.9, 1, 60),
                None,
            )
        )
    if n_prs >= 50:
        # Planted in the 50 most recent PRs, so `--max-prs 50` still sees every one.
        recent = plans[-50:]
        specials = [
            "zero_files",
            "many_files",
            "many_commits",
            "weird_text",
            "long_title",
            "deleted_user",
            "renames",
            "revert",
            "hotfix",
            "claude_trailer",
            "bot_dependabot",
            "ai_body",
            "no_ai_body",
            "jira_branch",
            "nul_text",
        ]
        if huge_pr:
            specials.append("huge_files")
        for k, name in enumerate(specials):
            plan = recent[(k * 3 + 1) % 50]
            plan.special = name
            gen.edge_cases[name] = plan.number
        for plan in recent:
            if plan.special == "zero_files":
                plan.n_files = 0
            elif plan.special == "many_files":
                plan.n_files = 230
            elif plan.special == "huge_files":
                plan.n_files = 3105
                plan.state = "merged"
            elif plan.special == "many_commits":
                plan.n_commits, plan.state = 263, "merged"
            elif plan.special == "renames":
                plan.n_files = max(plan.n_files, 6)

    contributions: dict[str, int] = {}
    for idx, plan in enumerate(plans):
        _build_pr(
            gen,
            plan,
            idx,
            plans,
            seed,
            full_name,
            humans,
            bots,
            labels,
            milestones,
            owner_simple,
            end,
            jira_key,
            contributions,
        )

    ranked = sorted(contributions.items(), key=lambda kv: (-kv[1], gen.users[kv[0]]["id"]))
    for login, count in ranked:
        c = {k: v for k, v in gen.users[login].items() if k in user_simple("x", 1)}
        c["contributions"] = count
        gen.contributors.append(c)

    # Comments come last, each PR from its own hash-keyed streams, so they change nothing above.
    gen.context = GenContext(humans, bots, labels, milestones, owner_simple, jira_key, contributions, number)
    if many_comments and n_prs >= 50:
        _plant_many_comments(gen, plans)
    for pr in gen.pulls:
        add_comments(gen, pr["number"])
    return gen


def _milestone(full_name: str, i: int, creator: JsonDict, start: datetime) -> JsonDict:
    mid = 7_000_000 + i
    return {
        "url": f"{API}/repos/{full_name}/milestones/{i}",
        "html_url": f"{WEB}/{full_name}/milestone/{i}",
        "labels_url": f"{API}/repos/{full_name}/milestones/{i}/labels",
        "id": mid,
        "node_id": _node_id("Milestone", mid),
        "number": i,
        "state": "open" if i == 3 else "closed",
        "title": f"v{i}.0",
        "description": f"Release {i}.0",
        "creator": creator,
        "open_issues": 3 * i,
        "closed_issues": 10 * i,
        "created_at": _ts(start + timedelta(days=30 * (i - 1))),
        "updated_at": _ts(start + timedelta(days=30 * i)),
        "closed_at": None if i == 3 else _ts(start + timedelta(days=30 * i + 60)),
        "due_on": _ts(start + timedelta(days=30 * i + 60)),
    }


def _title_and_branch(
    rng: random.Random,
    plan: _PrPlan,
    plans: list[_PrPlan],
    idx: int,
    jira_key: str,
    titles: dict[int, str],
) -> tuple[str, str, str | None]:
    """Pick title, head branch and an optional body prefix."""
    w1, w2 = rng.choice(WORDS), rng.choice(WORDS)
    title = f"{rng.choice(VERBS)} {w1} {w2}"
    branch = f"{rng.choice(['feature', 'fix', 'chore', 'refactor'])}/{w1}-{w2}"
    body_extra: str | None = None
    r = rng.random()
    special = plan.special
    if special == "revert" or (special is None and r < 0.03 and idx > 0):
        target = plans[rng.randrange(max(idx, 1))].number if idx else plan.number
        title = f'Revert "{titles.get(target, "Add billing cache")}"'
        branch = f"revert-{target}-{branch.split('/', 1)[1]}"
        body_extra = f"Reverts {{repo}}#{target}"
    elif special == "hotfix" or (special is None and r < 0.07):
        title = f"hotfix: {title.lower()}"
        branch = f"hotfix/{w1}-{w2}"
    elif special == "jira_branch" or (special is None and r < 0.30):
        key = f"{jira_key}-{rng.randrange(1, 900)}"
        if special == "jira_branch" or rng.random() < 0.5:
            branch = f"feature/{key}-{w1}"
        else:
            title = f"{key}: {title}"
    if special == "weird_text":
        title = f"{EMOJI_TEXT} {QUOTES_TEXT} {SQL_TEXT}"
    elif special == "nul_text":
        title = f"Handle {NUL_TEXT} in {w1}"
    elif special == "long_title":
        title = ("Very long title " + " ".join(rng.choice(WORDS) for _ in range(120)))[:640]
    return title, branch, body_extra


def _build_pr(
    gen: GeneratedRepo,
    plan: _PrPlan,
    idx: int,
    plans: list[_PrPlan],
    seed: int,
    full_name: str,
    humans: list[Person],
    bots: dict[str, Person],
    labels: list[JsonDict],
    milestones: list[JsonDict],
    owner_simple: JsonDict,
    end: datetime,
    jira_key: str,
    contributions: dict[str, int],
) -> None:
    rng = _rng(seed, full_name, "pr", plan.number)
    n = plan.number
    titles = {p["number"]: p["title"] for p in gen.pulls[-40:]}
    title, branch, body_extra = _title_and_branch(rng, plan, plans, idx, jira_key, titles)

    # Author: mostly humans (a few very active), some bots, rarely a deleted account.
    author: Person | None
    if plan.special == "deleted_user" or (plan.special is None and rng.random() < 0.02):
        author = None
    elif plan.special == "bot_dependabot" or (plan.special is None and rng.random() < 0.06):
        author = bots["dependabot[bot]"]
        dep = rng.choice(["requests", "pyarrow", "eslint", "react", "lodash"])
        title = f"Bump {dep} from 1.{rng.randrange(9)}.0 to 1.{rng.randrange(9, 20)}.1"
        branch = f"dependabot/pip/{dep}-1.{rng.randrange(9, 20)}.1"
    else:
        author = humans[
            min(int(rng.paretovariate(1.2)) - 1, len(humans) - 1)
            if rng.random() < 0.6
            else rng.randrange(len(humans))
        ]

    created = plan.created
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    if plan.state != "open":
        closed_at = min(
            created + timedelta(hours=rng.lognormvariate(math.log(20), 1.3)), end - timedelta(minutes=5)
        )
        closed_at = max(closed_at, created + timedelta(minutes=3))
        merged_at = closed_at if plan.state == "merged" else None
    last_activity = closed_at or min(created + timedelta(hours=rng.lognormvariate(math.log(30), 1.2)), end)
    updated = max(last_activity, created)

    # Body with the signals the transform looks for.
    body_parts: list[str] = []
    if body_extra:
        body_parts.append(body_extra.replace("{repo}", full_name))
    if rng.random() < 0.75:
        body_parts.append(f"This PR changes the {rng.choice(WORDS)} module.\n\n- step one\n- step two")
    if plan.special == "ai_body" or (plan.special is None and rng.random() < 0.15):
        body_parts.append(AI_POSITIVE[rng.randrange(len(AI_POSITIVE))])
    elif plan.special == "no_ai_body" or (plan.special is None and rng.random() < 0.05):
        body_parts.append(AI_NEGATIVE[rng.randrange(len(AI_NEGATIVE))])
    if plan.special == "weird_text":
        body_parts.append(f"{SQL_TEXT}\n{QUOTES_TEXT}\n{EMOJI_TEXT}\n{NUL_TEXT}")
    if plan.special == "nul_text":
        body_parts.append(f"binary-ish {NUL_TEXT} body")
    body: str | None = "\n\n".join(body_parts) if body_parts else None

    # Commits.
    sha_list = [_sha(seed, full_name, n, "c", k) for k in range(plan.n_commits)]
    head_sha = sha_list[-1]
    base_sha = _sha(seed, full_name, n, "base")
    commit_list: list[JsonDict] = []
    first_time = created - timedelta(hours=rng.uniform(0.2, 48))
    commit_span = max((last_activity - first_time).total_seconds(), 60.0)
    co_authored = plan.special == "claude_trailer" or rng.random() < 0.10
    for k, sha in enumerate(sha_list):
        crng = _rng(seed, full_name, n, "commit", k)
        at = first_time + timedelta(seconds=commit_span * k / max(plan.n_commits, 1) + crng.uniform(0, 30))
        msg = f"{rng.choice(VERBS)} {crng.choice(WORDS)} {crng.choice(WORDS)}"
        if plan.special == "weird_text" and k == 0:
            msg = f"{EMOJI_TEXT}\n\n{SQL_TEXT}\n{QUOTES_TEXT}"
        if plan.special == "nul_text" and k == 0:
            msg = f"message with {NUL_TEXT}"
        if co_authored and k == plan.n_commits - 1:
            msg += f"\n\n{CLAUDE_TRAILER}"
        committer_user: Person | None = author
        if author is None:
            c_name, c_email, c_user = "Former Member", "former.member@example.com", None
        elif crng.random() < 0.04:
            # Commits from an email not linked to any account: author is null.
            c_name, c_email, c_user = author.name, f"{author.login}@laptop.local", None
        else:
            c_name, c_email, c_user = author.name, author.commit_email, author.simple
        if c_user is not None:
            contributions[author.login] = contributions.get(author.login, 0) + 1  # type: ignore[union-attr]
        commit_list.append(
            _commit_item(
                full_name,
                sha,
                c_name,
                c_email,
                at,
                msg,
                c_user,
                committer_user,
                sha_list[k - 1] if k else base_sha,
            )
        )

    # Files.
    files = _files(rng, seed, full_name, n, plan, head_sha)
    pr_add = sum(f["additions"] for f in files)
    pr_del = sum(f["deletions"] for f in files)

    # Per-commit detail: files split across commits.
    buckets: list[list[JsonDict]] = [[] for _ in sha_list]
    for fi, f in enumerate(files):
        buckets[fi % len(sha_list) if len(files) > 200 else rng.randrange(len(sha_list))].append(f)
    for k, sha in enumerate(sha_list):
        cfiles = []
        for f in buckets[k]:
            cf = {
                key: f[key]
                for key in (
                    "sha",
                    "filename",
                    "status",
                    "additions",
                    "deletions",
                    "changes",
                    "blob_url",
                    "raw_url",
                    "contents_url",
                )
            }
            cf["blob_url"] = f"{WEB}/{full_name}/blob/{sha}/{f['filename']}"
            cf["raw_url"] = f"{WEB}/{full_name}/raw/{sha}/{f['filename']}"
            cf["contents_url"] = f"{API}/repos/{full_name}/contents/{f['filename']}?ref={sha}"
            if "patch" in f:
                cf["patch"] = f["patch"]
            if "previous_filename" in f:
                cf["previous_filename"] = f["previous_filename"]
            cfiles.append(cf)
        ca, cd = sum(f["additions"] for f in cfiles), sum(f["deletions"] for f in cfiles)
        detail = dict(commit_list[k])
        detail["stats"] = {"additions": ca, "deletions": cd, "total": ca + cd}
        detail["files"] = cfiles
        gen.commit_detail[sha] = detail

    # Reviews.
    reviews = _reviews(
        rng, seed, full_name, n, plan, author, humans, bots, sha_list, created, last_activity, end
    )

    # Check runs on the head commit.
    gen.check_runs[head_sha] = _check_runs(rng, seed, full_name, n, plan, head_sha, last_activity, end)

    # Labels, milestone, assignees, reviewers.
    pr_labels = rng.sample(labels, k=min(len(labels), _lognorm_int(rng, 0.6, 1.0, 0, 3)))
    if author is not None and author.login == "dependabot[bot]":
        pr_labels = [labels[3]]
    milestone = rng.choice(milestones) if rng.random() < 0.2 else None
    assignees = [p.simple for p in rng.sample(humans, k=rng.choice([0, 0, 0, 1, 1, 2]))]
    requested = (
        [p.simple for p in rng.sample(humans, k=rng.choice([0, 1, 2]))] if plan.state == "open" else []
    )
    is_bot = author is not None and author.type == "Bot"
    assoc = (
        "NONE"
        if author is None
        else ("CONTRIBUTOR" if is_bot else rng.choice(["MEMBER", "MEMBER", "COLLABORATOR"]))
    )

    u = f"{API}/repos/{full_name}"
    pr_id = 2_000_000_000 + int.from_bytes(_h(seed, full_name, "prid", n)[:3], "big") * 64 + n % 64
    owner_login = full_name.split("/", 1)[0]
    head = {
        "label": f"{owner_login}:{branch}",
        "ref": branch,
        "sha": head_sha,
        "user": owner_simple,
        "repo": gen.repo,
    }
    base = {
        "label": f"{owner_login}:main",
        "ref": "main",
        "sha": base_sha,
        "user": owner_simple,
        "repo": gen.repo,
    }
    links = {
        k: {"href": v}
        for k, v in [
            ("self", f"{u}/pulls/{n}"),
            ("html", f"{WEB}/{full_name}/pull/{n}"),
            ("issue", f"{u}/issues/{n}"),
            ("comments", f"{u}/issues/{n}/comments"),
            ("review_comments", f"{u}/pulls/{n}/comments"),
            ("review_comment", f"{u}/pulls/comments{{/number}}"),
            ("commits", f"{u}/pulls/{n}/commits"),
            ("statuses", f"{u}/statuses/{head_sha}"),
        ]
    }
    draft = plan.state == "open" and rng.random() < 0.3
    pr: JsonDict = {
        "url": f"{u}/pulls/{n}",
        "id": pr_id,
        "node_id": _node_id("PullRequest", pr_id),
        "html_url": f"{WEB}/{full_name}/pull/{n}",
        "diff_url": f"{WEB}/{full_name}/pull/{n}.diff",
        "patch_url": f"{WEB}/{full_name}/pull/{n}.patch",
        "issue_url": f"{u}/issues/{n}",
        "commits_url": f"{u}/pulls/{n}/commits",
        "review_comments_url": f"{u}/pulls/{n}/comments",
        "review_comment_url": f"{u}/pulls/comments{{/number}}",
        "comments_url": f"{u}/issues/{n}/comments",
        "statuses_url": f"{u}/statuses/{head_sha}",
        "number": n,
        "state": "open" if plan.state == "open" else "closed",
        "locked": False,
        "title": title,
        "user": author.simple if author else None,
        "body": body,
        "labels": pr_labels,
        "milestone": milestone,
        "active_lock_reason": None,
        "created_at": _ts(created),
        "updated_at": _ts(updated),
        "closed_at": _ts(closed_at) if closed_at else None,
        "merged_at": _ts(merged_at) if merged_at else None,
        "merge_commit_sha": _sha(seed, full_name, n, "merge"),
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "requested_reviewers": requested,
        "requested_teams": [],
        "head": head,
        "base": base,
        "_links": links,
        "author_association": assoc,
        "auto_merge": None,
        "draft": draft,
    }
    merger = rng.choice(humans[:8]).simple if merged_at else None
    detail = dict(pr)
    detail.update(
        {
            "merged": merged_at is not None,
            "mergeable": None if plan.state != "open" else True,
            "rebaseable": None if plan.state != "open" else True,
            "mergeable_state": "unknown" if plan.state != "open" else ("draft" if draft else "clean"),
            "merged_by": merger,
            "comments": rng.randrange(0, 6),
            "review_comments": rng.randrange(0, 8),
            "maintainer_can_modify": False,
            "commits": plan.n_commits,
            "additions": pr_add,
            "deletions": pr_del,
            "changed_files": len(files),
        }
    )
    gen.pulls.append(pr)
    gen.pull_details[n] = detail
    gen.commits[n] = commit_list
    gen.files[n] = files
    gen.reviews[n] = reviews


def _commit_item(
    full_name: str,
    sha: str,
    name: str,
    email: str,
    at: datetime,
    msg: str,
    user: JsonDict | None,
    committer: Person | None,
    parent: str,
) -> JsonDict:
    u = f"{API}/repos/{full_name}"
    when = _ts(at)
    committed = _ts(at + timedelta(seconds=7))
    return {
        "url": f"{u}/commits/{sha}",
        "sha": sha,
        "node_id": _node_id("Commit", int(sha[:8], 16)),
        "html_url": f"{WEB}/{full_name}/commit/{sha}",
        "comments_url": f"{u}/commits/{sha}/comments",
        "commit": {
            "url": f"{u}/git/commits/{sha}",
            "author": {"name": name, "email": email, "date": when},
            "committer": {
                "name": name if user else "GitHub",
                "email": email if user else "noreply@github.com",
                "date": committed,
            },
            "message": msg,
            "tree": {"url": f"{u}/git/trees/{sha[::-1]}", "sha": sha[::-1]},
            "comment_count": 0,
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "author": user,
        "committer": committer.simple if (committer and user) else None,
        "parents": [
            {"url": f"{u}/commits/{parent}", "html_url": f"{WEB}/{full_name}/commit/{parent}", "sha": parent}
        ],
    }


def _files(
    rng: random.Random,
    seed: int,
    full_name: str,
    n: int,
    plan: _PrPlan,
    head_sha: str,
) -> list[JsonDict]:
    files: list[JsonDict] = []
    seen: set[str] = set()
    renames_forced = plan.special == "renames"
    for k in range(plan.n_files):
        d = DIRS[(k * 7 + n) % len(DIRS)] if plan.n_files > 60 else rng.choice(DIRS)
        fname = f"{d}/{rng.choice(WORDS)}_{k if plan.n_files > 60 else rng.randrange(50)}{rng.choice(EXTS)}"
        if fname in seen:
            fname = fname.replace("/", f"/x{k}_", 1)
        seen.add(fname)
        r = rng.random()
        if renames_forced and k < 3:
            status = ["renamed", "removed", "added"][k]
        else:
            status = "modified" if r < 0.72 else "added" if r < 0.88 else "removed" if r < 0.94 else "renamed"
        adds = _lognorm_int(rng, 12, 1.3, 0, 4000)
        dels = _lognorm_int(rng, 5, 1.3, 0, 2000)
        if status == "added":
            dels = 0
            adds = max(adds, 1)
        elif status == "removed":
            adds = 0
            dels = max(dels, 1)
        elif status == "renamed" and rng.random() < 0.5:
            adds = dels = 0
        fsha = _sha(seed, full_name, n, "file", k)
        f: JsonDict = {
            "sha": fsha,
            "filename": fname,
            "status": status,
            "additions": adds,
            "deletions": dels,
            "changes": adds + dels,
            "blob_url": f"{WEB}/{full_name}/blob/{head_sha}/{fname}",
            "raw_url": f"{WEB}/{full_name}/raw/{head_sha}/{fname}",
            "contents_url": f"{API}/repos/{full_name}/contents/{fname}?ref={head_sha}",
        }
        if adds + dels and adds + dels < 2000:
            f["patch"] = f"@@ -1,{dels} +1,{adds} @@\n-old line\n+new line"
        if status == "renamed":
            f["previous_filename"] = fname.replace(d, "legacy", 1)
        files.append(f)
    return files


def _reviews(
    rng: random.Random,
    seed: int,
    full_name: str,
    n: int,
    plan: _PrPlan,
    author: Person | None,
    humans: list[Person],
    bots: dict[str, Person],
    shas: list[str],
    created: datetime,
    last: datetime,
    end: datetime,
) -> list[JsonDict]:
    out: list[JsonDict] = []
    cands = [p for p in humans if author is None or p.login != author.login]
    k = _lognorm_int(rng, 1.5, 0.8, 0, 6)
    if plan.state == "merged":
        k = max(k, 1)
    reviewers: list[tuple[Person | None, str]] = []
    for _ in range(k):
        r = rng.random()
        state = (
            "APPROVED"
            if r < 0.55
            else "COMMENTED"
            if r < 0.80
            else "CHANGES_REQUESTED"
            if r < 0.93
            else "DISMISSED"
        )
        reviewers.append((rng.choice(cands), state))
    if rng.random() < 0.25:
        reviewers.insert(
            0, (bots[rng.choice(["coderabbitai[bot]", "copilot-pull-request-reviewer[bot]"])], "COMMENTED")
        )
    if rng.random() < 0.02:
        reviewers.append((None, "COMMENTED"))  # a reviewer whose account was deleted
    if plan.state == "open" and rng.random() < 0.1:
        reviewers.append((rng.choice(cands), "PENDING"))
    span = max((last - created).total_seconds(), 120.0)
    for j, (person, state) in enumerate(reviewers):
        rid = 3_000_000_000 + int.from_bytes(_h(seed, full_name, "review", n)[:3], "big") * 16 + j
        at = created + timedelta(seconds=span * (j + 1) / (len(reviewers) + 1))
        u = f"{WEB}/{full_name}/pull/{n}#pullrequestreview-{rid}"
        body = (
            ""
            if state == "APPROVED" and rng.random() < 0.6
            else rng.choice(
                [
                    "LGTM",
                    "Looks good, one nit.",
                    "Please add tests.",
                    "Can we split this?",
                    "**Summary by CodeRabbit** ✨",
                ]
            )
        )
        out.append(
            {
                "id": rid,
                "node_id": _node_id("PullRequestReview", rid),
                "user": person.simple if person else None,
                "body": body,
                "state": state,
                "html_url": u,
                "pull_request_url": f"{API}/repos/{full_name}/pulls/{n}",
                "_links": {
                    "html": {"href": u},
                    "pull_request": {"href": f"{API}/repos/{full_name}/pulls/{n}"},
                },
                "submitted_at": None if state == "PENDING" else _ts(min(at, end)),
                "commit_id": shas[min(len(shas) - 1, int(len(shas) * (j + 1) / (len(reviewers) + 1)))],
                "author_association": (
                    "NONE" if person is None else "CONTRIBUTOR" if person.type == "Bot" else "MEMBER"
                ),
            }
        )
    return out


GITHUB_ACTIONS_APP: JsonDict = {
    "id": 15368,
    "slug": "github-actions",
    "node_id": "MDM6QXBwMTUzNjg=",
    "owner": {**user_simple("github", 9919, "Organization"), "html_url": f"{WEB}/github"},
    "name": "GitHub Actions",
    "description": "Automate your workflow from idea to production",
    "external_url": "https://help.github.com/en/actions",
    "html_url": f"{WEB}/apps/github-actions",
    "created_at": "2018-07-30T09:30:17Z",
    "updated_at": "2024-04-10T20:33:16Z",
    "permissions": {
        "actions": "write",
        "checks": "write",
        "contents": "write",
        "metadata": "read",
        "pull_requests": "write",
    },
    "events": ["check_run", "check_suite", "pull_request", "push"],
}


def _check_runs(
    rng: random.Random,
    seed: int,
    full_name: str,
    n: int,
    plan: _PrPlan,
    head_sha: str,
    last: datetime,
    end: datetime,
) -> list[JsonDict]:
    runs: list[JsonDict] = []
    names = CHECK_NAMES[: _lognorm_int(rng, 4, 0.5, 0, len(CHECK_NAMES))]
    suite = 8_000_000_000 + int.from_bytes(_h(seed, full_name, "suite", n)[:3], "big")
    for j, name in enumerate(names):
        rid = 20_000_000_000 + int.from_bytes(_h(seed, full_name, "run", n)[:3], "big") * 16 + j
        started = min(last - timedelta(minutes=rng.uniform(5, 60)), end)
        r = rng.random()
        if plan.state == "open" and r < 0.15:
            status, conclusion, completed = "in_progress", None, None
        else:
            status = "completed"
            conclusion = (
                "success" if r < 0.78 else "failure" if r < 0.9 else "skipped" if r < 0.96 else "cancelled"
            )
            completed = _ts(started + timedelta(seconds=rng.uniform(20, 900)))
        u = f"{API}/repos/{full_name}/check-runs/{rid}"
        runs.append(
            {
                "id": rid,
                "name": name,
                "node_id": _node_id("CheckRun", rid),
                "head_sha": head_sha,
                "external_id": "",
                "url": u,
                "html_url": f"{WEB}/{full_name}/actions/runs/{rid}",
                "details_url": f"{WEB}/{full_name}/actions/runs/{rid}",
                "status": status,
                "conclusion": conclusion,
                "started_at": _ts(started),
                "completed_at": completed,
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
                        "url": f"{API}/repos/{full_name}/pulls/{n}",
                        "id": n,
                        "number": n,
                        "head": {
                            "ref": "head",
                            "sha": head_sha,
                            "repo": {
                                "id": 1,
                                "url": f"{API}/repos/{full_name}",
                                "name": full_name.split("/")[1],
                            },
                        },
                        "base": {
                            "ref": "main",
                            "sha": head_sha[::-1],
                            "repo": {
                                "id": 1,
                                "url": f"{API}/repos/{full_name}",
                                "name": full_name.split("/")[1],
                            },
                        },
                    }
                ]
                if plan.state == "open"
                else [],
            }
        )
    return runs


# -- comments ---------------------------------------------------------------------------------
#
# Review comments (GET /pulls/{n}/comments) and conversation comments (GET /issues/{n}/comments).
# Each PR's comments come from their own streams, keyed ("review-comments", n) and
# ("issue-comments", n), drawn after everything else: adding them changed no other value. Their
# numbers are the PR detail's `review_comments` and `comments` counts, as on GitHub. Shapes follow
# GitHub's REST reference ("List review comments on a pull request", "List issue comments"):
#   * a review comment belongs to a submitted review of its PR (`pull_request_review_id`) and is
#     written by that review's author; a PR without a submitted review has comments with a null
#     `pull_request_review_id` (the schema allows it; GitHub shows it for pre-review comments);
#   * replies carry `in_reply_to_id` = the thread's first comment (roots have no such key) and
#     come from a later review;
#   * `original_commit_id` is the commit reviewed; `commit_id` the PR head for comments still on
#     the diff. An outdated comment has `line` and `position` null (GitHub's answer, although the
#     OpenAPI schema types them as integers) and `commit_id` = `original_commit_id`;
#   * a file-level comment (`subject_type` "file") has `line`/`original_line` null;
#   * ids ascend with creation time within a PR; lists are ascending by id (GitHub's default).

REVIEW_BODIES = [
    "nit: could this name say what it holds?",
    "Can we add a test for this branch?",
    "This can be `None` here; please guard it.",
    "Why not reuse the existing helper?",
    "```suggestion\n    return cache.get(key)\n```",
    "O(n²) here: a dict lookup would make it O(n).",
    "Ce nom est trompeur — peut-être `fetch_all` ?",
    "この処理はループの外に出せますか？",
    "Потенциальная утечка памяти здесь.",
    "Typo: “recieve” → “receive”.",
    "Magic number: please move 300 to a named constant.",
    "Is this covered by the integration tests?",
]
REPLY_BODIES = [
    "Done.",
    "Fixed in the latest push.",
    "Good catch, thanks!",
    "Agreed 👍",
    "Addressed ✅",
    "I'd keep it: the caller already checks this.",
    "Hmm, not sure — let's discuss on Monday.",
]
BOT_REVIEW_BODIES = [
    "_⚠️ Potential issue_\n\n**Unchecked return value.** The result is ignored on the error path.",
    "_🛠️ Refactor suggestion_\n\nExtract this block into a function to reduce nesting.",
    "**nitpick:** trailing whitespace.",
]
ISSUE_BODIES = [
    "Thanks for the PR!",
    "LGTM 🚀",
    "Could you rebase on main?",
    "/retest",
    "Is this ready for review?",
    "Merging, thanks! 🎉",
    "Ça marche chez moi ✅",
    "CI is flaky again 😩",
    "ありがとうございます！確認します。",
    "Any update on this one?",
]
AUTHOR_BODIES = ["Updated, PTAL.", "Rebased on main.", "Thanks for the review!", "Should be good now 🙏"]


def _parse_ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _comment_ids(seed: int, full_name: str, kind: str, n: int) -> int:
    """First id of a PR's block of 512 comment ids (review and issue comments apart).

    Ids pass 2^31 like GitHub's, differ between repositories (a hash picks one of 128 blocks of
    2^25) and ascend with the PR number, for PR numbers below 65,536.
    """
    base = 1_500_000_000 if kind == "review" else 2_400_000_000
    repo_block = int.from_bytes(_h(seed, full_name, "comment-ids", kind)[:2], "big") % 128
    return base + (repo_block << 25) + n * 512


def _reactions(rng: random.Random, url: str) -> JsonDict:
    counts = {k: (rng.randrange(1, 4) if rng.random() < 0.08 else 0) for k in ("+1", "heart", "rocket")}
    return {
        "url": f"{url}/reactions",
        "total_count": sum(counts.values()),
        "+1": counts["+1"],
        "-1": 0,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": counts["heart"],
        "rocket": counts["rocket"],
        "eyes": 0,
    }


def _association(user: JsonDict | None, pr: JsonDict) -> str:
    """author_association of a comment's author: the PR's for its author, else like reviews."""
    if user is None:
        return "NONE"
    if pr["user"] is not None and user["login"] == pr["user"]["login"]:
        return str(pr["author_association"])
    return "CONTRIBUTOR" if user["type"] == "Bot" else "MEMBER"


def _code_line(rng: random.Random, i: int) -> str:
    w1, w2 = rng.choice(WORDS), rng.choice(WORDS)
    r = rng.random()
    if r < 0.08:
        return f"    # {w1}: ユーザー名を確認する ({i})"
    if r < 0.14:
        return f'    log.info("{w1} prêt — ✓")'
    return f"    {w1}_{i} = {w2}.get({i})"


def _diff_hunk(rng: random.Random, side: str, line: int, extent: int) -> tuple[str, int]:
    """A diff hunk that ends at the commented line, and that line's position in it (1-based)."""
    shown = min(line, 1 + rng.randrange(0, 8))
    start = line - shown + 1
    other = max(1, start + rng.randrange(-3, 4))
    total = shown + rng.randrange(0, 6)
    mark = "+" if side == "RIGHT" else "-"
    old_start, new_start = (other, start) if side == "RIGHT" else (start, other)
    old_len = total - (extent if side == "RIGHT" else 0)
    new_len = total - (extent if side == "LEFT" else 0)
    header = f"@@ -{old_start},{max(old_len, 0)} +{new_start},{max(new_len, 0)} @@ def {rng.choice(WORDS)}():"
    body = [
        (mark if k >= shown - min(extent, shown) else " ") + _code_line(rng, start + k) for k in range(shown)
    ]
    return "\n".join([header, *body]), shown


@dataclass
class _CommentPlan:
    created: datetime
    seq: int
    user: JsonDict | None
    assoc: str
    body: str
    review: JsonDict | None
    review_idx: int
    root: _CommentPlan | None = None
    where: JsonDict = field(default_factory=dict)
    edited: datetime | None = None


def _review_locations(rng: random.Random, gen: GeneratedRepo, n: int, original: str) -> JsonDict:
    """Where a thread's first comment points: path, lines, side, hunk, positions, commits."""
    head = gen.pull_details[n]["head"]["sha"]
    files = gen.files[n]
    if not files:
        # The diff has no files any more: the comment sat on a file of an earlier push.
        path = f"{rng.choice(DIRS)}/{rng.choice(WORDS)}.py"
        f: JsonDict = {"filename": path, "additions": 3, "deletions": 1, "patch": "x"}
        outdated = True
    else:
        f = files[rng.randrange(len(files))]
        outdated = original != head and rng.random() < 0.2
    adds, dels = int(f["additions"]), int(f["deletions"])
    if "patch" not in f or (adds == 0 and dels == 0) or rng.random() < 0.02:
        hunk = f["patch"].split("\n", 1)[0] if "patch" in f else ""
        return {
            "path": f["filename"],
            "diff_hunk": hunk,
            "position": None,
            "original_position": 1,
            "commit_id": original if outdated else head,
            "original_commit_id": original,
            "start_line": None,
            "original_start_line": None,
            "start_side": None,
            "line": None,
            "original_line": None,
            "side": "RIGHT",
            "subject_type": "file",
        }
    side = "RIGHT" if adds > 0 and (dels == 0 or rng.random() < 0.85) else "LEFT"
    line = rng.randrange(1, 300) + rng.randrange(max(min(adds if side == "RIGHT" else dels, 40), 1))
    extent = 1 + (rng.randrange(1, 6) if rng.random() < 0.12 else 0)
    extent = min(extent, line)
    hunk, position = _diff_hunk(rng, side, line, extent)
    start = line - extent + 1 if extent > 1 else None
    return {
        "path": f["filename"],
        "diff_hunk": hunk,
        "position": None if outdated else position,
        "original_position": position,
        "commit_id": original if outdated else head,
        "original_commit_id": original,
        "start_line": None if outdated else start,
        "original_start_line": start,
        "start_side": side if start is not None else None,
        "line": None if outdated else line,
        "original_line": line,
        "side": side,
        "subject_type": "line",
    }


def review_comment_object(
    full_name: str, n: int, cid: int, plan: _CommentPlan, rng: random.Random
) -> JsonDict:
    """A review comment in GitHub's REST shape (key order as GitHub's example)."""
    u = f"{API}/repos/{full_name}/pulls/comments/{cid}"
    html = f"{WEB}/{full_name}/pull/{n}#discussion_r{cid}"
    pr_url = f"{API}/repos/{full_name}/pulls/{n}"
    w = plan.where
    out: JsonDict = {
        "url": u,
        "pull_request_review_id": plan.review["id"] if plan.review else None,
        "id": cid,
        "node_id": _node_id("PullRequestReviewComment", cid),
        "diff_hunk": w["diff_hunk"],
        "path": w["path"],
        "position": w["position"],
        "original_position": w["original_position"],
        "commit_id": w["commit_id"],
        "original_commit_id": w["original_commit_id"],
    }
    if plan.root is not None:
        out["in_reply_to_id"] = plan.root.where["id"]
    out.update(
        {
            "user": plan.user,
            "body": plan.body,
            "created_at": _ts(plan.created),
            "updated_at": _ts(plan.edited or plan.created),
            "html_url": html,
            "pull_request_url": pr_url,
            "author_association": plan.assoc,
            "_links": {"self": {"href": u}, "html": {"href": html}, "pull_request": {"href": pr_url}},
            "reactions": _reactions(rng, u),
            "start_line": w["start_line"],
            "original_start_line": w["original_start_line"],
            "start_side": w["start_side"],
            "line": w["line"],
            "original_line": w["original_line"],
            "side": w["side"],
            "subject_type": w["subject_type"],
        }
    )
    return out


def issue_comment_object(
    full_name: str,
    n: int,
    cid: int,
    user: JsonDict | None,
    assoc: str,
    body: str,
    created: datetime,
    updated: datetime,
    rng: random.Random,
) -> JsonDict:
    """A conversation (issue) comment in GitHub's REST shape."""
    u = f"{API}/repos/{full_name}/issues/comments/{cid}"
    return {
        "url": u,
        "html_url": f"{WEB}/{full_name}/pull/{n}#issuecomment-{cid}",
        "issue_url": f"{API}/repos/{full_name}/issues/{n}",
        "id": cid,
        "node_id": _node_id("IssueComment", cid),
        "user": user,
        "created_at": _ts(created),
        "updated_at": _ts(updated),
        "author_association": assoc,
        "body": body,
        "reactions": _reactions(rng, u),
        "performed_via_github_app": None,
    }


def _special_body(gen: GeneratedRepo, n: int, j: int, body: str) -> str:
    if j == 0 and gen.edge_cases.get("weird_text") == n:
        return f"{EMOJI_TEXT}\n{QUOTES_TEXT}\n{SQL_TEXT}"
    if j == 0 and gen.edge_cases.get("nul_text") == n:
        return f"comment with {NUL_TEXT}"
    return body


def _review_comments(gen: GeneratedRepo, n: int, count: int) -> list[JsonDict]:
    """PR n's `count` review comments, ascending by id (see the section comment)."""
    assert gen.context is not None
    d = gen.pull_details[n]
    rng = _rng(gen.seed, gen.full_name, "review-comments", n)
    created, updated = _parse_ts(d["created_at"]), _parse_ts(d["updated_at"])
    reviews = [r for r in gen.reviews[n] if r["state"] != "PENDING" and r["submitted_at"]]
    times = [_parse_ts(r["submitted_at"]) for r in reviews]
    author_login = d["user"]["login"] if d["user"] else None
    others = [p for p in gen.context.humans if p.login != author_login]
    first_sha = gen.commits[n][0]["sha"] if gen.commits[n] else d["head"]["sha"]
    plans: list[_CommentPlan] = []
    roots: list[_CommentPlan] = []
    for j in range(count):
        root: _CommentPlan | None = None
        idx = -1
        review: JsonDict | None = None
        open_threads = [t for t in roots if not reviews or t.review_idx < len(reviews) - 1]
        if open_threads and rng.random() < 0.35:
            root = rng.choice(open_threads)
            if reviews:
                idx = rng.randrange(root.review_idx + 1, len(reviews))
        if root is None and reviews:
            weights = [3 if r["state"] in ("COMMENTED", "CHANGES_REQUESTED") else 1 for r in reviews]
            idx = rng.choices(range(len(reviews)), weights)[0]
        if idx >= 0:
            review = reviews[idx]
            user = review["user"]
            assoc = str(review["author_association"])
            at = times[idx]
        else:
            person = rng.choice(others) if root is None or d["user"] is None else None
            user = person.simple if person else d["user"]
            assoc = _association(user, d)
            at = created + (updated - created) * rng.random()
        is_bot = user is not None and user["type"] == "Bot"
        if root is None:
            lo = created if idx < 0 else max(created, at - timedelta(minutes=30))
            when = lo + (at - lo) * rng.random() if idx >= 0 else at
            body = rng.choice(BOT_REVIEW_BODIES if is_bot else REVIEW_BODIES)
        else:
            when = root.created + max(at - root.created, timedelta(seconds=2)) * (0.5 + rng.random() / 2)
            body = rng.choice(REPLY_BODIES)
        when = min(max(when, created), updated)
        if root is not None:
            when = max(when, root.created)
        plan = _CommentPlan(when, j, user, assoc, _special_body(gen, n, j, body), review, idx, root)
        if root is None:
            original = review["commit_id"] if review else rng.choice([first_sha, d["head"]["sha"]])
            plan.where = _review_locations(rng, gen, n, original)
            roots.append(plan)
        else:
            plan.where = dict(root.where)
        if rng.random() < 0.1:
            plan.edited = min(when + timedelta(minutes=rng.uniform(1, 600)), updated)
            plan.edited = max(plan.edited, when)
        plans.append(plan)
    plans.sort(key=lambda p: (p.created, p.seq))
    base = _comment_ids(gen.seed, gen.full_name, "review", n)
    out: list[JsonDict] = []
    for k, plan in enumerate(plans):
        if plan.root is None:
            plan.where = {**plan.where, "id": base + k}
    for k, plan in enumerate(plans):
        out.append(review_comment_object(gen.full_name, n, base + k, plan, rng))
    return out


def _issue_comments(gen: GeneratedRepo, n: int, count: int) -> list[JsonDict]:
    """PR n's `count` conversation comments, ascending by id (see the section comment)."""
    assert gen.context is not None
    d = gen.pull_details[n]
    rng = _rng(gen.seed, gen.full_name, "issue-comments", n)
    created, updated = _parse_ts(d["created_at"]), _parse_ts(d["updated_at"])
    times = sorted(created + (updated - created) * rng.random() for _ in range(count))
    reviewers = [r["user"] for r in gen.reviews[n] if r["user"] is not None]
    humans = gen.context.humans
    bots = gen.context.bots
    author = d["user"]
    base = _comment_ids(gen.seed, gen.full_name, "issue", n)
    out: list[JsonDict] = []
    for j, at in enumerate(times):
        r = rng.random()
        user: JsonDict | None
        if r < 0.02:
            user, body = None, rng.choice(ISSUE_BODIES)
        elif r < 0.12:
            path = gen.files[n][0]["filename"] if gen.files[n] else "src/core/app.py"
            pct = rng.uniform(70, 99)
            user = bots["github-actions[bot]"].simple
            body = (
                "## Coverage report\n\n| File | Coverage |\n| --- | --- |\n"
                f"| `{path}` | {pct:.1f} % |\n\nTotal: **{pct - 3:.1f} %** 📈"
            )
        elif r < 0.17:
            user = bots["coderabbitai[bot]"].simple
            body = (
                "<!-- This is an auto-generated comment: summarize by coderabbit.ai -->\n"
                f"## Walkthrough\n\nThe change touches the {rng.choice(WORDS)} module. ✨"
            )
        elif r < 0.45 and author is not None:
            user = author
            body = rng.choice(AUTHOR_BODIES)
        elif r < 0.7 and reviewers:
            user = rng.choice(reviewers)
            body = rng.choice(ISSUE_BODIES)
        else:
            user = rng.choice(humans).simple
            body = rng.choice(ISSUE_BODIES)
            if author is not None and author["type"] == "User" and rng.random() < 0.3:
                body = f"@{author['login']} {body}"
        if author is not None and author["login"] == "dependabot[bot]" and j == 0:
            user, body = rng.choice(humans).simple, "@dependabot rebase"
        edited = at
        if rng.random() < 0.1:
            edited = max(min(at + timedelta(minutes=rng.uniform(1, 900)), updated), at)
        body = _special_body(gen, n, j, body)
        out.append(
            issue_comment_object(
                gen.full_name, n, base + j, user, _association(user, d), body, at, edited, rng
            )
        )
    return out


def add_comments(gen: GeneratedRepo, n: int) -> None:
    """Generate PR `n`'s review and conversation comments (as many as its detail counts)."""
    d = gen.pull_details[n]
    gen.review_comments[n] = _review_comments(gen, n, int(d["review_comments"]))
    gen.issue_comments[n] = _issue_comments(gen, n, int(d["comments"]))


def _plant_many_comments(gen: GeneratedRepo, plans: list[_PrPlan]) -> None:
    """Give three recent merged PRs more than 100 comments (pagination edge cases)."""
    picks = [p for p in plans[-50:] if p.special is None and p.state == "merged"]
    picks.sort(key=lambda p: _h(gen.seed, gen.full_name, "many-comments", p.number))
    for name, plan, review_count, issue_count in zip(
        ("many_review_comments", "many_issue_comments", "many_comments"),
        picks,
        (137, None, 104),
        (None, 112, 101),
        strict=False,
    ):
        d = gen.pull_details[plan.number]
        if review_count is not None:
            d["review_comments"] = review_count
        if issue_count is not None:
            d["comments"] = issue_count
        gen.edge_cases[name] = plan.number
