"""Ctrl-C while the extractor rests for a rate limit (issue 12), through the real console script.

GitHub answers one request with its "abuse detection mechanism" 403 and no ``retry-after``: the
extractor rests a minute (``secondary_min_wait``). The rest is announced on stderr, and Ctrl-C
during it stops the run at once (exit 130, the resume hint) with its checkpoint intact; the same
command with ``--resume`` then finishes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
from prseed.extract.workdir import work_dir

from tests.fakegithub import FakeGitHub, Faults, Override, Quirks, generate_repo
from tests.test_cli import PRSEED

TOKEN = "fake-interrupt-token-0123456789"
REPO = "octo-org/demo"
ABUSE = "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."
# Far below the minute's rest: a run that finishes its rest before stopping fails the test.
STOP_WITHIN = 30


def _command(gh: FakeGitHub, out: Path, *extra: str) -> list[str]:
    return [
        PRSEED,
        "extract",
        "--api",
        "rest",
        "--repo",
        REPO,
        "--out",
        str(out),
        "--api-url",
        gh.url,
        "--since",
        "2020-01-01",
        "--batch-size",
        "3",
        "--batch-delay",
        "0",
        "--points-per-minute",
        "100000",
        *extra,
    ]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_SEEDING_TOKENS", "DATABASE_URL")}
    env["GITHUB_TOKEN"] = TOKEN
    return env


def test_ctrl_c_during_a_secondary_limit_rest_stops_at_once_and_resumes(tmp_path: Path) -> None:
    repo = generate_repo(REPO, n_prs=9, seed=41)
    # A worker thread rests (GraphQL's waits are the main thread's own, which SIGINT interrupts).
    limit = Override(r"/pulls/\d+/files$", 403, {"message": ABUSE}, times=1)
    quirks = Quirks(overrides=[limit])
    out = tmp_path / "snap"
    with FakeGitHub(
        repos=[repo], tokens={TOKEN}, quirks=quirks, faults=Faults(secondary_retry_after=None)
    ) as gh:
        proc = subprocess.Popen(
            _command(gh, out), env=_env(), stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert proc.stderr is not None
        seen: list[str] = []
        for line in proc.stderr:
            seen.append(line)
            if "rate-limited: resting" in line:
                break
        else:
            raise AssertionError(f"no rest was announced: {seen}")
        assert "secondary limit" in seen[-1] and "resting 6" in seen[-1], seen[-1]  # 60-63 s
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=STOP_WITHIN)
        assert proc.returncode == 130, err
        assert "--resume" in err and "Traceback" not in err, err
        assert work_dir(out).exists() and not out.exists()
        checkpoint = json.loads((work_dir(out) / "checkpoint.json").read_text())
        assert isinstance(checkpoint, dict)
        second = subprocess.run(
            [*_command(gh, out), "--resume"],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert second.returncode == 0, second.stderr
        assert gh.stats.violations == 0, gh.stats.violation_log[:3]
    numbers = sorted(r["number"] for r in pq.read_table(out / "pull_requests.parquet").to_pylist())
    assert numbers == sorted(p["number"] for p in repo.pulls)
