"""Errors and exit codes as the README's table gives them: the installed ``prseed`` in a subprocess.

Kinds from the fresh-user test of issue 9: ``db psql`` checks its database like ``load``; exit
codes of configuration (``PRSEED_PROJECTS``, out-of-range options, a missing token, a project
without a snapshot) are 2; a closed pipe is exit 0; ``snapshot verify`` checks every snapshot
(``--json`` too); failed extracts leave no work folder; symbolic links to output folders are
written through; names are suggested, never guessed (``DEMO``, ``''``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import with_dbname
from tests.fakegithub import FakeGitHub, generate_repo
from tests.test_cli import PRSEED, TOKEN, one_line_error, run, tree, work

__all__ = ["work"]  # the fixture, shared with test_cli


def test_db_psql_checks_the_database_first(tmp_path: Path, pg_url: str) -> None:
    for url, needle in (
        ("notaurl", "not a PostgreSQL connection URL"),
        ("mysql://u@somehost/x", "not a PostgreSQL connection URL"),
        ("postgresql://nohost.invalid:1/x", "cannot connect"),
        ("postgresql://u:sekret@127.0.0.1:1/x", "cannot connect"),
        (with_dbname(pg_url, "no_such_database"), "no_such_database"),
    ):
        proc = run("db", "psql", "-c", "select 1", cwd=tmp_path, env={"DATABASE_URL": url})
        line = one_line_error(proc, 7, needle)
        assert "sekret" not in line and proc.stdout == ""
    ok = run("db", "psql", "-c", "select 41 + 1", cwd=tmp_path, env={"DATABASE_URL": pg_url})
    assert ok.returncode == 0 and "42" in ok.stdout, ok.stderr
    assert not (tmp_path / ".pgdata").exists()


def test_configuration_errors_are_exit_2_and_name_their_source(work: Path, tmp_path: Path) -> None:
    schema_bad = tmp_path / "projects.toml"
    schema_bad.write_text("[projects.x]\nfoo = 1\n")
    (work / "snapshots" / "bad").mkdir()
    before = tree(work)
    cases: list[tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]] = [
        (("projects",), {"PRSEED_PROJECTS": str(schema_bad)}, ("PRSEED_PROJECTS", "foo")),
        (("projects",), {"PRSEED_PROJECTS": str(tmp_path)}, ("PRSEED_PROJECTS", "Is a directory")),
        (("extract", "demo", "--dry-run"), {"PRSEED_PROJECTS": str(tmp_path)}, ("PRSEED_PROJECTS",)),
        (("transform", "demo", "--seed", "99999999999999999999999"), {}, ("--seed", "64-bit")),
        (("load", "demo", "--seed", "-99999999999999999999"), {}, ("--seed", "64-bit")),
        (("load", "demo", "--as-of", "0001-01-02", "--dry-run"), {}, ("--as-of", "outside")),
        (("transform", "demo", "--shift-to", "9999-01-01"), {}, ("--shift-to", "outside")),
        (("extract", "demo", "--since", "0001-01-01", "--dry-run"), {}, ("--since", "outside")),
        # A registry project without its snapshot: nothing is bad on disk, so 2, with the fix.
        (("transform", "polar"), {}, ("no snapshot in snapshots/polar", "prseed extract polar")),
        (("transform", "DEMO"), {}, ("did you mean demo?",)),
        (("report", "DEMO"), {}, ("did you mean demo?",)),
        (("snapshot", "info", ""), {}, ("empty SNAPSHOT name",)),
        (("snapshot", "diff", "demo", ""), {}, ("empty SNAPSHOT name",)),
    ]
    for args, env, needles in cases:
        proc = run(*args, cwd=work, env=env)
        one_line_error(proc, 2, *needles)
        assert proc.stdout == "" and "Traceback" not in proc.stderr, (args, proc.stdout)
    assert tree(work) == before
    # The synthetic demo cannot be extracted: the hint says how to get it back.
    shutil.rmtree(work / "snapshots" / "demo")
    shutil.rmtree(work / "build" / "demo")
    proc = run("transform", "demo", cwd=work)
    line = one_line_error(proc, 2, "make demo-snapshot", "git checkout")
    assert "prseed extract demo" not in line
    # A folder given as a snapshot that holds none is a bad snapshot (5), as the README says.
    one_line_error(run("transform", "demo", "--snapshot", "snapshots/bad", cwd=work), 5, "snapshots/bad")


def test_a_closed_pipe_is_a_quiet_exit_0(work: Path) -> None:
    for args in (
        ("projects",),
        ("projects", "--json"),
        ("snapshot", "info", "demo"),
        ("snapshot", "verify", "demo", "demo"),
        ("snapshot", "diff", "demo", "snapshots/demo"),
        ("transform", "demo", "--dry-run"),
    ):
        proc = subprocess.Popen([PRSEED, *args], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the first line (`| head -0`)
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0 and "Error" not in err and "Traceback" not in err, (args, err)


def test_snapshot_verify_checks_every_snapshot(work: Path) -> None:
    bad = work / "snapshots" / "bad"
    shutil.copytree(work / "snapshots" / "demo", bad)
    with (bad / "commits.parquet").open("ab") as handle:
        handle.write(b"x")
    proc = run("snapshot", "verify", "demo", "bad", "nosuch", "snapshots/demo", cwd=work)
    assert proc.returncode == 5, proc.stderr  # the first failure's code
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2 and "bad/commits.parquet" in errors[0] and "'nosuch'" in errors[1]
    assert proc.stdout.count("ok  ") == 2 and "2 of 4 snapshots verified, 2 failed" in proc.stdout
    data = json.loads(run("snapshot", "verify", "demo", "bad", "--json", cwd=work).stdout)
    assert data["ok"] is False
    assert [(s["snapshot"], s["ok"]) for s in data["snapshots"]] == [("demo", True), ("bad", False)]
    assert data["snapshots"][0]["rows"] > 0 and "sha256" in data["snapshots"][1]["error"]
    good = run("snapshot", "verify", "demo", "--json", cwd=work)
    assert good.returncode == 0 and json.loads(good.stdout)["ok"] is True


@pytest.fixture(scope="module")
def gh_repo():
    return generate_repo("octo-org/demo", n_prs=5, seed=4)


def test_failed_extracts_leave_no_work_folder_and_a_missing_token_is_2(gh_repo, tmp_path: Path) -> None:
    with FakeGitHub(repos=[gh_repo], tokens={TOKEN}) as gh:
        common = ("--api-url", gh.url, "--since", "2000-01-01", "--api", "rest")
        cases = (
            (("--repo", "octo-org/demo"), {}, 2, ("requires a token", "GITHUB_TOKEN")),
            (("--repo", "octo-org/demo"), {"GITHUB_TOKEN": "wrong-token-0"}, 3, ()),
            (("--repo", "octo-org/nope"), {"GITHUB_TOKEN": TOKEN}, 4, ("octo-org/nope",)),
        )
        for args, env, code, needles in cases:
            proc = run("extract", *args, *common, "-q", cwd=tmp_path, env=env)
            line = one_line_error(proc, code, *needles)
            assert "wrong-token" not in line
            assert list((tmp_path / "snapshots").iterdir()) == [], args  # no .work, no .lock


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_symlinked_outputs_are_written_through_and_debris_is_cleaned(gh_repo, work: Path) -> None:
    real = work / "realbuild_demo"
    (work / "build" / "demo").rename(real)
    (work / "build" / "demo").symlink_to("../realbuild_demo")
    dead = _dead_pid()
    (work / "build" / f".demo.old-{dead}").symlink_to("../realbuild_demo")  # what earlier versions left
    (work / "build" / f".demo.staging-{dead}").mkdir()  # a transform killed mid-way
    proc = run("transform", "demo", "--seed", "5", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert (work / "build" / "demo").is_symlink()
    assert json.loads((real / "manifest.json").read_text())["seed"] == 5
    assert sorted(p.name for p in (work / "build").iterdir()) == ["demo"]
    assert sorted(p.name for p in work.iterdir() if "realbuild" in p.name) == ["realbuild_demo"]
    # --out: a link to an empty folder.
    (work / "empty").mkdir()
    (work / "linkout").symlink_to("empty")
    assert run("transform", "demo", "--out", "linkout", cwd=work).returncode == 0
    assert (work / "linkout").is_symlink() and (work / "empty" / "manifest.json").is_file()
    assert not [p for p in work.iterdir() if p.name.startswith((".empty", ".linkout"))]
    # Snapshots: an extract into a link (here to a folder on the other side of the tree).
    (work / "realsnap").mkdir()
    (work / "snapshots" / "octo-org--demo").symlink_to("../realsnap")
    with FakeGitHub(repos=[gh_repo], tokens={TOKEN}) as gh:
        proc = run(
            "extract", "--repo", "octo-org/demo", "--api-url", gh.url, "--since", "2000-01-01",
            "--batch-delay", "0", "-q", cwd=work, env={"GITHUB_TOKEN": TOKEN},
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (work / "snapshots" / "octo-org--demo").is_symlink()
    assert (
        json.loads((work / "realsnap" / "manifest.json").read_text())["tables"]["pull_requests"]["rows"] == 5
    )
    assert sorted(p.name for p in (work / "snapshots").iterdir()) == ["demo", "octo-org--demo"]
    assert not [p for p in work.iterdir() if p.name.startswith(".realsnap")]
    verify = run("snapshot", "verify", "octo-org--demo", cwd=work)
    assert verify.returncode == 0, verify.stderr


def _subclasses(cls: type) -> list[type]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _subclasses(sub))]


def test_every_exit_code_the_code_gives_has_a_row_in_the_readme_table() -> None:
    import re

    from prseed.cli.common import FILE_SYSTEM_EXIT
    from prseed.console import INTERRUPTED_EXIT
    from prseed.errors import PrseedError

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("Exit codes (", 1)[1].split("\n\n", 2)[1]
    rows = {int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.M)}
    given = {int(c.exit_code) for c in _subclasses(PrseedError)} | {0, FILE_SYSTEM_EXIT, INTERRUPTED_EXIT}
    assert 75 in given and given <= rows, sorted(given - rows)
