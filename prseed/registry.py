"""The project registry: ``prseed/projects.toml`` (package data), checked by its JSON Schema."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from prseed.contracts import load_schema, validate
from prseed.errors import ConfigError, ContractError
from prseed.resources import data_file

# GitHub's name rules: an owner is letters, digits and hyphens, starting with a letter or digit (at
# most 39); a repository name is letters, digits, '-', '_' and '.' (at most 100), but not . or ..
_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_NAME = re.compile(r"(?!\.\.?$)[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True)
class Project:
    """One registry entry.

    Attributes:
        key: registry key, e.g. ``polar``; also the snapshot folder name.
        tier: ``first-class``, ``registry`` or ``synthetic``.
        repos: ``owner/name`` of every repository of the project.
        max_prs: PRs kept per repository.
        max_members: contributors whose profiles are fetched (and team size cap).
        days_back: extraction window in days when no ``--since`` is given.
    """

    key: str
    tier: str
    repos: tuple[str, ...]
    team_name: str
    team_slug: str
    max_prs: int
    max_members: int
    days_back: int
    jira_project_key: str
    ai_base_adoption_rate: float
    survey_response_rate: float
    industry: str = ""
    description: str = ""
    synthetic: bool = False

    def manifest_block(self) -> dict[str, Any]:
        """The project block written into a snapshot manifest."""
        block = asdict(self)
        block["repos"] = list(self.repos)
        return block


def registry_path() -> Traversable:
    """Where ``projects.toml`` lives: package data of ``prseed`` (``PRSEED_PROJECTS`` overrides it)."""
    override = os.environ.get("PRSEED_PROJECTS")
    if override:
        return Path(override)
    return data_file("prseed", "projects.toml")


@cache
def load_registry(path: Traversable | None = None) -> dict[str, Project]:
    """Read and validate the registry.

    Returns:
        Projects by key, in file order.
    """
    path = path or registry_path()
    # A registry the user points to is configuration: its every fault is exit 2, naming the variable.
    where = f"PRSEED_PROJECTS={path}" if os.environ.get("PRSEED_PROJECTS") else f"project registry {path}"
    fix = "fix the file or unset PRSEED_PROJECTS" if os.environ.get("PRSEED_PROJECTS") else "reinstall prseed"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{where}: file not found; {fix}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigError(f"{where}: cannot read it ({reason}); {fix}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}; {fix}") from exc
    try:
        validate(data, "projects.schema.json", str(path))
    except ContractError as exc:
        raise ConfigError(f"{where}: {exc}; {fix}") from exc
    return {
        key: Project(key=key, **{**entry, "repos": tuple(entry["repos"])})
        for key, entry in data["projects"].items()
    }


def key_pattern() -> re.Pattern[str]:
    """The registry's key pattern (``projects.schema.json``), which every command's PROJECT must match.

    A key is a folder name under ``snapshots/`` and ``build/``, never a path: no ``/``, no ``.``.
    """
    names = load_schema("projects.schema.json")["properties"]["projects"]["propertyNames"]
    return re.compile(names["pattern"])


def check_key(key: str) -> str:
    """Return ``key`` if it can name a project, else raise a one-line error.

    Raises:
        ConfigError: ``key`` is a path or holds characters a project key cannot (exit 2).
    """
    if not key_pattern().fullmatch(key):
        lower = key.strip().lower()
        hint = f" (did you mean {lower}?)" if lower != key and key_pattern().fullmatch(lower) else ""
        raise ConfigError(
            f"{key!r} is not a project name{hint}: a project is named by its key (lowercase letters, "
            f"digits, '-' and '_', e.g. polar), not a path; `prseed projects` lists them"
        )
    return key


def suggestion(key: str, candidates: Iterable[str]) -> str:
    """A ``" (did you mean a, b?)"`` hint with the closest candidates, or ``""``."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(key, pool, n=3, cutoff=0.6)
    close += [k for k in pool if k.startswith(key[:3]) and k not in close][: 3 - len(close)]
    return f" (did you mean {', '.join(close)}?)" if close else ""


def get_project(key: str) -> Project:
    """Look a project up by key, with a close-match suggestion for unknown keys.

    Raises:
        ConfigError: the key is malformed or not in the registry (exit 2).
    """
    check_key(key)
    projects = load_registry()
    if key in projects:
        return projects[key]
    raise ConfigError(
        f"unknown project {key!r}{suggestion(key, projects)}; `prseed projects` lists them, "
        f"or use --repo OWNER/NAME"
    )


def _check_repo(repo: str) -> tuple[str, str]:
    owner, _, name = repo.partition("/")
    if not _OWNER.fullmatch(owner) or not _NAME.fullmatch(name):
        raise ConfigError(f"--repo {repo!r} is not OWNER/NAME (e.g. --repo octo-org/octo-repo)")
    return owner.lower(), name.lower()


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def adhoc_key(repo: str) -> str:
    """The project key of an ad-hoc repository: ``owner--name``, lowercase.

    The double hyphen is reserved (the registry schema forbids it in keys and team slugs), so an
    ad-hoc key never equals a registry key, and ``octo-org/demo`` never lands in ``snapshots/demo``.
    GitHub names are case-insensitive, so lowercasing keeps repositories apart; a key must hold
    only ``[a-z0-9_-]``, so a name with a ``.`` (``hello.world``), or an owner or name holding
    ``--`` (where ``owner--name`` could be read two ways), is spelled with ``-`` and gets a short
    hash of the repository (``octo-org--hello-world-3f2a9c1b``): ``hello.world`` and
    ``hello-world`` get different keys.

    Raises:
        ConfigError: ``repo`` is not ``OWNER/NAME``.
    """
    owner, name = _check_repo(repo)
    key = f"{owner}--{name}"
    if "." in name or "--" in owner or "--" in name:
        key = f"{re.sub(r'[^a-z0-9_-]', '-', key)}-{_short_hash(f'{owner}/{name}')}"
    return key


def adhoc_keys(repos: Iterable[str]) -> str:
    """The project key of several ad-hoc repositories (one repository: :func:`adhoc_key`).

    Several repositories get their keys in name order joined by ``-`` plus a short hash of the
    whole list, since the joined keys alone can be read several ways (``antiwork/gumroad`` +
    ``antiwork/flexile`` against one repository ``antiwork/gumroad-antiwork--flexile``). The same
    set of repositories in any order gets the same key.

    Raises:
        ConfigError: a repository is not ``OWNER/NAME``.
    """
    canonical = sorted({"/".join(_check_repo(repo)) for repo in repos})
    if len(canonical) == 1:
        return adhoc_key(canonical[0])
    joined = "-".join(adhoc_key(repo) for repo in canonical)
    return f"{joined}-{_short_hash(','.join(canonical))}"


def adhoc_project(repo: str, key: str | None = None) -> Project:
    """Registry-like settings for a repository that is not in the registry (``--repo``).

    Args:
        repo: ``OWNER/NAME``.
        key: the project key; default :func:`adhoc_key` of ``repo``.
    """
    key = key or adhoc_key(repo)
    adhoc_key(repo)  # validates OWNER/NAME when a key is given
    name = repo.partition("/")[2]
    slug = f"{key}-demo"
    if len(slug) > 50:  # the app's slug column; a hash keeps long keys apart
        slug = f"{key[:41]}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
    return Project(
        key=key,
        tier="registry",
        repos=(repo,),
        team_name=name,
        team_slug=slug,
        max_prs=500,
        max_members=15,
        days_back=180,
        jira_project_key="".join(c for c in name.upper() if c.isalnum())[:6] or "PROJ",
        ai_base_adoption_rate=0.35,
        survey_response_rate=0.60,
    )


def project_for_repos(
    repos: tuple[str, ...], max_prs: int | None = None, since: date | None = None
) -> tuple[Project, str]:
    """Settings for ``--repo`` repositories: the registry project that has exactly these, else ad hoc.

    Returns:
        The project and a note for the user saying which it is.

    Raises:
        ConfigError: a repository is not ``OWNER/NAME``, or none is given.
    """
    if not repos:
        raise ConfigError("name a PROJECT (see `prseed projects`) or give --repo OWNER/NAME")
    key = adhoc_keys(repos)  # validates every OWNER/NAME
    wanted = {r.lower() for r in repos}
    matches = [p for p in load_registry().values() if {r.lower() for r in p.repos} == wanted]
    if matches:
        # A first-class project wins over a registry entry with the same repositories.
        found = min(matches, key=lambda p: p.tier != "first-class")
        return found, (
            f"{', '.join(repos)} is registry project {found.key!r}: using its settings "
            f"({_window(found, max_prs, since)}, team {found.team_slug})"
        )
    first = adhoc_project(repos[0], key=key)
    project = dataclasses.replace(first, repos=repos)
    members = [p.key for p in load_registry().values() if wanted & {r.lower() for r in p.repos}]
    also = f"; registry project(s) {', '.join(members)} also hold some of them" if members else ""
    return project, (
        f"ad-hoc project {project.key!r} (not in the registry): {_window(project, max_prs, since)}, "
        f"team {project.team_slug}{also}"
    )


def _window(project: Project, max_prs: int | None, since: date | None) -> str:
    """The PRs a run takes, as given on the command line or else the project's defaults."""
    prs = max_prs if max_prs is not None else project.max_prs
    back = f"since {since.isoformat()}" if since is not None else f"{project.days_back} days back"
    return f"max {prs} PRs per repository, {back}"
