"""The project registry: ``prseed/projects.toml`` (package data), checked by its JSON Schema."""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from prseed.contracts import validate
from prseed.errors import ConfigError
from prseed.resources import data_file


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"project registry {path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"project registry {path} is not valid TOML: {exc}") from exc
    validate(data, "projects.schema.json", str(path))
    return {
        key: Project(key=key, **{**entry, "repos": tuple(entry["repos"])})
        for key, entry in data["projects"].items()
    }


def get_project(key: str) -> Project:
    """Look a project up by key, with a helpful error for unknown keys."""
    projects = load_registry()
    if key in projects:
        return projects[key]
    close = [k for k in projects if k.startswith(key[:3])][:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ConfigError(
        f"unknown project {key!r}{hint}; `prseed projects` lists them, or use --repo OWNER/NAME"
    )


def adhoc_project(repo: str, key: str | None = None) -> Project:
    """Registry-like settings for a repository that is not in the registry (``--repo``)."""
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name:
        raise ConfigError(f"--repo {repo!r} is not OWNER/NAME")
    slug_base = (key or name).lower().replace(".", "-").replace("_", "-")
    return Project(
        key=key or slug_base,
        tier="registry",
        repos=(repo,),
        team_name=name,
        team_slug=f"{slug_base}-demo"[:50],
        max_prs=500,
        max_members=15,
        days_back=180,
        jira_project_key="".join(c for c in name.upper() if c.isalnum())[:6] or "PROJ",
        ai_base_adoption_rate=0.35,
        survey_response_rate=0.60,
    )
