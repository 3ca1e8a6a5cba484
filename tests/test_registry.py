from pathlib import Path

import pytest
from click.testing import CliRunner

from prseed.cli import cli
from prseed.errors import ConfigError
from prseed.registry import (
    adhoc_project,
    check_key,
    get_project,
    key_pattern,
    load_registry,
    project_for_repos,
)


def test_first_class_projects_have_the_documented_numbers():
    reg = load_registry()
    got = {
        k: (reg[k].repos, reg[k].max_prs, reg[k].max_members)
        for k in ("gumroad", "polar", "posthog", "fastapi")
    }
    assert got == {
        "gumroad": (("antiwork/gumroad",), 1000, 50),
        "polar": (("polarsource/polar",), 1000, 50),
        "posthog": (("PostHog/posthog",), 200, 25),
        "fastapi": (("tiangolo/fastapi",), 300, 15),
    }
    assert all(reg[k].tier == "first-class" for k in got)


def test_wider_registry_is_complete_and_unique():
    reg = load_registry()
    assert len([p for p in reg.values() if p.tier == "registry"]) == 97
    slugs = [p.team_slug for p in reg.values()]
    assert len(slugs) == len(set(slugs))
    assert reg["vercel"].repos == ("vercel/ai", "vercel/next.js", "vercel/vercel")
    assert reg["antiwork"].jira_project_key == "ANTI"
    assert all(p.days_back == 180 for p in reg.values())


def test_unknown_project_error_names_the_fix():
    with pytest.raises(ConfigError, match="unknown project 'polr'.*prseed projects"):
        get_project("polr")


def test_adhoc_project_from_repo():
    p = adhoc_project("octo-org/Hello-World")
    assert p.repos == ("octo-org/Hello-World",)
    assert p.key == "octo-org--hello-world"
    assert p.team_slug == "octo-org--hello-world-demo"
    # A '.' cannot be in a key: spelled '-' plus a hash, so hello.world and hello-world differ.
    dotted = adhoc_project("octo-org/Hello.World")
    assert dotted.key.startswith("octo-org--hello-world-") and dotted.key != p.key
    assert dotted.team_slug != p.team_slug and key_pattern().fullmatch(dotted.key)
    for bad in ("not-a-repo", "a/b/c", "../x", "own er/x"):
        with pytest.raises(ConfigError, match="not OWNER/NAME"):
            adhoc_project(bad)


def test_adhoc_keys_and_slugs_never_equal_registry_ones():
    """The kind: any --repo, even one named like a registry key, gets a reserved key and slug."""
    reg = load_registry()
    keys = {p.key for p in reg.values()}
    slugs = {p.team_slug for p in reg.values()}
    for key in keys:  # octo-org/demo, octo-org/polar, ...
        p = adhoc_project(f"octo-org/{key}")
        assert p.key not in keys and p.team_slug not in slugs
        assert key_pattern().fullmatch(p.key)
    long = adhoc_project("a" * 39 + "/" + "b" * 100)
    assert len(long.team_slug) <= 50 and "--" in long.team_slug


def test_registry_schema_reserves_the_double_hyphen(tmp_path):
    bad = tmp_path / "projects.toml"
    text = (Path(__file__).parents[1] / "prseed" / "projects.toml").read_text()
    bad.write_text(text.replace("[projects.polar]", "[projects.octo--polar]"))
    with pytest.raises(ConfigError, match="octo--polar"):
        load_registry(bad)


def test_a_registry_repository_gets_its_project_and_says_so():
    project, said = project_for_repos(("antiwork/gumroad",))
    assert (project.key, project.max_prs) == ("gumroad", 1000)
    assert "registry project 'gumroad'" in said
    project, said = project_for_repos(("octo-org/demo",))
    assert project.key == "octo-org--demo" and "ad-hoc" in said


@pytest.mark.parametrize("name", ["../snapshots/demo", "a/b", ".", "..", "Demo", "-x", "x y", ""])
def test_project_names_are_names_not_paths(name):
    with pytest.raises(ConfigError, match="not a project name"):
        check_key(name)


def test_projects_command_lists_registry():
    result = CliRunner().invoke(cli, ["projects", "--tier", "first-class"])
    assert result.exit_code == 0
    assert "polarsource/polar" in result.output and "4 projects" in result.output
