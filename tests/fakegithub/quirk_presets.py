"""Named quirks for the fake GitHub's command line (``python -m tests.fakegithub --quirk NAME``).

Each preset is one kind of tests/test_extract_github_answers.py, applied to the served
repositories: it adds to a :class:`~tests.fakegithub.quirks.Quirks` and may edit the generated
data (the lone surrogates). ``QUIRK_HELP`` is what ``--help`` and the start-up banner say.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.fakegithub.generate import GeneratedRepo
from tests.fakegithub.quirks import Override, Quirks, chain, pushed_down, updated_between_pages

ABUSE = "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."
TOO_LARGE = (
    "The history or contributor list is too large to list contributors for this repository via the API."
)
DIFF_TIMEOUT = {
    "message": "Server Error: Sorry, this diff is taking too long to generate.",
    "errors": [{"resource": "Commit", "field": "diff", "code": "not_available"}],
    "status": "422",
}

Preset = Callable[[list[GeneratedRepo], Quirks], None]


def old_name(repo: str) -> str:
    """The old name a moved repository answers under: ``owner/old-name``."""
    owner, _, name = repo.partition("/")
    return f"{owner}/old-{name}"


def _moved(status: int, host: str | None = None) -> Preset:
    def apply(repos: list[GeneratedRepo], quirks: Quirks) -> None:
        for r in repos:
            quirks.moved[old_name(r.full_name)] = r.full_name
        quirks.redirect_status = status
        quirks.redirect_host = host

    return apply


def _refusals(repos: list[GeneratedRepo], quirks: Quirks) -> None:
    # Paths without the repository's name: they also match after a move (/repositories/ID/...).
    quirks.overrides.append(Override(r"/contributors$", 403, {"message": TOO_LARGE}))
    for r in repos:
        with_commits = [p["number"] for p in r.pulls if r.commits.get(p["number"])]
        if with_commits:
            sha = r.commits[with_commits[0]][0]["sha"]
            quirks.overrides.append(Override(rf"/commits/{sha}$", 422, DIFF_TIMEOUT))
        if r.pulls:
            gone = r.pulls[0]["number"]
            quirks.overrides.append(Override(rf"/pulls/{gone}/files$", 404, {"message": "Not Found"}))


def _limit(status: int, message: str, blocks: float) -> Preset:
    def apply(repos: list[GeneratedRepo], quirks: Quirks) -> None:
        # Once, without retry-after: the token is blocked ``blocks`` seconds (a quiet limit).
        quirks.overrides.append(
            Override(r"/pulls/\d+/files$", status, {"message": message}, times=1, blocks=blocks)
        )

    return apply


def _bad_pages(repos: list[GeneratedRepo], quirks: Quirks) -> None:
    # GitHub cannot build a 100-item page of a big list in time: smaller pages work.
    quirks.overrides.append(Override(r"/pulls$", 502, {"message": "Server Error"}, query=r"per_page=100"))
    quirks.overrides.append(
        Override(r"/pulls/\d+/files$", 502, {"message": "Server Error"}, query=r"per_page=100")
    )


def _moving_lists(repos: list[GeneratedRepo], quirks: Quirks) -> None:
    def in_progress(run: dict[str, Any]) -> dict[str, Any]:
        return {**run, "status": "in_progress", "conclusion": None, "completed_at": None}

    hooks = [updated_between_pages("check-runs", 1, in_progress)]
    first = repos[0]
    if first.pulls:
        # A PR opened while page 1 of the list was read pushes page 2 down by one.
        newcomer = copy.deepcopy(max(first.pulls, key=lambda p: p["created_at"]))
        newcomer["number"] = max(p["number"] for p in first.pulls) + 1
        hooks.insert(0, pushed_down("pulls-list", 2, newcomer))
    quirks.page_caps.update({"pulls-list": 5, "check-runs": 1})
    quirks.list_hook = chain(*hooks)


def _surrogates(repos: list[GeneratedRepo], quirks: Quirks) -> None:
    for r in repos:
        if r.pulls:
            pull = r.pulls[-1]
            pull["title"] = f"{pull['title']} \ud83d"
            if pull["number"] in r.pull_details:
                r.pull_details[pull["number"]]["title"] = pull["title"]
        reviewed = next((k for k, v in r.reviews.items() if v), None)
        if reviewed is not None:
            r.reviews[reviewed][0]["body"] = "LGTM \udc00 ship it"


QUIRK_PRESETS: dict[str, Preset] = {
    "moved": _moved(301),
    "moved-302": _moved(302),
    "moved-307": _moved(307),
    "moved-offsite": _moved(301, "127.0.0.2:9"),
    "refusals": _refusals,
    "abuse-limit": _limit(403, ABUSE, 60.0),
    "limit-429": _limit(429, "Too Many Requests", 60.0),
    "bad-pages": _bad_pages,
    "moving-lists": _moving_lists,
    "surrogates": _surrogates,
}

QUIRK_HELP: dict[str, str] = {
    "moved": "serve each repository also as OWNER/old-NAME, answering 301 to /repositories/ID (a rename)",
    "moved-302": "as moved, with 302",
    "moved-307": "as moved, with 307",
    "moved-offsite": "as moved, but the Location points to another host (a client must not follow it)",
    "refusals": "contributors 403 'too large', one commit 422 'diff taking too long', one PR's files 404",
    "abuse-limit": "one files list answers 403 'abuse detection mechanism' without retry-after; 60 s block",
    "limit-429": "one files list answers 429 'Too Many Requests' without retry-after; 60 s block",
    "bad-pages": "pages of 100 PRs or 100 files answer 502 (smaller pages work)",
    "moving-lists": "PR list pages of 5 with a PR arriving on top after page 1; a check run finishing between pages",
    "surrogates": "a PR title and a review body with lone UTF-16 surrogates (invalid Unicode, legal JSON)",
}


def apply_quirks(names: list[str], repos: list[GeneratedRepo]) -> Quirks:
    """The quirks of the named presets, in order (they may edit ``repos``' data)."""
    quirks = Quirks()
    for name in names:
        QUIRK_PRESETS[name](repos, quirks)
    return quirks
