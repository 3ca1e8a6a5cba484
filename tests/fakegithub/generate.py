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
    gen = GeneratedRepo(full_name=full_name, seed=seed, anchor=anchor, repo=repo_obj, empty=empty)
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
