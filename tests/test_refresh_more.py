"""A second tester's findings on the refresh (t14b), against the fake GitHub over real HTTP."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from prseed.extract import run

from tests.fakegithub import FakeGitHub, GeneratedRepo, generate_repo
from tests.test_cli import PRSEED, one_line_error, tree
from tests.test_refresh import REPO, SINCE, TOKEN, config


@pytest.fixture()
def repo() -> GeneratedRepo:
    return generate_repo(REPO, n_prs=30, seed=29)


@pytest.fixture()
def gh(repo: GeneratedRepo) -> Iterator[FakeGitHub]:
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as server:
        yield server


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_SEEDING_TOKENS", "DATABASE_URL")}
    env["GITHUB_TOKEN"] = TOKEN
    return env


def _as_a_user() -> list[str]:
    """A command prefix under which file permissions apply, as they do to a user who is not root.

    Root ignores ``chmod a-w``; without the capabilities that let it (``setpriv``, util-linux)
    root meets permissions as any user does, while it can still run the interpreter under /root.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root without setpriv cannot see read-only folders as a user does")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def _make_read_only(path: Path, recursive: bool) -> None:
    paths = [path, *path.rglob("*")] if recursive else [path]
    for p in paths:
        p.chmod(stat.S_IMODE(p.stat().st_mode) & ~0o222)


def _make_writable(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(stat.S_IMODE(p.stat().st_mode) | 0o200)


@pytest.mark.parametrize("what", ["folder", "folder-and-files", "one-file"])
def test_a_read_only_snapshot_is_refused_before_any_request(
    gh: FakeGitHub, tmp_path: Path, what: str
) -> None:
    """t14b #1: chmod a-w on the snapshot -> one line, exit 2, no request, nothing replaced or left."""
    out = tmp_path / "snap"
    run(config(gh, out, "rest"))
    if what == "one-file":
        _make_read_only(out / "manifest.json", recursive=False)
    else:
        _make_read_only(out, recursive=what == "folder-and-files")
    before, answered = tree(tmp_path), len(gh.stats.request_log)
    args = ["extract", "--repo", REPO, "--out", str(out), "--api-url", gh.url, "--api", "rest"]
    args += ["--since", SINCE.isoformat(), "--batch-delay", "0", "--points-per-minute", "100000", "--quiet"]
    try:
        for extra in ([], ["--dry-run"]):
            proc = subprocess.run(
                [*_as_a_user(), PRSEED, *args, *extra],
                env=_env(),
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=300,
            )
            one_line_error(proc, 2, f"snapshot folder {out}", "read-only", "chmod -R u+w", "--out")
        assert len(gh.stats.request_log) == answered
        assert tree(tmp_path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]  # no .snap.old-PID
    finally:
        _make_writable(out)


def test_a_read_only_build_and_report_are_refused(gh: FakeGitHub, tmp_path: Path) -> None:
    """t14b #1, same kind: transform's build folder and report's --out are replaced the same way."""
    snap, build, page = tmp_path / "snap", tmp_path / "b", tmp_path / "page.html"
    run(config(gh, snap, "rest"))
    base = [PRSEED, "transform", "x", "--snapshot", str(snap), "--out", str(build)]
    made = subprocess.run(base, env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    report = [PRSEED, "report", "x", "--snapshot", str(snap), "--out", str(page)]
    done = subprocess.run(report, env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    _make_read_only(build, recursive=False)
    _make_read_only(page, recursive=False)
    before = tree(tmp_path)
    try:
        proc = subprocess.run(
            [*_as_a_user(), *base], env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        one_line_error(proc, 2, f"build folder {build}", "read-only", "--out")
        proc = subprocess.run(
            [*_as_a_user(), *report], env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        one_line_error(proc, 2, f"--out {page} is read-only", "chmod u+w")
        assert tree(tmp_path) == before
    finally:
        _make_writable(build)
        _make_writable(page)


class _Stop(Exception):
    pass


def _stop_when_fetching(progress: object) -> None:
    if getattr(progress, "phase", None) == "pulls":
        raise _Stop


def _cli_args(gh: FakeGitHub, out: Path) -> list[str]:
    """The extract command line of the tests, without --api (the default the findings are about)."""
    args = ["extract", "--repo", REPO, "--out", str(out), "--api-url", gh.url]
    return [*args, "--since", SINCE.isoformat(), "--batch-delay", "0", "--points-per-minute", "100000"]


@pytest.mark.parametrize("case", ["resume", "resume-full", "snapshot-deleted"])
def test_resume_without_api_continues_the_unfinished_runs_api(
    gh: FakeGitHub, tmp_path: Path, case: str
) -> None:
    """t14b #2: a token makes GraphQL the default, but --resume continues a REST run as REST."""
    from click.testing import CliRunner

    from prseed.cli import cli

    out = tmp_path / "snap"
    run(config(gh, out, "rest", max_prs=500))  # 500: an ad-hoc project's default, as the CLI's
    with gh.mutate() as m:
        m.add_prs(3)
    with pytest.raises(_Stop):
        run(config(gh, out, "rest", max_prs=500), _stop_when_fetching)
    if case == "snapshot-deleted":
        shutil.rmtree(out)
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""}
    extra = ["--full"] if case == "resume-full" else []
    result = CliRunner().invoke(cli, [*_cli_args(gh, out), "--resume", *extra], env=env)
    assert "used other options" not in result.output, result.output
    if case == "resume":
        assert result.exit_code == 0, result.output
        assert (
            "snapshot refreshed" in result.stdout and "--api rest: the API of the unfinished" in result.stderr
        )
    elif case == "resume-full":
        assert result.exit_code == 2 and "is a refresh, --full does not apply to it" in result.output
    else:
        assert result.exit_code == 2 and "started from is gone; use --fresh" in result.output


def test_dry_run_refuses_what_a_resume_refuses_and_says_it_continues(gh: FakeGitHub, tmp_path: Path) -> None:
    """t14b #3: the plan of a resume is the resume's: its refusals, and the unfinished run it continues."""
    from click.testing import CliRunner

    from prseed.cli import cli

    out = tmp_path / "snap"
    run(config(gh, out, "rest", max_prs=500))
    with gh.mutate() as m:
        m.add_prs(3)
    with pytest.raises(_Stop):
        run(config(gh, out, "rest", max_prs=500), _stop_when_fetching)
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_SEEDING_TOKENS": ""}
    args = [*_cli_args(gh, out), "--api", "rest", "--dry-run"]
    runner = CliRunner()
    answered = len(gh.stats.request_log)
    for extra in ([], ["--json"]):
        full = runner.invoke(cli, [*args, "--resume", "--full", *extra], env=env)
        assert full.exit_code == 2 and "is a refresh, --full does not apply to it" in full.output, full.output
        unasked = runner.invoke(cli, [*args, *extra], env=env)
        assert unasked.exit_code == 2 and "use --resume to continue it" in unasked.output, unasked.output
    text = runner.invoke(cli, [*args, "--resume"], env=env)
    assert text.exit_code == 0, text.output
    work = out.parent / ".snap.work"
    assert (
        f"mode: continuing the unfinished refresh in {work} (--fresh: start over): refresh of" in text.stdout
    )
    data = json.loads(runner.invoke(cli, [*args, "--resume", "--json"], env=env).stdout)
    assert data["mode"] == "refresh" and data["mode_note"].startswith("continuing the unfinished refresh")
    fresh = json.loads(runner.invoke(cli, [*args, "--fresh", "--json"], env=env).stdout)
    assert fresh["mode"] == "refresh" and fresh["mode_note"].startswith("refresh of")
    shutil.rmtree(out)
    gone = runner.invoke(cli, [*args, "--resume"], env=env)
    assert gone.exit_code == 2 and "started from is gone; use --fresh" in gone.output, gone.output
    assert len(gh.stats.request_log) == answered  # a dry run asks nothing


@pytest.mark.parametrize(
    "text,problem",
    [
        ('{"x": 1}', "(a JSON object, not a list of project outcomes)"),
        (
            '[{"project": "fastapi"}]',
            "(item 1 (fastapi) has no status among extracted, skipped, failed, not run)",
        ),
        ("[1]", "(item 1 is not an object)"),
        ('[{"status": "failed"}]', "(item 1 has no project)"),
        ('"extracted"', "(a JSON str, not a list of project outcomes)"),
        ('{"project": "a", "status": "failed"}', "(a JSON object, not a list"),
    ],
)
def test_changes_refuse_outcomes_that_are_not_an_outcome_list(
    tmp_path: Path, text: str, problem: str
) -> None:
    """t14b #5: valid JSON of another shape would call every project unchanged: one line, exit 2."""
    from click.testing import CliRunner

    from prseed.cli import cli

    (tmp_path / "new").mkdir()
    path = tmp_path / "outcomes.json"
    path.write_text(text)
    args = ["snapshot", "changes", str(tmp_path / "old"), str(tmp_path / "new"), "--outcomes", str(path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert (
        len(lines) == 1
        and f"--outcomes {path} is not the JSON of `prseed extract --json` {problem}" in lines[0]
    )
    path.write_text("[]")  # no project ran: valid
    assert CliRunner().invoke(cli, args).exit_code == 0
