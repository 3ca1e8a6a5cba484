import pytest
from click.testing import CliRunner

from prseed.cli import cli
from prseed.errors import ConfigError
from prseed.registry import adhoc_project, get_project, load_registry


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
    p = adhoc_project("octo-org/Hello.World")
    assert p.repos == ("octo-org/Hello.World",)
    assert p.team_slug == "hello-world-demo"
    with pytest.raises(ConfigError):
        adhoc_project("not-a-repo")


def test_projects_command_lists_registry():
    result = CliRunner().invoke(cli, ["projects", "--tier", "first-class"])
    assert result.exit_code == 0
    assert "polarsource/polar" in result.output and "4 projects" in result.output
