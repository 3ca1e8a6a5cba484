"""Ctrl-C anywhere in the real ``prseed`` console script: one line on stderr, exit 130, data untouched.

A large synthetic snapshot keeps each phase busy for seconds. The signal is sent once the process
is provably in the phase under test (a library mapped into its memory, a ``-v`` detail line, a
note), never after a guessed delay, so the tests do not depend on the machine's speed: whatever
the phase, the answer must be the same single line and exit 130.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.snapgen import GenSpec, write_snapshot
from tests.test_cli import PRSEED, tree

pytestmark = pytest.mark.slow

INTERRUPTED = "prseed: interrupted"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a 20,000-PR snapshot ``snapshots/acme`` (a transform takes seconds)."""
    root = tmp_path_factory.mktemp("big")
    write_snapshot(root / "snapshots" / "acme", GenSpec(n_prs=20_000))
    return root


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GITHUB_TOKEN")}
    env["PRSEED_PGDATA"] = str(root / ".pgdata")
    return env


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PRSEED, *args],
        cwd=root,
        env=_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _mapped(pid: int, library: str) -> bool:
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _interrupt(proc: subprocess.Popen[str]) -> tuple[int, list[str]]:
    """Send SIGINT; the exit code and the stderr lines after it (``-v`` table details left out)."""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    detail = re.compile(r"^acme: \w+ \d+ rows in [\d.]+ s$")
    return proc.returncode, [line for line in err.strip().splitlines() if not detail.match(line)]


def _wait_for_sql(proc: subprocess.Popen[str], build: Path) -> None:
    """Wait until the transform runs its SQL: DuckDB loaded and the build's staging folder made."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if _mapped(proc.pid, "duckdb") and list(build.glob(".acme.staging-*")):
            # Past the views, inside the SQL files (seconds of work for 20,000 PRs): DuckDB turns
            # the signal into its own "RuntimeError: Query interrupted" there.
            time.sleep(0.5)
            return
        time.sleep(0.005)
    raise AssertionError(f"the transform never started its SQL (exit {proc.returncode})")


def _lines_until(proc: subprocess.Popen[str], needle: str) -> Iterator[str]:
    assert proc.stderr is not None
    for line in proc.stderr:
        yield line
        if needle in line:
            return
    raise AssertionError(f"the process ended before printing {needle!r}")


def test_ctrl_c_during_the_imports_is_one_line(big: Path) -> None:
    proc = _start(big, "transform", "acme", "--dry-run")
    deadline = time.monotonic() + 60
    # Arrow is mapped while the CLI imports its modules (the handler is set before they start).
    while not _mapped(proc.pid, "libarrow") and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    code, lines = _interrupt(proc)
    assert code == 130 and len(lines) == 1 and lines[0].startswith(INTERRUPTED), (code, lines)


def test_ctrl_c_during_a_transform_keeps_the_build(big: Path) -> None:
    first = subprocess.run([PRSEED, "transform", "acme", "-q"], cwd=big, env=_env(big), capture_output=True)
    assert first.returncode == 0, first.stderr
    before = tree(big / "build")
    proc = _start(big, "transform", "acme", "--seed", "5")
    _wait_for_sql(proc, big / "build")
    code, lines = _interrupt(proc)
    assert code == 130 and lines == ["prseed: interrupted; the previous build, if any, is untouched"]
    assert tree(big / "build") == before
    assert sorted(p.name for p in (big / "build").iterdir()) == ["acme"]  # no staging or spill left


def _counts(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        teams = conn.execute("SELECT count(*) FROM teams_team").fetchone()
        prs = conn.execute("SELECT count(*) FROM metrics_pullrequest").fetchone()
    assert teams is not None and prs is not None
    return int(teams[0]), int(prs[0])


def test_ctrl_c_while_load_transforms_a_stale_build_or_loads(big: Path, schema_url: str) -> None:
    done = subprocess.run(
        [PRSEED, "load", "acme", "--database-url", schema_url, "-q"],
        cwd=big,
        env=_env(big),
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    before, build = _counts(schema_url), tree(big / "build")
    assert before[1] == 20_000
    # The build is stale for --seed 6: the load transforms first.
    proc = _start(big, "load", "acme", "--seed", "6", "--database-url", schema_url, "-q")
    _wait_for_sql(proc, big / "build")
    code, lines = _interrupt(proc)
    assert code == 130 and len(lines) == 1 and lines[0].startswith(INTERRUPTED), (code, lines)
    # Interrupted in the middle of the COPYs of --clear: rolled back, and no psycopg warning.
    proc = _start(big, "load", "acme", "--clear", "--database-url", schema_url, "-v")
    for _ in _lines_until(proc, "metrics_pullrequest"):
        pass
    code, lines = _interrupt(proc)
    assert code == 130 and len(lines) == 1 and lines[0].startswith(INTERRUPTED), (code, lines)
    assert _counts(schema_url) == before and tree(big / "build") == build
