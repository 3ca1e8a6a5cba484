"""The CLI as a user meets it (issue 9): the installed ``prseed`` console script in a subprocess.

Each defect of the issue is one input of a kind; the tests walk the kind: every command that takes
a project name, every folder option, every user error (one line, the documented exit code, data
untouched), and the conventions (``-V``, ``-q``/``-v`` everywhere, ``NO_COLOR``, ``--json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import click
import psycopg
import pytest
from click.testing import CliRunner
from prseed.extract import ExtractConfig
from prseed.load.database import LOCK_KEY

from prseed.cli import cli
from prseed.cli import extract_cmd as extract_module
from tests.fakegithub import FakeGitHub, generate_repo

ROOT = Path(__file__).resolve().parents[1]
PRSEED = str(Path(sys.executable).parent / "prseed")  # the installed console script
TOKEN = "fake-cli-token-0123456789abcdef"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "GITHUB_TOKEN", "GITHUB_SEEDING_TOKENS")
    }
    base["PRSEED_PGDATA"] = str(cwd / ".pgdata")
    return subprocess.run(
        [PRSEED, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


def tree(folder: Path) -> dict[str, str]:
    """Every file under a folder with its sha256 (to prove nothing was touched)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A user's folder with the committed demo snapshot and its build."""
    shutil.copytree(ROOT / "snapshots" / "demo", tmp_path / "snapshots" / "demo")
    proc = run("transform", "demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path


def one_line_error(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("prseed: error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def test_every_user_error_is_one_line_with_its_exit_code_and_touches_nothing(work: Path, pg_url: str) -> None:
    notes = work / "mine"
    notes.mkdir()
    (notes / "notes.txt").write_text("my notes")
    (work / "afile").write_text("x")
    before = tree(work)
    api = ("--api-url", "http://127.0.0.1:9")  # never reached: every case fails before the network
    cases: list[tuple[tuple[str, ...], dict[str, str], int, tuple[str, ...]]] = [
        # A project name is a name, not a path: every command that takes one.
        (("transform", "../snapshots/demo"), {}, 2, ("not a project name",)),
        (("transform", "snapshots/demo"), {}, 2, ("not a project name",)),
        (("load", "../x", "--dry-run"), {}, 2, ("not a project name",)),
        (("load", "demo", "../x"), {}, 2, ("not a project name",)),
        (("seed", "--snapshots", "nowhere", "--database-url", pg_url), {}, 2, ("nothing to load",)),
        (("extract", "../demo", *api), {}, 2, ("not a project name",)),
        # Unknown projects: exit 2 and the closest names everywhere.
        (("transform", "nosuch"), {}, 2, ("unknown project 'nosuch'",)),
        (("transform", "dem"), {}, 2, ("did you mean demo",)),
        (("load", "dem"), {}, 2, ("did you mean demo",)),
        (("load", "nosuch", "--database-url", pg_url), {}, 2, ("unknown project 'nosuch'",)),
        (("extract", "polr", *api), {}, 2, ("did you mean polar",)),
        (("snapshot", "info", "dem"), {}, 2, ("did you mean demo",)),
        (("snapshot", "verify", "dem"), {}, 2, ("did you mean demo",)),
        (("snapshot", "diff", "demo", "dem"), {}, 2, ("did you mean demo",)),
        (("extract", "--repo", "not-a-repo", *api), {}, 2, ("not OWNER/NAME",)),
        # --out never wipes a folder prseed did not make, nor the current one, nor a snapshot.
        (("transform", "demo", "--out", "mine"), {}, 2, ("build folder mine", "not empty")),
        (("extract", "demo", "--out", "mine", *api), {}, 2, ("snapshot folder mine", "not empty")),
        (
            ("load", "demo", "--builds", "snapshots"),
            {},
            2,
            ("build folder snapshots/demo", "a prseed snapshot", "(--builds)"),
        ),
        (("transform", "demo", "--out", "mine", "--dry-run"), {}, 2, ("build folder mine", "not empty")),
        (("extract", "demo", "--out", "mine", "--dry-run"), {}, 2, ("snapshot folder mine", "not empty")),
        (("transform", "demo", "--out", "."), {}, 2, ("--out .", "current folder")),
        (("extract", "demo", "--out", ".", *api), {}, 2, ("--out .", "current folder")),
        (("transform", "demo", "--out", str(work)), {}, 2, ("current folder",)),
        (("transform", "demo", "--out", "snapshots/demo"), {}, 2, ("holds a prseed snapshot",)),
        (("extract", "demo", "--out", "build/demo", *api), {}, 2, ("holds a prseed build",)),
        # Unwritable --out: a file where a folder must be.
        (("transform", "demo", "--out", "afile/build"), {}, 2, ("afile is a file",)),
        (("extract", "demo", "--out", "afile/snap", *api), {}, 2, ("afile is a file",)),
        (("transform", "demo", "--out", "afile"), {}, 2, ("'afile' is a file",)),
        # Usage errors are one line too.
        (("transform",), {}, 2, ("Missing argument 'PROJECT'", "prseed transform --help")),
        (("load", "--nope"), {}, 2, ("No such option",)),
        # Databases: a URL that is no URL, an unreachable server.
        (("load", "demo"), {"DATABASE_URL": "notaurl"}, 7, ("not a PostgreSQL connection URL",)),
        (("db", "init"), {"DATABASE_URL": "notaurl"}, 7, ("not a PostgreSQL connection URL",)),
        (
            ("load", "demo", "--database-url", "postgresql://u:sekret@127.0.0.1:1/x"),
            {},
            7,
            ("cannot connect",),
        ),
        # Read-only db commands never create a database here.
        (("db", "url"), {}, 7, ("no embedded PostgreSQL in", ".pgdata")),
        (("db", "psql"), {}, 7, ("no embedded PostgreSQL in",)),
        # Contradicting options.
        (("extract", "demo", "--resume", "--fresh", *api), {}, 2, ("exclude each other",)),
        (("extract", "demo", "--repo", "a/b", *api), {}, 2, ("either PROJECT or --repo",)),
    ]
    for args, env, code, needles in cases:
        proc = run(*args, cwd=work, env=env)
        line = one_line_error(proc, code, *needles)
        assert "sekret" not in line and "Traceback" not in proc.stderr
        assert proc.stdout == "", (args, proc.stdout)
    assert tree(work) == before  # nothing written, removed or replaced anywhere
    assert sorted(p.name for p in work.iterdir()) == ["afile", "build", "mine", "snapshots"]


def test_a_full_disk_under_out_is_one_line_and_keeps_the_old_build(work: Path) -> None:
    before = tree(work / "build")

    def small_files() -> None:  # a "full disk": writes beyond 16 KiB fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))

    proc = run("transform", "demo", "--seed", "7", cwd=work, preexec_fn=small_files)
    one_line_error(proc, 2, "cannot write the build build/demo", "File too large", "--out")
    assert tree(work / "build") == before
    assert sorted(p.name for p in (work / "build").iterdir()) == ["demo"]  # no staging left


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; CI runs this as a user")
def test_an_unwritable_out_is_one_line(work: Path) -> None:
    locked = work / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        proc = run("transform", "demo", "--out", "locked/build", cwd=work)
        one_line_error(proc, 2, "locked", "Permission denied")
        proc = run("extract", "demo", "--out", "locked/snap", "--api-url", "http://127.0.0.1:9", cwd=work)
        one_line_error(proc, 2, "Permission denied")
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_dry_runs_write_nothing_anywhere(work: Path, schema_url: str) -> None:
    pg_url = schema_url
    before = tree(work)
    for args in (
        ("load", "demo", "--seed", "7", "--dry-run", "--database-url", pg_url),
        ("load", "--as-of", "2026-01-05", "--dry-run", "--database-url", pg_url),
        ("transform", "demo", "--seed", "9", "--dry-run"),
        # a loopback API needs no token (without one, a dry run for GitHub is refused as the run is)
        ("extract", "demo", "--dry-run", "--api-url", "http://127.0.0.1:9"),
    ):
        proc = run(*args, cwd=work)
        assert proc.returncode == 0, (args, proc.stderr)
    assert tree(work) == before
    proc = run("load", "demo", "--seed", "7", "--dry-run", "--database-url", pg_url, "--json", cwd=work)
    assert json.loads(proc.stdout)["committed"] is False
    assert json.loads((work / "build" / "demo" / "manifest.json").read_text())["seed"] == 42
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM metrics_pullrequest").fetchone() == (0,)  # rolled back


def test_a_dry_run_on_the_embedded_database_creates_no_data_folder(work: Path) -> None:
    proc = run("load", "demo", "--dry-run", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "dry run (rolled back)" in proc.stdout
    assert not (work / ".pgdata").exists()


def test_extra_not_null_column_blames_the_database(work: Path, schema_url: str) -> None:
    with psycopg.connect(schema_url) as conn:
        conn.execute("ALTER TABLE metrics_prreview ADD COLUMN extra text NOT NULL")
    proc = run("load", "demo", "--database-url", schema_url, cwd=work)
    one_line_error(proc, 7, "metrics_prreview.extra", "NOT NULL")
    assert "re-create the build" not in proc.stderr
    with psycopg.connect(schema_url) as conn:
        assert conn.execute("SELECT count(*) FROM teams_team").fetchone() == (0,)


def test_second_load_says_it_waits_and_ctrl_c_says_what_happened(work: Path, schema_url: str) -> None:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with psycopg.connect(schema_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))  # "the first load"
        proc = subprocess.Popen(
            [PRSEED, "load", "demo", "--database-url", schema_url],
            cwd=work,
            env=base,
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "another prseed load" in line and "waiting" in line
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "--resume" not in err and "rolled back" in err
    assert "Traceback" not in err


def test_version_and_verbosity_options_on_every_command() -> None:
    runner = CliRunner()
    for flag in ("-V", "--version"):
        result = runner.invoke(cli, [flag])
        assert result.exit_code == 0 and result.output.startswith("prseed 0.")
    for path, command in _commands(cli):
        if isinstance(command, click.Group):
            continue
        names = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert {"-q", "--quiet", "-v", "--verbose"} <= names, path


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += [((*prefix, name), command)] if command.help else []
            found += _commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


def test_every_command_and_option_has_help_text() -> None:
    commands = _commands(cli)
    assert {" ".join(p) for p, _ in commands} >= {
        "projects",
        "extract",
        "transform",
        "load",
        "seed",
        "db url",
        "db psql",
        "snapshot info",
        "snapshot diff",
    }
    for path, command in [((), cli), *commands]:
        assert command.help and command.short_help != "", path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (path, param.name)
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, path
        assert "None]" not in result.output, path  # no "[x<=None]" of an unbounded range


def test_extract_options_come_from_the_config_with_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each default exists once (on ExtractConfig): the CLI passes exactly those when no option is given."""
    seen: list[ExtractConfig] = []
    monkeypatch.setattr(extract_module, "run_extract", lambda config, progress: seen.append(config) or 1 / 0)
    CliRunner().invoke(cli, ["extract", "demo"])
    (config,) = seen
    defaults = ExtractConfig(project={}, out_dir=Path("x"))
    for name in ("api_url", "state", "resume", "fresh", "with_patches", "commit_stats", "max_workers",
                 "batch_size", "batch_delay", "max_retries", "points_per_minute"):  # fmt: skip
        assert getattr(config, name) == getattr(defaults, name), name
    assert config.max_prs == 300 and config.out_dir == Path("snapshots/demo")  # the project's own
    help_text = " ".join(CliRunner().invoke(cli, ["extract", "--help"]).output.split())
    assert "default: 900" in help_text and "GitHub's secondary rate limit" in help_text


def test_no_color_turns_colour_off() -> None:
    runner = CliRunner()
    coloured = runner.invoke(cli, ["transform", "nosuch"], color=True)
    assert "\x1b[" in coloured.stderr
    plain = runner.invoke(cli, ["transform", "nosuch"], color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 2 and "\x1b[" not in plain.stderr and "unknown project" in plain.stderr


def test_quiet_silences_notes_and_verbose_adds_detail(work: Path, schema_url: str) -> None:
    pg_url = schema_url
    (work / "build" / "demo" / "manifest.json").unlink()  # stale: load transforms first, with a note
    common = ("load", "demo", "--database-url", pg_url, "--dry-run")
    loud = run(*common, "-v", cwd=work)
    assert loud.returncode == 0, loud.stderr
    assert "transforming demo" in loud.stderr and "metrics_pullrequest" in loud.stderr  # per-table detail
    quiet = run(*common, "-q", cwd=work)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert "dry run (rolled back)" in quiet.stdout  # the result still prints
    where = run("db", "stop", "-q", cwd=work)
    assert where.stderr == "" and "was not running" in where.stdout
    both = run("transform", "demo", "-q", "-v", cwd=work)
    assert both.returncode == 2 and "exclude each other" in both.stderr


def test_snapshot_info_explains_requests_per_pr_and_per_commit(work: Path) -> None:
    manifest = json.loads((work / "snapshots" / "demo" / "manifest.json").read_text())
    prs = manifest["tables"]["pull_requests"]["rows"]
    commits = manifest["tables"]["commits"]["rows"]
    by_kind = manifest["requests"]["by_kind"]
    commit_calls = by_kind.get("commit", 0)
    per_pr = (manifest["requests"]["total"] - commit_calls - by_kind.get("rate-limit", 0)) / prs
    text = run("snapshot", "info", "demo", cwd=work).stdout
    assert f"{per_pr:.2f} requests per PR" in text
    assert f"{commit_calls / commits:.2f} commit-stats request per commit" in text
    data = json.loads(run("snapshot", "info", "demo", "--json", cwd=work).stdout)
    assert data["requests"]["pr_requests_per_pr"] == round(per_pr, 4)
    assert data["requests"]["commit_stats"] == commit_calls and data["rows"]["commits"] == commits
    assert (
        5.5 < per_pr < 7
    )  # the README's "about 6 per PR" (comment lists included), not the 10.43 of all requests


def test_snapshot_diff_json(work: Path) -> None:
    proc = run(
        "snapshot", "diff", "demo", str(work / "snapshots" / "demo"), "--json", "--exit-code", cwd=work
    )
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["identical"] is True and data["added"] == [] and data["rows"]["pull_requests"]["old"] > 0


def test_db_url_says_which_folder_and_creates_none(tmp_path: Path) -> None:
    proc = run("db", "url", cwd=tmp_path)
    assert proc.returncode == 7
    assert f"no embedded PostgreSQL in {tmp_path / '.pgdata'}" in proc.stderr
    assert not (tmp_path / ".pgdata").exists()
    stop = run("db", "stop", cwd=tmp_path)
    assert stop.returncode == 0 and "was not running" in stop.stdout
    assert not (tmp_path / ".pgdata").exists()


@pytest.fixture(scope="module")
def gh_repo():
    return generate_repo("octo-org/demo", n_prs=12, seed=4)


def test_adhoc_repo_never_lands_in_a_registry_project(gh_repo, work: Path) -> None:
    before = tree(work / "snapshots" / "demo")
    with FakeGitHub(repos=[gh_repo], tokens={TOKEN}) as gh:
        proc = run(
            "extract", "--repo", "octo-org/demo", "--api-url", gh.url, "--since", "2000-01-01",
            "--batch-delay", "0", "--json",
            cwd=work, env={"GITHUB_TOKEN": TOKEN},
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "ad-hoc project 'octo-org--demo'" in proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["out_dir"] == "snapshots/octo-org--demo" and summary["prs"] == 12
    assert tree(work / "snapshots" / "demo") == before
    manifest = json.loads((work / "snapshots" / "octo-org--demo" / "manifest.json").read_text())
    assert manifest["project"]["team_slug"] == "octo-org--demo-demo"
    # No lock or work folder is left behind.
    assert sorted(p.name for p in (work / "snapshots").iterdir()) == ["demo", "octo-org--demo"]
    plan = run(
        "extract", "--repo", "antiwork/gumroad", "--dry-run", "--json", cwd=work, env={"GITHUB_TOKEN": TOKEN}
    )
    assert "registry project 'gumroad'" in plan.stderr
    assert (
        json.loads(plan.stdout)["max_prs"] == 1000
        and json.loads(plan.stdout)["out_dir"] == "snapshots/gumroad"
    )


def test_a_failed_first_extract_does_not_block_the_corrected_retry(gh_repo, tmp_path: Path) -> None:
    with FakeGitHub(repos=[gh_repo], tokens={TOKEN}) as gh:
        common = ("extract", "--repo", "octo-org/demo", "--api-url", gh.url, "--since", "2000-01-01", "-q")
        bad = run(*common, cwd=tmp_path, env={"GITHUB_TOKEN": "wrong-token-0000"})
        assert bad.returncode == 3, bad.stderr
        assert "wrong-token" not in bad.stderr
        assert not list((tmp_path / "snapshots").glob(".*.lock"))
        good = run(*common, "--batch-delay", "0", cwd=tmp_path, env={"GITHUB_TOKEN": TOKEN})
    assert good.returncode == 0, good.stderr
    assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == ["octo-org--demo"]


def test_the_extract_lock_is_exclusive_and_removed_on_exit(tmp_path: Path) -> None:
    from prseed.extract.workdir import lock_path, output_lock

    from prseed.errors import LockError

    out = tmp_path / "snapshots" / "x"
    with output_lock(out):
        assert lock_path(out).is_file()
        with pytest.raises(LockError, match="another prseed extract"), output_lock(out):
            pass
        assert lock_path(out).is_file()  # the refused second run does not remove the holder's lock
    assert not lock_path(out).exists()
    with output_lock(out):  # and the next run gets it again
        pass
    assert list((tmp_path / "snapshots").iterdir()) == []
