"""Output folders and project keys as a user meets them: the installed ``prseed`` in a subprocess.

Kinds from the fresh-user test of issue 9: two repositories never share a key (``hello.world`` and
``hello-world``; a multi-repo set and one repository whose name spells the joined keys), and
``--out`` replaces only an earlier snapshot or build of the same project.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub, generate_repo
from tests.test_cli import TOKEN, one_line_error, run, tree, work

__all__ = ["work"]  # the fixture, shared with test_cli


def _plan(*args: str, cwd: Path) -> dict[str, object]:
    # a token: a dry run for GitHub without one is refused, as the run is
    proc = run("extract", *args, "--dry-run", "--json", cwd=cwd, env={"GITHUB_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stderr
    plan: dict[str, object] = json.loads(proc.stdout)
    return plan


def test_different_repositories_never_share_a_key(tmp_path: Path) -> None:
    dotted = _plan("--repo", "octo-org/hello.world", cwd=tmp_path)
    dashed = _plan("--repo", "octo-org/hello-world", cwd=tmp_path)
    assert dashed["project"] == "octo-org--hello-world"  # the readable key when nothing is lost
    assert dotted["project"] != dashed["project"] and dotted["out_dir"] != dashed["out_dir"]
    two = _plan("--repo", "antiwork/gumroad", "--repo", "antiwork/flexile", cwd=tmp_path)
    one = _plan("--repo", "antiwork/gumroad-antiwork--flexile", cwd=tmp_path)
    assert two["project"] != one["project"]
    # The same set in another order, or another case, is the same project.
    assert (
        _plan("--repo", "antiwork/flexile", "--repo", "Antiwork/Gumroad", cwd=tmp_path)["project"]
        == two["project"]
    )


@pytest.fixture(scope="module")
def hello_repos():
    return [
        generate_repo("octo-org/hello.world", n_prs=6, seed=5),
        generate_repo("octo-org/hello-world", n_prs=7, seed=6),
    ]


def test_an_extract_never_replaces_another_projects_snapshot(hello_repos, tmp_path: Path) -> None:
    with FakeGitHub(repos=hello_repos, tokens={TOKEN}) as gh:
        common = ("--api-url", gh.url, "--since", "2000-01-01", "--batch-delay", "0", "-q", "--json")
        env = {"GITHUB_TOKEN": TOKEN}
        dotted = run("extract", "--repo", "octo-org/hello.world", *common, cwd=tmp_path, env=env)
        dashed = run("extract", "--repo", "octo-org/hello-world", *common, cwd=tmp_path, env=env)
        assert dotted.returncode == 0 and dashed.returncode == 0, (dotted.stderr, dashed.stderr)
        dotted_out = Path(json.loads(dotted.stdout)["out_dir"])
        dashed_out = Path(json.loads(dashed.stdout)["out_dir"])
        assert dotted_out != dashed_out
        assert json.loads(dotted.stdout)["prs"] == 6 and json.loads(dashed.stdout)["prs"] == 7
        # A snapshot the old key scheme put where hello-world's goes is refused, naming both.
        shutil.rmtree(tmp_path / dashed_out)
        shutil.copytree(tmp_path / dotted_out, tmp_path / dashed_out)
        before = tree(tmp_path / "snapshots")
        proc = run("extract", "--repo", "octo-org/hello-world", *common, cwd=tmp_path, env=env)
        one_line_error(proc, 2, "octo-org/hello.world", "octo-org/hello-world", str(dashed_out))
        # --out naming another project's snapshot: the committed demo, or hello.world's.
        shutil.copytree(Path(__file__).parents[1] / "snapshots" / "demo", tmp_path / "snapshots" / "demo")
        before = tree(tmp_path / "snapshots")
        for out in ("snapshots/demo", str(dotted_out)):
            proc = run(
                "extract", "--repo", "octo-org/hello-world", "--out", out, *common, cwd=tmp_path, env=env
            )
            one_line_error(proc, 2, f"snapshot folder {out} holds project", "choose another folder (--out)")
            dry = run(
                "extract",
                "--repo",
                "octo-org/hello-world",
                "--out",
                out,
                "--dry-run",
                "-q",
                cwd=tmp_path,
                env=env,
            )
            one_line_error(dry, 2, "holds project")
        assert tree(tmp_path / "snapshots") == before
        # The same project's earlier snapshot is replaced, as before.
        again = run("extract", "--repo", "octo-org/hello.world", *common, cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr


def test_transform_and_load_never_replace_another_projects_build(work: Path) -> None:
    other = work / "build" / "other"
    shutil.copytree(work / "build" / "demo", other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["project"], manifest["team_slug"] = "other", "other-team"
    (other / "manifest.json").write_text(json.dumps(manifest))
    before = tree(work)
    proc = run("transform", "demo", "--out", "build/other", cwd=work)
    one_line_error(proc, 2, "build folder build/other holds project 'other'", "not 'demo'", "(--out)")
    proc = run("transform", "demo", "--out", "build/other", "--dry-run", cwd=work)
    one_line_error(proc, 2, "holds project 'other'")
    # load's builds folder: build/demo of another project is not re-made over.
    (work / "alt").mkdir()
    shutil.copytree(other, work / "alt" / "demo")
    before = tree(work)
    proc = run("load", "demo", "--builds", "alt", "--seed", "3", cwd=work)
    one_line_error(proc, 2, "build folder alt/demo holds project 'other'", "(--builds)")
    assert tree(work) == before
    # An earlier build of the same project is replaced.
    assert run("transform", "demo", "--out", "build/demo", "--seed", "4", cwd=work).returncode == 0


def test_the_default_output_is_named_as_such(work: Path) -> None:
    shutil.rmtree(work / "build")
    (work / "build").write_text("not a folder")
    proc = run("transform", "demo", cwd=work)
    line = one_line_error(proc, 2, "the default output folder build/demo", "build is a file", "--out")
    assert "--out build/demo" not in line
    proc = run("load", "demo", "-q", "--database-url", "postgresql://u@127.0.0.1:1/x", cwd=work)
    line = one_line_error(proc, 2, "the default output folder build/demo", "build is a file", "--builds")
    assert "Invalid value" not in line
    proc = run("load", "demo", "--dry-run", cwd=work)  # a dry run needs no build folder
    assert proc.returncode == 0, proc.stderr
